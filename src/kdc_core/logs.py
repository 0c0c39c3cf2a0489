"""Logging, configured once for the ``kdc`` command: readable text, or JSON lines.

Code everywhere logs through the standard :mod:`logging` module (``logging.getLogger(__name__)``);
only the entry point calls :func:`configure`. The format comes from ``KDC_LOG_FORMAT``:
``text`` (the default; one readable line per record) or ``json`` (one JSON object per line,
for a log shipper). ``KDC_LOG_LEVEL`` sets the level (``DEBUG`` … ``ERROR``); without it a
command that serves or works on a schedule logs from ``INFO`` and any other from ``ERROR``,
so a person at a terminal sees the command's own output — its results, its warnings, its one
line when it fails — and not the same facts twice.

Log lines never carry secrets or constituents' details: callers log counts, ids and route
templates, not tokens, passwords, addresses or what people wrote.
"""

from __future__ import annotations

import atexit
import copy
import datetime as dt
import json
import logging
import logging.handlers
import os
import queue
import re
import sys
import threading
import urllib.parse
from collections.abc import Callable, Mapping
from typing import IO, Any

#: The attributes every :class:`logging.LogRecord` has; anything else was passed as ``extra``.
_STANDARD = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", (), None)).keys()
    | {"message", "asctime", "taskName"}
)

FORMATS = ("text", "json")
#: Marks the handler :func:`configure` installs, so configuring again replaces it.
_HANDLER_NAME = "kdc"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, and the
    ``extra`` fields the caller gave (``request_id``, ``status`` …); a traceback, with any
    email address an exception quotes left out, under ``exception``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)

    def formatException(self, ei: Any) -> str:
        return scrub(super().formatException(ei))


class TextFormatter(logging.Formatter):
    """``2026-12-05 09:30:01 INFO kdc.access GET /feeds/public.ics 200 4 ms``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s", "%Y-%m-%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        # Another handler's formatter may have cached the traceback unscrubbed.
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, ei: Any) -> str:
        """The traceback, with any email address an exception quotes left out."""
        return scrub(super().formatException(ei))


def configure(
    *,
    default_level: str = "ERROR",
    environ: Mapping[str, str] | None = None,
    stream: IO[str] | None = None,
) -> logging.Handler:
    """Send every log record to ``stream`` (stderr) in the format ``KDC_LOG_FORMAT`` names.

    Calling it again replaces the handler it installed before, so a command that serves can
    raise the level it starts with.

    :param default_level: the level when ``KDC_LOG_LEVEL`` is not set.
    :returns: the handler installed on the root logger.
    :raises ValueError: an unknown ``KDC_LOG_FORMAT`` or ``KDC_LOG_LEVEL``.
    """
    env = os.environ if environ is None else environ
    kind = (env.get("KDC_LOG_FORMAT") or "text").strip().lower()
    if kind not in FORMATS:
        raise ValueError(f"KDC_LOG_FORMAT must be one of {', '.join(FORMATS)}, not {kind!r}")
    level_name = (env.get("KDC_LOG_LEVEL") or default_level).strip().upper()
    level = logging.getLevelNamesMapping().get(level_name)
    if level is None:
        raise ValueError(f"KDC_LOG_LEVEL {level_name!r} is not a logging level")
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name(_HANDLER_NAME)
    # The handler has the level too, so a logger given a lower level of its own (a test run
    # that records everything) does not make the command louder.
    handler.setLevel(level)
    handler.setFormatter(JsonFormatter() if kind == "json" else TextFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
        if isinstance(old, _Enqueue):
            old.stop()
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
    return handler


def serving(environ: Mapping[str, str] | None = None) -> None:
    """For commands that serve or run on a schedule: log from INFO unless ``KDC_LOG_LEVEL``
    says otherwise, keeping the format already chosen."""
    env = os.environ if environ is None else environ
    if env.get("KDC_LOG_LEVEL"):
        return
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in root.handlers:
        if handler.get_name() == _HANDLER_NAME:
            handler.setLevel(logging.INFO)


class _Enqueue(logging.handlers.QueueHandler):
    """Hands each record to a :class:`logging.handlers.QueueListener` thread that writes it.

    Unlike the standard ``prepare`` it keeps the exception for the writing handler's
    formatter (which leaves email addresses out of tracebacks), and it only merges the
    message with its arguments, so an argument that changes later is logged as it was."""

    def __init__(self, records: queue.SimpleQueue[logging.LogRecord], writer: logging.Handler):
        super().__init__(records)
        self.set_name(_HANDLER_NAME)
        self.setLevel(writer.level)
        self.writer = writer
        self._listener = logging.handlers.QueueListener(records, writer, respect_handler_level=True)
        self._stopping = threading.Lock()
        self._running = False

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        record = copy.copy(record)
        record.msg = record.message = record.getMessage()
        record.args = None
        return record

    def setLevel(self, level: int | str) -> None:
        super().setLevel(level)
        if hasattr(self, "writer"):
            self.writer.setLevel(level)

    def start(self) -> None:
        self._listener.start()
        self._running = True

    def stop(self) -> None:
        """Write what is still queued, then end the writing thread (once; later calls do
        nothing)."""
        with self._stopping:
            if self._running:
                self._running = False
                self._listener.stop()


def in_background() -> Callable[[], None]:
    """Write log lines from a thread of their own: for the web server, whose request threads
    then never wait on the log's file (a write releases Python's lock on the interpreter, and
    getting it back while other threads are busy can cost a request milliseconds).

    Records keep their order; what is queued at exit is written before the process ends
    (:func:`atexit`). Call after :func:`configure` (and :func:`serving`); configuring again
    puts the direct handler back. Does nothing if :func:`configure` has not run.

    :returns: a function that writes what is queued and stops the thread.
    """
    root = logging.getLogger()
    current = next((h for h in root.handlers if h.get_name() == _HANDLER_NAME), None)
    if current is None:
        return lambda: None
    if isinstance(current, _Enqueue):
        return current.stop
    front = _Enqueue(queue.SimpleQueue(), current)
    root.removeHandler(current)
    root.addHandler(front)
    front.start()
    atexit.register(front.stop)
    return front.stop


#: Something shaped like an email address (what a mail server's refusal often quotes).
_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")


def scrub(text: object) -> str:
    """``text`` with every email address replaced by ``<address>``: for messages that come
    from elsewhere (a mail server's refusal, an exception) before they are logged."""
    return _EMAIL.sub("<address>", str(text))


def source_label(source: str) -> str:
    """Where an import or sync read from, fit for a log line: a URL loses its user name,
    password, query and fragment (an API key often rides in the query); a path stays."""
    parts = urllib.parse.urlsplit(source)
    if not parts.scheme or not parts.netloc:
        return source
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))
