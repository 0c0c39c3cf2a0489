"""The demo's news: three briefings, success stories for several wards, this month's newsletter.

Briefings go through :func:`~kdc_core.briefings.service.post_briefing`, so protocol 8.1 and 9.1
are checked as in real use (the late one is recorded as a finding). Success stories have no
service of their own (the admin edits them as rows), so they are added as rows in the unit of
work, where the change log sees them. The newsletter is built with
:func:`~kdc_core.newsletter.build.build_month`, as ``kdc newsletter build`` does.

Briefings and stories are recognised by title, the newsletter by its month: a second run adds
nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs
from sqlalchemy import func, select

from kdc_core.briefings.service import post_briefing
from kdc_core.db.newsletters import BriefingRow, NewsletterIssueRow, SuccessStoryRow
from kdc_core.newsletter.values import Month

if TYPE_CHECKING:
    from kdc_core.newsletter.values import Section
    from kdc_core.registry import Registry
    from kdc_core.unit_of_work import UnitOfWork


@attrs.frozen
class BriefingSpec:
    title: str
    body: str
    wards: tuple[str, ...]
    public_in_days: int
    service: str | None = None
    significant: bool = False


BRIEFINGS = (
    BriefingSpec(
        "Resurfacing of Northgate and Fenay Lane",
        "Highways will resurface Northgate and Fenay Lane over four nights, with a diversion "
        "signed through Almondbury village. Residents get letters a week before work starts.",
        ("Almondbury",),
        10,
        service="Highways",
    ),
    BriefingSpec(
        "Consultation on closing two household waste recycling centres",
        "Cabinet will be asked to consult on closing the Emley and Meltham recycling centres "
        "and extending opening hours at Weaving Lane. Officers will brief each group.",
        ("Denby Dale", "Holme Valley North", "Holme Valley South", "Kirkburton"),
        21,
        service="Waste and Recycling",
        significant=True,
    ),
    BriefingSpec(
        "Emergency closure of Batley Baths",
        "Batley Baths closed after a fault in the pool's filtration plant was found during a "
        "routine inspection; swimmers are offered sessions at Dewsbury Sports Centre.",
        ("Batley East", "Batley West"),
        -1,
    ),
)


def seed_briefings(uow: UnitOfWork, today: dt.date) -> int:
    """Post the demo's briefings not yet posted; the last one after its public date (late)."""
    new = 0
    for spec in BRIEFINGS:
        if uow.session.scalar(select(BriefingRow.id).where(BriefingRow.title == spec.title)):
            continue
        post_briefing(
            uow,
            wards=spec.wards,
            title=spec.title,
            body=spec.body,
            public_on=today + dt.timedelta(days=spec.public_in_days),
            service=spec.service,
            significant=spec.significant,
        )
        new += 1
    return new


@attrs.frozen
class StorySpec:
    ward: str
    service: str
    title: str
    body: str
    days_ago: int


STORIES = (
    StorySpec(
        "Almondbury",
        "Parks and Greenspaces",
        "Castle Hill's new accessible path opens",
        "A step-free path now runs from the car park to the tower, built after residents "
        "raised it with their ward councillors.",
        2,
    ),
    StorySpec(
        "Dewsbury West",
        "Streetscene",
        "Savile Town alleyways cleared in a week",
        "Ward councillors, residents and the Streetscene team cleared fourteen alleyways of "
        "rubbish and painted over graffiti in a week of action.",
        5,
    ),
    StorySpec(
        "Holme Valley South",
        "Highways",
        "Flood gullies cleared before the winter",
        "Every gully on the Holmfirth flood route was jetted and mapped, after a councillor's "
        "enquiry showed which ones kept blocking.",
        8,
    ),
    StorySpec(
        "Lindley",
        "Libraries",
        "Lindley library's homework club doubles",
        "Volunteers and library staff now run the club four afternoons a week; forty children "
        "come each week.",
        11,
    ),
    StorySpec(
        "Mirfield",
        "Community Safety",
        "Fewer nuisance motorbikes on the Calder towpath",
        "Joint patrols with West Yorkshire Police, asked for at the ward walkabout, have cut "
        "reports by two thirds.",
        14,
    ),
)


def seed_stories(uow: UnitOfWork, today: dt.date) -> int:
    """Add the demo's success stories, published this month (so this month's newsletter
    carries them), unless already there."""
    first = today.replace(day=1)
    new = 0
    for spec in STORIES:
        if uow.session.scalar(
            select(SuccessStoryRow.id).where(SuccessStoryRow.title == spec.title)
        ):
            continue
        uow.session.add(
            SuccessStoryRow(
                title=spec.title,
                body=spec.body,
                published_on=max(first, today - dt.timedelta(days=spec.days_ago)),
                ward_id=uow.people.ward_row(spec.ward).id,
                service_id=uow.people.service_row(spec.service).id,
            )
        )
        new += 1
    uow.session.flush()
    return new


def build_newsletter(uow: UnitOfWork, sections: Registry[Section], today: dt.date) -> int:
    """Build this month's issues for every ward unless the month has issues already; how
    many issues were built."""
    month = Month(today.year, today.month)
    built = uow.session.scalar(
        select(func.count())
        .select_from(NewsletterIssueRow)
        .where(NewsletterIssueRow.month == str(month))
    )
    if built:
        return 0
    from kdc_core.newsletter.build import build_month

    return len(build_month(uow, sections, month))
