"""Calendar events: walkabouts, open days, council meetings, briefings and the rest."""
