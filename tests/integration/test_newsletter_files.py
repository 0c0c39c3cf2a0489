"""``kdc newsletter build`` writes each issue's three files, and leaves alone those that
already hold what it would write."""

from __future__ import annotations

import email
import email.policy
import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from kdc_core.app import Kdc
from kdc_core.db import CouncillorRow, WardRow
from kdc_core.db.newsletters import NewsletterIssueRow
from kdc_core.errors import KdcError
from kdc_core.newsletter import files as newsletter_files
from kdc_core.newsletter.build import build_month
from kdc_core.newsletter.values import Month


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


def stable(data: bytes) -> bytes:
    """A file with its Date (the build's) and MIME boundary (new for every message)
    replaced."""
    data = re.sub(rb"(?m)^Date: .*$", b"Date: DATE", data)
    return re.sub(rb"=_kdc_[0-9a-f]{24}", b"=_kdc_BOUNDARY", data)


def test_a_large_build_writes_the_same_files_from_its_helper_process(
    kdc_app: Kdc, kdc_run, tmp_path, monkeypatch
):
    by_hand, helped = tmp_path / "by-hand", tmp_path / "helped"
    build = ("newsletter", "build", "--month", "2027-03", "--out")
    monkeypatch.setattr(newsletter_files, "HELPER_WARDS", 10**6)
    assert kdc_run(*build, str(by_hand)).exit_code == 0
    written: list[bool] = []
    real = newsletter_files.IssueFiles.__init__

    def spy(self, folder, *, helper=False):
        written.append(helper)
        real(self, folder, helper=helper)

    monkeypatch.setattr(newsletter_files, "HELPER_WARDS", 2)
    monkeypatch.setattr(newsletter_files.IssueFiles, "__init__", spy)
    assert kdc_run(*build, str(helped)).exit_code == 0
    assert written == [True]
    mine, theirs = files(by_hand), files(helped)
    assert mine.keys() == theirs.keys() and len(mine) == 3 * 69
    for name, (_, data) in mine.items():
        assert stable(theirs[name][1]) == stable(data), name
    # The helper's messages parse as multipart/alternative with both bodies.
    eml = next(data for name, (_, data) in theirs.items() if name.endswith(".eml"))
    message = email.message_from_bytes(eml, policy=email.policy.default)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]


def test_the_helper_process_reports_a_file_it_cannot_write(kdc_app: Kdc, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with kdc_app.unit_of_work(dry_run=True) as uow:
        built = build_month(uow, kdc_app.sections, Month(2027, 3), "Almondbury", store=False)
    (out / "blocked.html").mkdir()  # a folder where a file should go
    files_ = newsletter_files.IssueFiles(out, helper=True)
    files_.add(["fine"], built[:1])
    files_.add(["blocked"], built[1:2])
    with pytest.raises(KdcError, match=r"blocked\.html"):
        files_.close()
    assert (out / "fine.eml").read_bytes().startswith(b"From: ")
