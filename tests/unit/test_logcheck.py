"""The test run's log check finds what it looks for, and refuses to vouch for logs it cannot
have searched."""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

import logcheck
from kdc_core.calendar import feed_tokens
from kdc_core.demo.casework import CASES

TOKEN = "Qm9ndXMtdG9rZW4tZm9yLXRoZS1sb2ctY2hlY2sgMQ"  # 43 characters, like a feed token


LOGGER = "kdc_core.tests.logcheck"


@pytest.fixture
def logs(tmp_path: Path) -> Iterator[Path]:
    """A log folder as one process of the run leaves it (handlers on a logger of its own)."""
    target = logging.getLogger(LOGGER)
    modules = [importlib.import_module(m) for m in logcheck.TOKEN_MODULES]
    recorders = [vars(m)["secrets"] for m in modules]
    # Planted secrets stay in this test's folder, out of the run's own logs.
    target.propagate = False
    handlers = logcheck.install(tmp_path, "gw9", target=target)
    yield tmp_path
    target.propagate = True
    for handler in handlers:
        target.removeHandler(handler)
        handler.close()
    for module, recorder in zip(modules, recorders, strict=True):
        module.secrets = recorder  # type: ignore[attr-defined]


def _write(folder: Path, *lines: tuple[str, dict]) -> None:
    logger = logging.getLogger(LOGGER)
    for message, extra in lines:
        logger.info(message, extra=extra)
    for handler in logger.handlers:
        handler.flush()


def test_a_planted_token_is_found_with_its_file_and_line(logs):
    _write(
        logs,
        ("feed served", {"path": "/feeds/councillors/<token>.ics"}),
        (f"feed served for /feeds/councillors/{TOKEN}.ics", {}),
    )
    (logs / "gw9.secrets").write_text(TOKEN + "\n")
    report = logcheck.check(logs)
    assert report.problems == ()
    hits = sorted((h.path.name, h.line) for h in report.hits)
    # The canary is line 1 of each file; the planted token is on line 3 of both.
    assert hits == [("gw9.jsonl", 3), ("gw9.log", 3)]
    assert report.hits[0].describe(logs).endswith(": token or generated password (Qm9ndX…)")


def test_tokens_kdc_makes_are_written_down_as_they_are_made(logs):
    issued = feed_tokens.secrets.token_urlsafe(feed_tokens.TOKEN_BYTES)
    assert issued in (logs / "gw9.secrets").read_text().split()


@pytest.mark.parametrize(
    ("extra", "kind"),
    [
        ({"to": "Cllr.Amir.Hussain@example.gov.uk"}, "councillor's email"),
        ({"who": CASES[0].constituent.name}, "constituent's name"),
        ({"note": "said: " + CASES[0].description}, "what a constituent wrote"),
        ({"password": logcheck.TEST_PASSWORD}, "test password"),
    ],
)
def test_personal_data_in_a_structured_field_is_found(logs, extra, kind):
    _write(logs, ("something happened", extra))
    kinds = {h.secret.kind for h in logcheck.check(logs).hits if h.path.suffix == ".jsonl"}
    assert kinds == {kind}


def test_an_escaped_character_cannot_hide_a_value(tmp_path):
    name = "Siân O'Rourke-Jones"
    line = json.dumps({"message": f"hello {name}"}, ensure_ascii=True)
    assert name not in line
    (tmp_path / "x.jsonl").write_text(line + "\n")
    hits = list(logcheck.search([tmp_path / "x.jsonl"], [logcheck.Secret("name", name)]))
    assert [(h.line, h.secret.value) for h in hits] == [(1, name)]


def test_clean_logs_pass_and_empty_or_missing_ones_cannot(logs, tmp_path):
    _write(logs, ("job outbox_dispatch ok", {"counts": {"sent": 3}}))
    clean = logcheck.check(logs)
    assert (clean.hits, clean.problems) == ((), ())
    assert clean.records >= 2 and clean.secrets > 400  # the demo's people are looked for

    too_few = logcheck.check(logs, expect_records=1000)
    assert too_few.problems and "expected at least 1000" in too_few.problems[0]

    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no log files" in logcheck.check(empty).problems[0]


def test_text_and_json_files_hold_the_same_records(logs):
    _write(logs, ("one", {}), ("two", {"n": 2}))
    text = (logs / "gw9.log").read_text().splitlines()
    lines = [json.loads(x) for x in (logs / "gw9.jsonl").read_text().splitlines()]
    assert [e["message"] for e in lines] == ["log capture started for gw9", "one", "two"]
    assert len(text) == 3 and text[2].endswith("INFO kdc_core.tests.logcheck two")
    assert lines[2]["n"] == 2
