"""Where the sample files the tests read live: ``tests/fixtures/`` (described in its README)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_path(*parts: str) -> Path:
    """``fixture_path("moderngov", "meetings-2027.xml")`` → that file under ``tests/fixtures``."""
    path = FIXTURES.joinpath(*parts)
    assert path.exists(), f"{path} is missing from the test fixtures"
    return path
