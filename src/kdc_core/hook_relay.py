"""The hooks as the application calls them: :class:`KdcHooks` types ``kdc.hook`` for mypy.
The specs themselves, with what each hook is for, are in :mod:`kdc_core.hookspecs`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

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


class KdcHooks(Protocol):
    """What ``kdc.hook`` is, for type checkers: one method per spec in
    :mod:`kdc_core.hookspecs`, keyword-only.

    pluggy's ``HookRelay`` is untyped (every attribute is a ``HookCaller``); this describes
    it so mypy checks the arguments of ``kdc.hook.kdc_x(...)`` calls. A hook returns the list
    of its implementations' answers, a ``firstresult`` hook the first non-None answer.
    tests/unit/test_hookspecs.py checks that it lists exactly the specs in
    :mod:`kdc_core.hookspecs`.
    """

    def kdc_check_config(self, *, settings: Settings) -> list[None]: ...
    def kdc_startup(self, *, kdc: Kdc) -> list[None]: ...
    def kdc_register_commands(self, *, cli: click.Group) -> list[None]: ...
    def kdc_register_importers(self, *, register: Callable[[Importer], None]) -> list[None]: ...
    def kdc_register_exporters(self, *, register: Callable[[Exporter], None]) -> list[None]: ...
    def kdc_register_directory_sources(
        self, *, register: Callable[[DirectorySource], None]
    ) -> list[None]: ...
    def kdc_directory_reminders(
        self, *, report: FreshnessReport, kdc: Kdc, month: str, dry_run: bool
    ) -> list[RemindersQueued]: ...
    def kdc_register_protocol_rules(self, *, register: Callable[[Rule], None]) -> list[None]: ...
    def kdc_changes_committed(self, *, changes: ChangeSet, kdc: Kdc) -> list[None]: ...
    def kdc_blueprints(self, *, kdc: Kdc) -> list[Iterable[flask.Blueprint]]: ...
    def kdc_admin_views(self, *, kdc: Kdc) -> list[Iterable[flask_admin.BaseView]]: ...
    def kdc_authenticate(self, *, request: flask.Request, kdc: Kdc) -> str | None: ...
    def kdc_register_newsletter_sections(
        self, *, register: Callable[[Section], None]
    ) -> list[None]: ...
    def kdc_register_mailers(self, *, register: Callable[[Mailer], None]) -> list[None]: ...
    def kdc_register_casework_backends(
        self, *, register: Callable[[BackendType], None]
    ) -> list[None]: ...
    def kdc_enquiry_weekly_digest(
        self, *, digests: Sequence[EnquiryDigest], kdc: Kdc
    ) -> list[None]: ...
    def kdc_councillor_feed_events(
        self, *, councillor_id: int, start: dt.datetime, end: dt.datetime, kdc: Kdc
    ) -> list[Iterable[CalendarEvent]]: ...
    def kdc_register_jobs(self, *, register: Callable[[Job], None]) -> list[None]: ...
    def kdc_seed_demo_activity(self, *, kdc: Kdc) -> list[Iterable[str]]: ...
