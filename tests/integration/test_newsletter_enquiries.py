"""The ward's enquiry figures in the newsletter, from the enquiries tables."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kdc_core.db import CouncillorRow, WardRow
from kdc_core.db.enquiries import EnquiryRow
from kdc_core.mail.topics import set_topic


def enquiry(n: int, ward: WardRow, status: str, respond_by: dt.date, **extra) -> EnquiryRow:
    return EnquiryRow(
        reference=f"ENQ-2027-{n:05d}",
        year=2027,
        number=n,
        ward_id=ward.id,
        category="Highways",
        description="Pothole",
        status=status,
        received_at=dt.datetime(2027, 2, 1, 9, tzinfo=dt.UTC),
        acknowledge_by=dt.date(2027, 2, 2),
        respond_by=respond_by,
        original_respond_by=respond_by,
        routed_by="service",
        **extra,
    )


def test_the_wards_enquiry_figures_appear_for_those_who_receive_the_digest(
    kdc_app, kdc_run, tmp_path: Path
):
    far = dt.date.today() + dt.timedelta(days=30)
    past = dt.date.today() - dt.timedelta(days=3)
    answered = dt.datetime(2027, 3, 10, 12, tzinfo=dt.UTC)
    with kdc_app.unit_of_work() as uow:
        ward = WardRow(name="Lindley", slug="lindley")
        other = WardRow(name="Crosland Moor", slug="crosland-moor")
        ann = CouncillorRow(name="Ann Ash", ward=ward, email="ann@x.test")
        bo = CouncillorRow(name="Bo Birch", ward=ward, email="bo@x.test")
        uow.session.add_all([ward, other, ann, bo])
        uow.session.flush()
        uow.session.add_all(
            [
                enquiry(1, ward, "received", far),
                enquiry(2, ward, "in_progress", past),
                enquiry(3, ward, "received", past),
                enquiry(4, ward, "closed", past, resolved_at=answered, resolved_in_time=True),
                enquiry(5, ward, "closed", past, resolved_at=answered, resolved_in_time=False),
                enquiry(6, other, "in_progress", past),
            ]
        )
        uow.session.flush()
        ann_id, bo_id = ann.id, bo.id
        set_topic(uow, bo_id, "enquiry_digest", opted_in=False)
    result = kdc_run("newsletter", "build", "--month", "2027-03", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    ann_text = (tmp_path / f"2027-03-lindley-{ann_id}.txt").read_text()
    assert "Enquiries in the ward" in ann_text
    assert "* 3 open (As of" in ann_text and "2 past the date" in ann_text
    assert "1 of 2 answered in time (Answered in March 2027)" in ann_text
    assert "Enquiries in the ward" not in (tmp_path / f"2027-03-lindley-{bo_id}.txt").read_text()
