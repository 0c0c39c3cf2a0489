"""iCalendar in and out: importing .ics feeds and serving councillors' calendar feeds."""
