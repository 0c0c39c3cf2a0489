"""``kdc newsletter build`` writes each issue's three files, and leaves alone those that
already hold what it would write."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from kdc_core.app import Kdc
from kdc_core.db import CouncillorRow, WardRow
from kdc_core.db.newsletters import NewsletterIssueRow


@pytest.fixture
def kdc_template() -> str:
    return "demo"


def files(out: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(out.iterdir())}


def test_a_rebuild_rewrites_only_the_files_that_change(kdc_app: Kdc, kdc_run, tmp_path):
    out = tmp_path / "out"
    build = ("newsletter", "build", "--month", "2027-03", "--ward", "Almondbury", "--out", str(out))
    assert kdc_run(*build).exit_code == 0
    first = files(out)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        stored = {
            c: (h, t)
            for c, h, t in uow.session.execute(
                select(
                    NewsletterIssueRow.councillor_id,
                    NewsletterIssueRow.html,
                    NewsletterIssueRow.text,
                )
            )
        }
        ward_id = uow.session.scalar(select(WardRow.id).where(WardRow.name == "Almondbury"))
    assert len(first) == 3 * len(stored) == 9
    for councillor_id, (html, text) in stored.items():
        (stem,) = {n.rsplit(".", 1)[0] for n in first if n.endswith(f"-{councillor_id}.html")}
        assert (
            first[f"{stem}.html"][1] == html.encode() and first[f"{stem}.txt"][1] == text.encode()
        )
        assert first[f"{stem}.eml"][1].startswith(b"From: ")

    # Back-date every file: one written again would show a new modification time.
    for name in first:
        os.utime(out / name, ns=(10**18, 10**18))
    first = files(out)
    with kdc_app.unit_of_work() as uow:
        one = uow.session.scalars(
            select(CouncillorRow).where(CouncillorRow.ward_id == ward_id).order_by(CouncillorRow.id)
        ).first()
        assert one is not None
        one.name = "Renamed Councillor"
        changed = one.id
    assert kdc_run(*build).exit_code == 0
    again = files(out)
    assert again.keys() == first.keys()
    for name, (mtime, data) in again.items():
        if name.endswith((f"-{changed}.html", f"-{changed}.txt", ".eml")):
            assert mtime != first[name][0]  # written again (a message's Date always moves)
            assert b"Renamed Councillor" in data or name.endswith(".eml")
        elif name.endswith((".html", ".txt")):
            assert (mtime, data) == first[name], name  # untouched
