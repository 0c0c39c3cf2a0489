"""Success stories as the people's site lists them: published ones, newest first, by ward.

A story with no ward belongs to every ward (as in the newsletter). A story dated in the
future is not published yet and is not listed.
"""

from __future__ import annotations

import datetime as dt

import attrs
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from kdc_core.db.newsletters import SuccessStoryRow
from kdc_core.db.repositories.people import ward_value
from kdc_core.people.values import Ward
from kdc_core.unit_of_work import UnitOfWork

PAGE_SIZE = 20


@attrs.frozen
class SuccessStory:
    id: int
    title: str
    body: str
    published_on: dt.date
    ward: Ward | None
    service: str | None = None
    image_url: str | None = None
    image_alt: str | None = None


@attrs.frozen
class StoryPage:
    """One page of stories and how many there are in all."""

    stories: tuple[SuccessStory, ...]
    total: int
    page: int
    pages: int


def _value(row: SuccessStoryRow) -> SuccessStory:
    return SuccessStory(
        id=row.id,
        title=row.title,
        body=row.body,
        published_on=row.published_on,
        ward=ward_value(row.ward) if row.ward else None,
        service=row.service.name if row.service else None,
        image_url=row.image_url,
        image_alt=row.image_alt,
    )


def published_stories(
    uow: UnitOfWork,
    *,
    ward_id: int | None = None,
    today: dt.date | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> StoryPage:
    """Published stories, newest first, a page (from 1) at a time: all of them, or those of
    one ward (its own and the council-wide ones). ``today`` is the council's date."""
    today = today or dt.datetime.now(uow.settings.tz).date()
    where = [SuccessStoryRow.published_on <= today]
    if ward_id is not None:
        where.append(or_(SuccessStoryRow.ward_id == ward_id, SuccessStoryRow.ward_id.is_(None)))
    total = uow.session.scalar(select(func.count(SuccessStoryRow.id)).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = uow.session.scalars(
        select(SuccessStoryRow)
        .options(selectinload(SuccessStoryRow.ward), selectinload(SuccessStoryRow.service))
        .where(*where)
        .order_by(SuccessStoryRow.published_on.desc(), SuccessStoryRow.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return StoryPage(tuple(_value(r) for r in rows), total, page, pages)
