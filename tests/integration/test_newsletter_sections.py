"""Built-in sections read from the rows: joiners and leavers, briefings by topic, stories."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kdc_core.briefings.service import post_briefing
from kdc_core.db import CouncillorRow, OfficerRow, OfficerWardRow, ServiceRow, WardRow
from kdc_core.db.newsletters import SuccessStoryRow
from kdc_core.mail.topics import set_topic

MARCH = dt.datetime(2027, 3, 10, 12, tzinfo=dt.UTC)


def test_sections_show_joiners_leavers_briefings_by_topic_and_stories(
    kdc_app, kdc_run, tmp_path: Path
):
    with kdc_app.unit_of_work() as uow:
        ward = WardRow(name="Lindley", slug="lindley")
        other = WardRow(name="Greenhead", slug="greenhead")
        parks = ServiceRow(name="Parks", slug="parks", ward_facing=True)
        ann = CouncillorRow(name="Ann Ash", ward=ward, email="ann@x.test")
        bo = CouncillorRow(name="Bo Birch", ward=ward, email="bo@x.test")
        uow.session.add_all([ward, other, parks, ann, bo])
        people = {
            "Jo Joiner": dict(created_at=MARCH),
            "Lee Leaver": dict(created_at=MARCH.replace(year=2020), archived_at=MARCH),
            "Stan Stayer": dict(created_at=MARCH.replace(year=2020)),
            "Feb Joiner": dict(created_at=MARCH.replace(month=2)),
        }
        for n, (name, dates) in enumerate(people.items()):
            given, family = name.split()
            officer = OfficerRow(
                person_id=f"p{n}",
                given_name=given,
                family_name=family,
                service=parks,
                job_title="Ranger",
                **dates,
            )
            uow.session.add(officer)
            uow.session.add(OfficerWardRow(officer=officer, ward=ward, source="local"))
        uow.session.flush()
        for title, topic in (("Path closure", "roadworks"), ("New homes", "planning")):
            post_briefing(
                uow,
                wards=["Lindley"],
                title=title,
                body="Details.",
                public_on=dt.date(2027, 3, 20),
                topic=topic,
                posted_at=dt.datetime(2027, 3, 1, tzinfo=dt.UTC),
            )
        uow.session.add_all(
            [
                SuccessStoryRow(
                    title="Everywhere story", body="b", published_on=dt.date(2027, 3, 3)
                ),
                SuccessStoryRow(
                    title="Greenhead story",
                    body="b",
                    published_on=dt.date(2027, 3, 3),
                    ward_id=other.id,
                ),
                SuccessStoryRow(title="April story", body="b", published_on=dt.date(2027, 4, 3)),
            ]
        )
        ann_id, bo_id = ann.id, bo.id
        set_topic(uow, bo_id, "roadworks", opted_in=False)
    assert (
        kdc_run("newsletter", "build", "--month", "2027-03", "--out", str(tmp_path)).exit_code == 0
    )
    ann_text = (tmp_path / f"2027-03-lindley-{ann_id}.txt").read_text()
    bo_text = (tmp_path / f"2027-03-lindley-{bo_id}.txt").read_text()
    assert "* Jo Joiner (Joined)" in ann_text and "* Lee Leaver (Left)" in ann_text
    assert "Stan Stayer" not in ann_text and "Feb Joiner" not in ann_text
    assert "Path closure" in ann_text and "New homes" in ann_text
    assert "Path closure" not in bo_text and "New homes" in bo_text
    assert "Everywhere story" in ann_text
    assert "Greenhead story" not in ann_text and "April story" not in ann_text
    assert "Service spotlight" in ann_text and "Parks" in ann_text
