"""``kdc import ics`` on fifty malformed and edge-case calendars (tests/fixtures/ics/edge/).

Each file's expected outcome is in the corpus README's table: it imports (exit 0, the number
of events the table gives) or it is refused (exit 1, a message naming the file, nothing
written). The command runs in-process with
exceptions passed through, so a traceback fails the test; each run must take under 20 s.
SQLite only: the PostgreSQL side is covered by tests in test_ics_import.py.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fixture_files import FIXTURES
from kdc_core import testing
from kdc_core.db import EventRow

EDGE = FIXTURES / "ics" / "edge"
ROW = re.compile(r"^\| (\S+\.ics) \| (imports|refused) \| (\d+|–) \| (.+) \|$", re.M)
CASES = ROW.findall((EDGE / "README.md").read_text(encoding="utf-8"))
LIMIT = 20.0
YEAR = ("--from", "2027-01-01", "--to", "2027-12-31")


@pytest.fixture
def kdc_database_url(tmp_path: Path) -> Iterator[str]:
    yield from testing.database_url_for("sqlite", tmp_path, None)


def _count(kdc_app) -> int:
    with kdc_app.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(EventRow)) or 0


def test_the_readme_lists_every_file_once():
    names = [name for name, *_ in CASES]
    assert len(names) == 50 == len(set(names))
    assert sorted(names) == sorted(p.name for p in EDGE.glob("*.ics"))


@pytest.mark.parametrize(("name", "outcome", "events", "what"), CASES, ids=[c[0] for c in CASES])
def test_each_edge_case_imports_or_is_refused_by_name_quickly(
    kdc_run, kdc_app, name, outcome, events, what
):
    path = EDGE / name
    began = time.perf_counter()
    result = kdc_run("import", "ics", str(path), "--kind", "briefing", *YEAR)
    took = time.perf_counter() - began
    assert took < LIMIT, f"{name} took {took:.1f} s"
    assert "Traceback" not in result.output
    if outcome == "imports":
        assert result.exit_code == 0, result.output
        assert _count(kdc_app) == int(events), result.output
    else:
        assert result.exit_code == 1, result.output
        assert f"\nError: {path}" in result.output, result.output
        assert _count(kdc_app) == 0


def test_with_skip_invalid_the_refused_files_import_what_is_good(kdc_run, kdc_app):
    """Every file refused for a VEVENT's sake imports under --skip-invalid, listing it."""
    for name, outcome, *_ in CASES:
        if outcome != "refused":
            continue
        result = kdc_run(
            "import", "ics", str(EDGE / name), "--kind", "briefing", "--skip-invalid",
            "--from", "2027-01-01", "--to", "2027-12-31",
        )  # fmt: skip
        if result.exit_code == 0:
            assert "Warning: skipped VEVENT" in result.output, (name, result.output)
        else:  # the file as a whole cannot be read
            assert result.exit_code == 1 and "VEVENT" not in result.output, (name, result.output)
