"""Monthly ward newsletters: sections from a hook, personalised by topics, rendered and sent."""
