"""The demo council at work: :func:`seed_living` adds, after :func:`~kdc_core.demo.seed_demo`,
what a council does — meetings, open days and the walkabout rota, enquiries in every state,
briefings, success stories, this month's newsletter, officers' leave, services' default
contacts and councillors' topic choices (:mod:`kdc_core.demo.choices`), complaints under
protocol 11.2 in each state (:mod:`kdc_core.demo.complaints`), drawn portraits for
the councillors with a photo address (:mod:`kdc_core.demo.photos`), the plugins' own demo data
(``kdc_seed_demo_activity``), and one round of the scheduled jobs, which sends the queued mail.

Every part goes through the real services and says "already there" by what it finds, so a
second run adds nothing, queues nothing and runs no job. Dates are relative to today: the
enquiries came in over the past weeks, the open days and briefings are ahead.

Mail: :func:`use_demo_mail` points the outbox at the ``maildir`` mailer for this process when
``[mail]`` is not configured, so every message ends up as a file in the instance folder's
``mail`` Maildir instead of nowhere.
"""

from __future__ import annotations

import datetime as dt
import mailbox
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from kdc_core.demo import casework, choices, complaints, events, news, photos
from kdc_core.mail import outbox

if TYPE_CHECKING:
    from kdc_core.app import Kdc

DEMO_SENDER = "councillor-support@kirklees.example"
DEMO_MAILER = "maildir"


def use_demo_mail(kdc: Kdc) -> Path | None:
    """Use the ``maildir`` mailer with the demo sender for this process, unless ``[mail]`` is
    configured; call before any unit of work. Returns the Maildir folder the demo's mail goes
    to, or None when mail goes where kdc.toml says (or nowhere: no maildir plugin)."""
    if kdc.settings.mail.configured or DEMO_MAILER not in kdc.mailers:
        return None
    kdc.settings = kdc.settings.evolve(
        mail=attrs.evolve(kdc.settings.mail, mailer=DEMO_MAILER, sender=DEMO_SENDER)
    )
    return maildir_folder(kdc)


def maildir_folder(kdc: Kdc) -> Path | None:
    """Where the ``maildir`` mailer writes, when it is the configured mailer."""
    if kdc.settings.mail.mailer != DEMO_MAILER:
        return None
    path = kdc.settings.plugin_config("maildir").get("path")
    return Path(path) if path else kdc.settings.instance_path / "mail"


def messages_in(folder: Path) -> int:
    """How many messages the Maildir ``folder`` holds (0 when it does not exist yet)."""
    if not (folder / "new").is_dir():
        return 0
    return len(mailbox.Maildir(folder, create=False))


def mail_line(kdc: Kdc) -> str:
    """Where the demo's mail went, with the real count, in one line."""
    folder = maildir_folder(kdc)
    if folder is not None:
        return f"Demo mail is written to {folder}: {messages_in(folder)} messages."
    if not kdc.settings.mail.configured:
        return "No mailer is configured ([mail] in kdc.toml): the demo queued no messages."
    with kdc.unit_of_work(source="demo", dry_run=True) as uow:
        counts = outbox.counts(uow)
    return (
        f"Demo mail goes through the {kdc.settings.mail.mailer} mailer set in kdc.toml: "
        f"{counts[outbox.SENT]} sent, {counts[outbox.PENDING]} waiting in the outbox."
    )


@attrs.frozen
class LivingReport:
    """What :func:`seed_living` added (counts by kind), what plugins said they added, and the
    jobs it ran (name and outcome)."""

    added: dict[str, int]
    plugins: tuple[str, ...] = ()
    jobs: tuple[tuple[str, str], ...] = ()

    @property
    def changed(self) -> bool:
        return any(self.added.values()) or bool(self.plugins)

    def lines(self) -> list[str]:
        """Lines for a person: what was added, or that it was all there already."""
        if not self.changed:
            return ["Demo activity already there: nothing added."]
        counts = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in self.added.items() if n)
        out = [f"Demo activity added: {counts}."] if counts else []
        out += list(self.plugins)
        if self.jobs:
            ran = ", ".join(f"{name} ({status})" for name, status in self.jobs)
            out.append(f"Jobs run once: {ran}.")
        return out


def seed_living(
    kdc: Kdc,
    *,
    today: dt.date | None = None,
    progress: Callable[[str], None] = lambda _line: None,
) -> LivingReport:
    """Add the demo council's activity (see the module docstring); the demo council must be
    loaded. Each part is its own unit of work, so a run that stops half way keeps what it did
    and the next run adds the rest.

    :param today: the council's date the activity is arranged around (default: today).
    :param progress: called with a line before each part, for long-running callers.
    """
    if today is None:
        now = dt.datetime.now(dt.UTC)
        today = now.astimezone(kdc.settings.tz).date()
    else:
        now = dt.datetime.combine(today, dt.time(12), kdc.settings.tz)
    added: dict[str, int] = {}

    progress(f"Meetings, open days and the {today.year} walkabout rota…")
    with kdc.unit_of_work(source="demo") as uow:
        added["council_meetings"] = events.seed_meetings(uow, today.year)
        added["open_days"] = events.seed_open_days(uow, today)
    with kdc.unit_of_work(source="demo") as uow:
        added["walkabouts"] = events.seed_rota(uow, today.year)

    progress("Enquiries…")
    with kdc.unit_of_work(source="demo") as uow:
        added["enquiry_categories"] = casework.seed_categories(uow)
    added["enquiries"] = 0
    for case in casework.CASES:
        with kdc.unit_of_work(source="demo") as uow:
            added["enquiries"] += casework.open_case(uow, case, now)

    progress("Briefings, success stories and this month's newsletter…")
    with kdc.unit_of_work(source="demo") as uow:
        added["briefings"] = news.seed_briefings(uow, today)
        added["success_stories"] = news.seed_stories(uow, today)
    with kdc.unit_of_work(source="demo") as uow:
        added["newsletter_issues"] = news.build_newsletter(uow, kdc.sections, today)
    if kdc.settings.mail.configured:
        added["briefing_messages"] = _send_briefings(kdc, today)

    progress("Officers' leave, default contacts, topic choices and complaints…")
    with kdc.unit_of_work(source="demo") as uow:
        added["officer_unavailability"] = choices.seed_unavailability(uow, today)
        added["service_default_contacts"] = choices.seed_service_contacts(uow)
        added["topic_choices"] = choices.seed_topic_choices(uow)
    with kdc.unit_of_work(source="demo") as uow:
        added["complaints"] = complaints.seed_complaints(uow, today)

    progress("Councillors' photos…")
    added["councillor_photos"] = photos.seed_photos(kdc)

    plugins = tuple(line for lines in kdc.hook.kdc_seed_demo_activity(kdc=kdc) for line in lines)
    report = LivingReport(added, plugins)
    if report.changed or _pending(kdc):
        progress("Running the scheduled jobs once…")
        report = attrs.evolve(report, jobs=_run_jobs(kdc))
    return report


def _send_briefings(kdc: Kdc, today: dt.date) -> int:
    """Queue every briefing not yet queued to its ward councillors (and group leaders)."""
    from kdc_core.briefings.sending import send_briefing, unsent_briefings

    with kdc.unit_of_work(source="demo", dry_run=True) as uow:
        ids = unsent_briefings(uow)
    return sum(len(send_briefing(kdc, i, today=today).queued) for i in ids)


def _pending(kdc: Kdc) -> int:
    with kdc.unit_of_work(source="demo", dry_run=True) as uow:
        return outbox.counts(uow)[outbox.PENDING]


def _run_jobs(kdc: Kdc) -> tuple[tuple[str, str], ...]:
    """Every due job once; then the outbox once more for what the later jobs queued."""
    from kdc_core.jobs import runner

    ran = [(o.job, o.status) for o in runner.run_due(kdc) if o.status != "not-due"]
    if kdc.settings.mail.configured and _pending(kdc):
        outcome = runner.run(kdc, "outbox_dispatch", trigger="demo")
        ran.append((outcome.job, outcome.status))
    return tuple(ran)


__all__ = [
    "DEMO_SENDER",
    "LivingReport",
    "mail_line",
    "maildir_folder",
    "messages_in",
    "seed_living",
    "use_demo_mail",
]
