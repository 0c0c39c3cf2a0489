"""Directory freshness reminders, through the outbox (People Finder's six-month nudge).

Each officer whose profile is stale (not updated for ``[directory] stale_months``) and who
has an email address gets a "please check your details" letter: what kdc holds about them
and how to put it right. Each manager of such officers gets one letter listing them. Keys
carry the month — ``directory-reminder:<person id>:<YYYY-MM>`` and
``directory-team:<manager person id>:<YYYY-MM>`` — so each goes at most once a month,
however often ``kdc directory report --remind`` or the ``directory_reminders`` job runs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

import attrs
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kdc_core.db.people import OfficerRow, OfficerWardRow
from kdc_core.directory.report import FreshnessReport, ProfileIssue
from kdc_core.mail import outbox
from kdc_core.mail.letters import Letter, Section, outgoing
from kdc_core.mail.outbox import Outgoing
from kdc_core.timewords import govuk_date

if TYPE_CHECKING:
    from kdc_core.app import Kdc
    from kdc_core.unit_of_work import UnitOfWork

OFFICER_KIND = "directory-reminder"
MANAGER_KIND = "directory-team"


@attrs.frozen
class RemindersQueued:
    """What a reminder run queued (or, in a dry run, would queue).

    :ivar channel: how they go (``"email via the outbox"``), for the report line.
    :ivar officers: names of officers queued a reminder now.
    :ivar managers: names of managers queued their team's list now.
    :ivar already: how many of those letters were queued earlier this month.
    :ivar no_email: stale officers with no email address (nobody to write to).
    """

    channel: str
    month: str
    officers: tuple[str, ...] = ()
    managers: tuple[str, ...] = ()
    already: int = 0
    no_email: tuple[str, ...] = ()
    dry_run: bool = False


def month_of(moment: dt.datetime, tz: dt.tzinfo) -> str:
    """``YYYY-MM`` of ``moment`` in the council's time zone."""
    return f"{moment.astimezone(tz):%Y-%m}"


def _holdings(uow: UnitOfWork, person_ids: list[str]) -> dict[str, OfficerRow]:
    rows = uow.session.scalars(
        select(OfficerRow)
        .options(
            selectinload(OfficerRow.service),
            selectinload(OfficerRow.wards).selectinload(OfficerWardRow.ward),
            selectinload(OfficerRow.manager),
        )
        .where(OfficerRow.person_id.in_(person_ids))
    )
    return {r.person_id: r for r in rows}


def officer_letter(issue: ProfileIssue, row: OfficerRow | None, tz: dt.tzinfo) -> Letter:
    """What kdc holds about the officer, and how to correct it."""
    updated = govuk_date(issue.checked_at, tz) if issue.checked_at else "never"
    facts: list[tuple[str, str]] = [("Name", issue.name)]
    if row is not None:
        facts += [
            ("Job title", row.job_title or "none held"),
            ("Service", row.service.name if row.service else "none held"),
            ("Email", row.email or "none held"),
            ("Phone", row.phone or "none held"),
            ("Manager", issue.manager_name or "none held"),
            ("Wards you cover", ", ".join(sorted({w.ward.name for w in row.wards})) or "none held"),
        ]
    facts.append(("Last updated or confirmed", updated))
    return Letter(
        subject="Please check your details in the staff directory",
        heading="Please check your details",
        greeting=f"Dear {issue.name},",
        paragraphs=(
            "Councillors use these details to reach the right officer for their ward. Your "
            f"entry has not been updated or confirmed since {updated}.",
            "If anything is wrong or missing, correct it in your People Finder profile (the "
            "staff directory); kdc copies it at the next directory sync. If everything is "
            'right, sign in to the council\'s site and choose "These details are right" '
            "on your record (or save your People Finder profile), so it counts as checked.",
        ),
        facts=tuple(facts),
        why="You receive this because your staff directory entry has not been updated "
        "for six months or more. You will get at most one reminder a month.",
    )


def manager_letter(manager: str, team: list[ProfileIssue], tz: dt.tzinfo) -> Letter:
    """The manager's list of their officers whose details need checking."""
    items = tuple(
        f"{i.name} ({i.service or 'no service'}): last updated or confirmed "
        f"{govuk_date(i.checked_at, tz) if i.checked_at else 'never'}"
        for i in team
    )
    return Letter(
        subject="Staff directory: your team's details need checking",
        heading="Your team's directory entries",
        greeting=f"Dear {manager},",
        paragraphs=(
            "These people in your team have not updated their staff directory entry for six "
            "months or more. Each has been sent a reminder; please make sure they check it.",
        ),
        sections=(Section("Not updated for six months or more", items),),
        why="You receive this because you manage the people listed. It comes at most once a month.",
    )


def reminder_messages(
    uow: UnitOfWork, report: FreshnessReport, month: str
) -> tuple[list[Outgoing], list[str], dict[str, tuple[str, str]]]:
    """The letters for ``report``'s stale officers and their managers, who has no email, and
    key → (kind, name)."""
    tz = uow.settings.tz
    council = uow.settings.council_name
    stale = list(report.stale)
    rows = _holdings(uow, [i.person_id for i in stale])
    messages: list[Outgoing] = []
    names: dict[str, tuple[str, str]] = {}
    no_email: list[str] = []
    teams: defaultdict[tuple[str, str], list[ProfileIssue]] = defaultdict(list)
    for issue in stale:
        row = rows.get(issue.person_id)
        if issue.manager_email and issue.manager_name and row is not None and row.manager:
            teams[(row.manager.person_id, issue.manager_name)].append(issue)
        if not issue.email:
            no_email.append(issue.name)
            continue
        key = f"{OFFICER_KIND}:{issue.person_id}:{month}"
        messages.append(
            outgoing(
                officer_letter(issue, row, tz),
                council=council,
                key=key,
                kind=OFFICER_KIND,
                to_address=issue.email,
                to_name=issue.name,
                officer_id=row.id if row is not None else None,
            )
        )
        names[key] = (OFFICER_KIND, issue.name)
    managers = _holdings(uow, [pid for pid, _ in teams])
    for (manager_id, manager_name), team in sorted(teams.items()):
        manager = managers.get(manager_id)
        if manager is None or not manager.email:
            continue
        key = f"{MANAGER_KIND}:{manager_id}:{month}"
        messages.append(
            outgoing(
                manager_letter(manager_name, team, tz),
                council=council,
                key=key,
                kind=MANAGER_KIND,
                to_address=manager.email,
                to_name=manager_name,
                officer_id=manager.id,
            )
        )
        names[key] = (MANAGER_KIND, manager_name)
    return messages, no_email, names


def queue_reminders(
    kdc: Kdc, report: FreshnessReport, *, month: str | None = None, dry_run: bool = False
) -> RemindersQueued:
    """Queue this month's reminders for ``report`` in one transaction (a dry run says what
    it would queue and writes nothing).

    :raises NoMailer: no mailer is configured (not checked for a dry run).
    """
    month = month or month_of(report.generated_at, kdc.settings.tz)
    if not dry_run:
        outbox.installed_mailer(kdc)
    with kdc.unit_of_work(source="directory reminders", dry_run=dry_run) as uow:
        messages, no_email, names = reminder_messages(uow, report, month)
        if dry_run:
            from kdc_core.newsletter.build import queued_keys

            already = queued_keys(uow, [m.key for m in messages])
            queued = [m.key for m in messages if m.key not in already]
            count_already = len(already)
        else:
            done = outbox.queue(uow, messages)
            queued, count_already = list(done.queued), len(done.already)
    return RemindersQueued(
        channel="email via the outbox",
        month=month,
        officers=tuple(names[k][1] for k in queued if names[k][0] == OFFICER_KIND),
        managers=tuple(names[k][1] for k in queued if names[k][0] == MANAGER_KIND),
        already=count_already,
        no_email=tuple(no_email),
        dry_run=dry_run,
    )
