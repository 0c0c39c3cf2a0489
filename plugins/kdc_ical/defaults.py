"""The ``kdc import ics`` defaults, in a light module: the importer's options show them, and
every ``kdc`` command registers the importer."""

#: The default window: this many days back from today, and forward.
DAYS_BACK, DAYS_AHEAD = 30, 365
#: Most instances of one recurring event inside the window.
DEFAULT_MAX_INSTANCES = 1_000
#: Most events in one import.
DEFAULT_MAX_EVENTS = 50_000
