"""The statements the built-in newsletter sections (:mod:`kdc_core.newsletter.sections`) run.

Built once, when the first section collects: a statement made per call costs more to compile
than the query takes to run. They live apart from the sections so that registering the
sections, which every command does, imports none of the tables they read.
"""

from __future__ import annotations

from sqlalchemy import BindParameter, and_, bindparam, func, or_, select

from kdc_core.db.events import EventRow, event_wards
from kdc_core.db.newsletters import BriefingRow, SuccessStoryRow, briefing_wards
from kdc_core.db.people import (
    DirectorateRow,
    OfficerRow,
    OfficerWardRow,
    ServiceRow,
    WardContactRow,
    WardRow,
)

WARD_IDS: BindParameter[list[int]] = bindparam("ward_ids", expanding=True)

# Each selects the ward id first and orders by it, then as the issue lists the entries.
EVENTS = (
    select(event_wards.c.ward_id, EventRow.kind, EventRow.title, EventRow.start, EventRow.location)
    .select_from(EventRow)
    .join(event_wards, event_wards.c.event_id == EventRow.id)
    .where(
        event_wards.c.ward_id.in_(WARD_IDS),
        EventRow.start >= bindparam("start"),
        EventRow.start < bindparam("end"),
        EventRow.status != "cancelled",
    )
    .order_by(event_wards.c.ward_id, EventRow.start, EventRow.title)
)
STAFF = (
    select(
        OfficerWardRow.ward_id,
        OfficerRow.given_name,
        OfficerRow.family_name,
        OfficerRow.job_title,
        ServiceRow.name,
        OfficerRow.archived_at,
    )
    .select_from(OfficerRow)
    .join(OfficerWardRow, OfficerWardRow.officer_id == OfficerRow.id)
    .outerjoin(ServiceRow, ServiceRow.id == OfficerRow.service_id)
    .where(
        OfficerWardRow.ward_id.in_(WARD_IDS),
        or_(
            and_(
                OfficerRow.created_at >= bindparam("start"),
                OfficerRow.created_at < bindparam("end"),
            ),
            and_(
                OfficerRow.archived_at >= bindparam("start"),
                OfficerRow.archived_at < bindparam("end"),
            ),
        ),
    )
    .order_by(OfficerWardRow.ward_id, OfficerRow.family_name, OfficerRow.given_name)
    .distinct()
)
CONTACTS = (
    select(
        WardContactRow.ward_id,
        ServiceRow.name,
        OfficerRow.given_name,
        OfficerRow.family_name,
        OfficerRow.email,
        OfficerRow.phone,
    )
    .select_from(WardContactRow)
    .join(ServiceRow, ServiceRow.id == WardContactRow.service_id)
    .join(OfficerRow, OfficerRow.id == WardContactRow.officer_id)
    .where(WardContactRow.ward_id.in_(WARD_IDS), OfficerRow.archived_at.is_(None))
    .order_by(WardContactRow.ward_id, ServiceRow.name)
)
LINK_OFFICER = (
    select(
        WardRow.id,
        OfficerRow.given_name,
        OfficerRow.family_name,
        OfficerRow.email,
        OfficerRow.phone,
    )
    .select_from(OfficerRow)
    .join(WardRow, WardRow.link_officer_id == OfficerRow.id)
    .where(WardRow.id.in_(WARD_IDS), OfficerRow.archived_at.is_(None))
)
BRIEFINGS = (
    select(
        briefing_wards.c.ward_id,
        BriefingRow.title,
        BriefingRow.body,
        BriefingRow.public_on,
        BriefingRow.topic,
    )
    .select_from(BriefingRow)
    .join(briefing_wards, briefing_wards.c.briefing_id == BriefingRow.id)
    .where(
        briefing_wards.c.ward_id.in_(WARD_IDS),
        BriefingRow.public_on >= bindparam("first"),
        BriefingRow.public_on < bindparam("after"),
    )
    .order_by(briefing_wards.c.ward_id, BriefingRow.public_on, BriefingRow.id)
)
STORIES = (
    select(
        SuccessStoryRow.ward_id,
        SuccessStoryRow.title,
        SuccessStoryRow.body,
        SuccessStoryRow.image_url,
        SuccessStoryRow.image_alt,
        ServiceRow.name,
    )
    .outerjoin(ServiceRow, ServiceRow.id == SuccessStoryRow.service_id)
    .where(
        or_(SuccessStoryRow.ward_id.in_(WARD_IDS), SuccessStoryRow.ward_id.is_(None)),
        SuccessStoryRow.published_on >= bindparam("first"),
        SuccessStoryRow.published_on < bindparam("after"),
    )
    .order_by(SuccessStoryRow.published_on, SuccessStoryRow.id)
)
WARD_FACING = (
    select(ServiceRow.id, ServiceRow.name, DirectorateRow.name)
    .outerjoin(DirectorateRow, DirectorateRow.id == ServiceRow.directorate_id)
    .where(ServiceRow.ward_facing.is_(True))
    .order_by(ServiceRow.name)
)
IN_WARD = (
    select(OfficerWardRow.ward_id, func.count(func.distinct(OfficerRow.id)))
    .select_from(OfficerRow)
    .join(OfficerWardRow, OfficerWardRow.officer_id == OfficerRow.id)
    .where(
        OfficerRow.service_id == bindparam("service_id"),
        OfficerWardRow.ward_id.in_(WARD_IDS),
        OfficerRow.archived_at.is_(None),
    )
    .group_by(OfficerWardRow.ward_id)
)
