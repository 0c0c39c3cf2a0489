"""Logging configured once: readable text or JSON lines, level from the environment."""

from __future__ import annotations

import io
import json
import logging
import sys
import threading
from collections.abc import Iterator

import pytest

from kdc_core import logs


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_carry_the_fields_given_as_extra():
    stream = io.StringIO()
    logs.configure(environ={"KDC_LOG_FORMAT": "json"}, stream=stream, default_level="INFO")
    logging.getLogger("kdc.test").info("synced %d officers", 3, extra={"source": "csv"})
    logging.getLogger("kdc.test").debug("not at INFO")
    (line,) = stream.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["message"] == "synced 3 officers"
    assert (entry["level"], entry["logger"], entry["source"]) == ("info", "kdc.test", "csv")
    assert entry["time"].endswith("+00:00")


def test_text_is_one_readable_line_and_configuring_again_replaces_the_handler():
    first, second = io.StringIO(), io.StringIO()
    logs.configure(environ={}, stream=first)
    logs.configure(environ={"KDC_LOG_LEVEL": "info"}, stream=second)
    logging.getLogger("kdc.test").info("hello")
    assert first.getvalue() == ""
    assert second.getvalue().rstrip().endswith("INFO kdc.test hello")


def test_commands_log_errors_and_serving_ones_from_info():
    stream = io.StringIO()
    logs.configure(environ={}, stream=stream)
    logging.getLogger("kdc.test").info("quiet")
    logs.serving(environ={})
    logging.getLogger("kdc.test").info("heard")
    assert "quiet" not in stream.getvalue() and "heard" in stream.getvalue()
    logs.configure(environ={"KDC_LOG_LEVEL": "ERROR"}, stream=stream)
    logs.serving(environ={"KDC_LOG_LEVEL": "ERROR"})
    assert logging.getLogger().level == logging.ERROR


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"KDC_LOG_FORMAT": "xml"}, "KDC_LOG_FORMAT must be one of text, json"),
        ({"KDC_LOG_LEVEL": "loud"}, "KDC_LOG_LEVEL 'LOUD' is not a logging level"),
    ],
)
def test_unknown_settings_are_refused_by_name(environ, message):
    with pytest.raises(ValueError, match=message):
        logs.configure(environ=environ, stream=io.StringIO())


def test_addresses_are_scrubbed_from_messages_and_tracebacks():
    assert logs.scrub("550 <a.b+c@example.gov.uk> unknown") == "550 <<address>> unknown"
    try:
        raise RuntimeError("refused someone@example.com")
    except RuntimeError:
        record = logging.LogRecord("kdc.test", logging.ERROR, "", 0, "failed", (), sys.exc_info())
    for formatter in (logs.TextFormatter(), logs.JsonFormatter()):
        written = formatter.format(record)
        assert "RuntimeError: refused <address>" in written.replace("\\n", "\n")
        assert "someone@example.com" not in written


def test_a_source_url_loses_its_credentials_and_query():
    assert (
        logs.source_label("https://user:pw@mg.example.gov.uk:8443/ws.asmx?key=secret#x")
        == "https://mg.example.gov.uk:8443/ws.asmx"
    )
    assert logs.source_label("/srv/staff.csv") == "/srv/staff.csv"


def test_the_handler_keeps_the_level_when_a_logger_is_set_lower():
    stream = io.StringIO()
    logs.configure(environ={}, stream=stream)
    chatty = logging.getLogger("kdc.test.chatty")
    chatty.setLevel(logging.DEBUG)
    try:
        chatty.warning("not for the terminal")
        chatty.error("for the terminal")
        logs.serving(environ={})
        chatty.info("now heard")
    finally:
        chatty.setLevel(logging.NOTSET)
    assert "not for the terminal" not in stream.getvalue()
    assert "for the terminal" in stream.getvalue() and "now heard" in stream.getvalue()


def test_in_background_writes_every_line_in_order_from_another_thread():
    stream = io.StringIO()
    logs.configure(environ={"KDC_LOG_FORMAT": "json"}, stream=stream)
    logs.serving(environ={})
    stop = logs.in_background()
    try:
        assert logs.in_background() == stop  # once only
        writers: list[str] = []
        real_write = stream.write

        def write(text: str) -> int:
            writers.append(threading.current_thread().name)
            return real_write(text)

        stream.write = write  # type: ignore[method-assign]
        for n in range(50):
            logging.getLogger("kdc.test").info("line %d", n, extra={"n": n})
        logging.getLogger("kdc.test").debug("below the level")
        try:
            raise RuntimeError("refused someone@example.com")
        except RuntimeError:
            logging.getLogger("kdc.test").exception("failed")
    finally:
        stop()
    stop()  # a second stop does nothing
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [e["n"] for e in entries[:50]] == list(range(50))
    assert entries[0]["message"] == "line 0"
    assert len(entries) == 51 and "RuntimeError: refused <address>" in entries[50]["exception"]
    assert threading.current_thread().name not in writers


def test_configuring_again_puts_the_direct_handler_back():
    first, second = io.StringIO(), io.StringIO()
    logs.configure(environ={"KDC_LOG_LEVEL": "info"}, stream=first)
    logs.in_background()
    logging.getLogger("kdc.test").info("queued")
    logs.configure(environ={"KDC_LOG_LEVEL": "info"}, stream=second)
    logging.getLogger("kdc.test").info("direct")
    assert "queued" in first.getvalue() and "direct" not in first.getvalue()
    assert second.getvalue().rstrip().endswith("INFO kdc.test direct")
