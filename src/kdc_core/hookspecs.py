"""Every hook a kdc plugin can implement.

Implement one with ``@kdc_core.hookimpl`` on a function of the same name in a module (or
class) registered under the ``kdc`` entry-point group. Hooks are called with keyword
arguments, so an implementation may accept fewer arguments than the spec lists. Values passed
in and out are frozen attrs values or plain data, never database rows or sessions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import datetime as dt

    import click
    import flask
    import flask_admin

    from kdc_core.app import Kdc
    from kdc_core.calendar.values import CalendarEvent
    from kdc_core.changes import ChangeSet
    from kdc_core.config import Settings
    from kdc_core.directory.reminders import RemindersQueued
    from kdc_core.directory.report import FreshnessReport
    from kdc_core.directory.values import DirectorySource
    from kdc_core.enquiries.backends import BackendType
    from kdc_core.enquiries.digest import EnquiryDigest
    from kdc_core.interchange import Exporter, Importer
    from kdc_core.jobs.values import Job
    from kdc_core.mail.delivery import Mailer
    from kdc_core.newsletter.values import Section
    from kdc_core.protocol.rules import Rule

hookspec = pluggy.HookspecMarker("kdc")


# ---------------------------------------------------------------------------------------------
# Startup and configuration
# ---------------------------------------------------------------------------------------------


@hookspec
def kdc_check_config(settings: Settings) -> None:
    """Check this plugin's config section at startup.

    Read your section with ``settings.plugin_config("<name>", into=YourAttrsClass)``, which
    checks unknown keys and types and raises :class:`kdc_core.errors.ConfigError` naming the
    key; raise one yourself (``key="plugins.<name>.<key>"``) for anything else that cannot
    be used. Startup stops with that message.

    :param settings: the settings read from ``kdc.toml`` and the environment.
    """


@hookspec
def kdc_startup(kdc: Kdc) -> None:
    """Called once, after every plugin is registered and configs are checked.

    :param kdc: the application object (settings, plugin manager, database access).
    """


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


@hookspec
def kdc_register_commands(cli: click.Group) -> None:
    """Add commands or command groups to the ``kdc`` command line.

    Commands reach the application object with ``click.get_current_context().obj`` or
    :func:`kdc_core.cli.pass_kdc`.

    :param cli: the top-level ``kdc`` click group.
    """


# ---------------------------------------------------------------------------------------------
# Imports and exports
# ---------------------------------------------------------------------------------------------


@hookspec
def kdc_register_importers(register: Callable[[Importer], None]) -> None:
    """Register importers, each of which becomes ``kdc import NAME SOURCE [--dry-run]``.

    The core reads the whole source with ``importer.load`` before it writes anything, then
    runs ``importer.apply`` in one transaction, so a bad record changes nothing.

    :param register: call it with a :class:`kdc_core.interchange.Importer`; a second
        importer with the same name is refused.
    """


@hookspec
def kdc_register_exporters(register: Callable[[Exporter], None]) -> None:
    """Register exporters, each of which becomes ``kdc export NAME [--out FILE]``.

    :param register: call it with a :class:`kdc_core.interchange.Exporter`; a second
        exporter with the same name is refused.
    """


# ---------------------------------------------------------------------------------------------
# Staff directory (People Finder)
# ---------------------------------------------------------------------------------------------


@hookspec
def kdc_register_directory_sources(register: Callable[[DirectorySource], None]) -> None:
    """Register staff-directory sources, each of which becomes ``kdc directory sync NAME``.

    A source's ``read(args, settings)`` yields frozen
    :class:`kdc_core.directory.values.DirectoryRecord` values and raises
    :class:`kdc_core.directory.values.SourceError` naming the line or record at fault. The
    core reads every record before it writes anything and applies the diff in one
    transaction, so a source that fails midway changes nothing. A source that can write
    ward references back sets ``push_wards`` (``kdc directory sync NAME --push-wards``).

    :param register: call it with a :class:`kdc_core.directory.values.DirectorySource`; a
        second source with the same name is refused.
    """


@hookspec
def kdc_directory_reminders(
    report: FreshnessReport, kdc: Kdc, month: str, dry_run: bool
) -> RemindersQueued | None:
    """Remind people whose staff-directory profile is stale to check it.

    Called by ``kdc directory report --remind`` and the monthly ``directory_reminders`` job.
    The core's own implementation (:mod:`kdc_core.directory.plugin`) queues an email in the
    outbox to each stale officer — what kdc holds about them and how to correct it — and to
    each of their managers with the team's list, keyed by ``month`` so each goes once a
    month. Implement it to remind over another channel too (Teams, a ticket …); key your
    own messages by ``month`` likewise. Write nothing when ``dry_run`` is set.

    :param report: a :class:`kdc_core.directory.report.FreshnessReport` (read-only).
    :param kdc: the application object.
    :param month: ``YYYY-MM`` in the council's time zone: the reminder period.
    :param dry_run: say what would be sent; queue or send nothing.
    :returns: a :class:`kdc_core.directory.reminders.RemindersQueued` saying what was
        queued (the command prints it), or ``None``.
    """


# ---------------------------------------------------------------------------------------------
# Member–officer protocol
# ---------------------------------------------------------------------------------------------


@hookspec
def kdc_register_protocol_rules(register: Callable[[Rule], None]) -> None:
    """Register rules that check real actions against the member–officer protocol.

    Register from the module that owns the data a rule reads (events, briefings, enquiries).
    A rule names the clause it enforces, a severity (info, warning or error) and a check
    ``check(uow, target)`` returning :class:`kdc_core.protocol.rules.Finding` values that say
    what is wrong and how to put it right. Rules run when their subjects are created or
    changed (error-level findings block unless overridden with a recorded reason) and over
    the whole database with ``kdc protocol check``.

    :param register: call it with a :class:`kdc_core.protocol.rules.Rule`; a second rule
        with the same id is refused.
    """


# ---------------------------------------------------------------------------------------------
# Change notifications
# ---------------------------------------------------------------------------------------------


@hookspec
def kdc_changes_committed(changes: ChangeSet, kdc: Kdc) -> None:
    """Called after a unit of work that changed tracked data commits.

    Tracked: wards, political groups, councillors, directorates, services, officers, ward
    contacts, events, enquiries (labelled by reference only, never constituent details),
    briefings, success stories, complaints and protocol versions (see docs/hooks.md for the
    entity names, and for the logs and records that are not reported).

    Fires the same way whether the change came from the admin, the CLI, an import or code.
    Not called for dry runs or rolled-back work. Exceptions propagate to the caller, but the
    data is already committed: do slow or fallible work elsewhere (a queue, a later run).

    :param changes: the changes in the order they were made (entity, action, id, label,
        changed fields, source).
    :param kdc: the application object.
    """


# ---------------------------------------------------------------------------------------------
# Web app
# ---------------------------------------------------------------------------------------------


@hookspec
def kdc_blueprints(kdc: Kdc) -> Iterable[flask.Blueprint]:
    """Flask blueprints to mount on the web app (feeds, one-click unsubscribe, …).

    :param kdc: the application object.
    :returns: an iterable of :class:`flask.Blueprint`; Flask refuses two with the same name.
    """


@hookspec
def kdc_admin_views(kdc: Kdc) -> Iterable[flask_admin.BaseView]:
    """Extra Flask-Admin views (sync status, rota planner, newsletter preview …).

    Derive them from ``kdc_admin.security.SecuredBaseView`` (or ``SecuredModelView``) so
    they need a login and the right role.

    :param kdc: the application object.
    :returns: an iterable of :class:`flask_admin.BaseView` instances.
    """


@hookspec(firstresult=True)
def kdc_authenticate(request: flask.Request, kdc: Kdc) -> str | None:
    """Say who is making a web request, for single sign-on in front of the web app.

    Called for requests whose session holds no logged-in user (before the login page is
    shown). Read whatever your sign-on puts on the request — a header set by a trusted
    reverse proxy, a token, a cookie — and return the person's email address. The address
    must belong to an active local account (``kdc users create``); that account's role
    applies. Return ``None`` to fall back to the login form. Stops at first non-None result.

    Only trust headers that your proxy always sets or strips: a header a browser can send
    itself is not proof of anything.

    :param request: the :class:`flask.Request` being handled.
    :param kdc: the application object.
    :returns: the authenticated person's email address, or ``None``.
    """


# ---------------------------------------------------------------------------------------------
# Newsletters and mail
# ---------------------------------------------------------------------------------------------


@hookspec
def kdc_register_newsletter_sections(register: Callable[[Section], None]) -> None:
    """Register sections of the monthly ward newsletter.

    Each section is collected once per ward and month; a councillor gets it only when they
    receive its topic, and a section with no entries is left out.

    :param register: call it with a :class:`kdc_core.newsletter.values.Section`; a second
        section with the same name is refused.
    """


@hookspec
def kdc_register_mailers(register: Callable[[Mailer], None]) -> None:
    """Register ways to deliver mail (SMTP, GOV.UK Notify …) for newsletters and briefings.

    :param register: call it with a :class:`kdc_core.mail.delivery.Mailer`; a second
        mailer with the same name is refused.
    """


# ---------------------------------------------------------------------------------------------
# Enquiries (casework)
# ---------------------------------------------------------------------------------------------


@hookspec
def kdc_register_casework_backends(register: Callable[[BackendType], None]) -> None:
    """Register casework backends; ``[plugins.enquiries] backend = "NAME"`` picks one.

    A backend creates, reads, moves on, extends, notes, searches and lists overdue enquiries
    (see :class:`kdc_core.enquiries.backends.CaseworkBackend`). The core registers ``sql``
    (the default) and ``rest``.

    :param register: call it with a :class:`kdc_core.enquiries.backends.BackendType`; a
        second backend with the same name is refused.
    """


@hookspec
def kdc_enquiry_weekly_digest(digests: Sequence[EnquiryDigest], kdc: Kdc) -> None:
    """Send (or store) the weekly enquiry digests, one per councillor.

    The ``enquiry_digest`` job and ``kdc enquiries digest`` build them. Each digest is one
    councillor's week: their open enquiries, those due this week and those overdue, with
    references, due dates and named officers, and what changed the week before — no
    constituent details need be sent. The digests are read-only values. The core's own
    implementation queues one letter per councillor in the outbox.

    :param digests: :class:`kdc_core.enquiries.digest.EnquiryDigest` values, one per
        councillor with an open enquiry.
    :param kdc: the application object.
    """


@hookspec
def kdc_councillor_feed_events(
    councillor_id: int, start: dt.datetime, end: dt.datetime, kdc: Kdc
) -> Iterable[CalendarEvent]:
    """Extra entries for a councillor's private calendar feed (enquiry due dates …).

    The iCalendar feed calls it whenever it builds a councillor's private feed — the first
    request of the day, or after a committed change that reaches the feed (see
    :mod:`kdc_core.db.calendar_version`) — and adds every answer to the feed. Changes to
    enquiries are such changes; a plugin whose answers depend on other data must note its
    changes in the transaction that makes them, with
    ``kdc_core.db.calendar_version.note(session, [("enquiry", None)])``.
    Keep it to one quick query.

    :param councillor_id: the councillor whose feed is being served.
    :param start: the feed window's start (UTC).
    :param end: the feed window's end (UTC).
    :param kdc: the application object.
    :returns: :class:`kdc_core.calendar.values.CalendarEvent` values, each with a stable
        ``uid`` and a ``sequence``/``modified_at`` that change when the entry does.
    """


# ---------------------------------------------------------------------------------------------
# Scheduled jobs
# ---------------------------------------------------------------------------------------------


@hookspec
def kdc_register_jobs(register: Callable[[Job], None]) -> None:
    """Register work that runs on a schedule (``kdc jobs run-due``, ``kdc worker``).

    A job runs at most once at a time across every host sharing the database, and each run
    is recorded in the jobs log (start, end, outcome and the counts the job returns). Its
    schedule is a cron expression in the council's time zone: the job's default, or
    ``schedule`` in its ``[jobs.NAME]`` table (``"off"`` turns it off); the rest of that
    table is handed to the job as ``context.config``.

    :param register: call it with a :class:`kdc_core.jobs.values.Job`; a second job with
        the same name is refused.
    """


# ---------------------------------------------------------------------------------------------
# The demo council
# ---------------------------------------------------------------------------------------------


@hookspec
def kdc_seed_demo_activity(kdc: Kdc) -> Iterable[str]:
    """Add the plugin's own demo data to the demo council, through the plugin's services.

    ``kdc demo`` and ``kdc seed-demo`` call it once the demo council and its activity
    (meetings, rota, enquiries, briefings, newsletter) are in the database, and before the
    scheduled jobs run once, so whatever the plugin queues in the outbox is dispatched with
    the rest. Use your own units of work (``kdc.unit_of_work(source="demo")``). It must be
    safe to call again: a second call finds what the first added and adds nothing.

    :param kdc: the application object (mail may be the demo's Maildir for this process).
    :returns: lines for a person saying what was added (none when nothing was); say
        "queued" for messages, never "sent".
    """
