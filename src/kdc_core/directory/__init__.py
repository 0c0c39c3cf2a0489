"""People Finder sync: directory sources, the diff-and-apply engine, and the freshness report."""
