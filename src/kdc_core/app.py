"""The application object: settings, plugins and database access in one place."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from kdc_core.changes import ChangeSet
from kdc_core.config import Settings, load_settings
from kdc_core.db import tracking
from kdc_core.db.engine import make_engine, make_sessionmaker, read_only
from kdc_core.plugins import PluginManager, collect, make_plugin_manager
from kdc_core.protocol.rules import RuleRegistry
from kdc_core.registry import Registry
from kdc_core.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from kdc_core.directory.values import DirectorySource
    from kdc_core.enquiries.backends import BackendType
    from kdc_core.hook_relay import KdcHooks
    from kdc_core.interchange import Exporter, Importer
    from kdc_core.jobs.values import Job
    from kdc_core.mail.delivery import Mailer
    from kdc_core.newsletter.values import Section


class Kdc:
    """What a program embedding kdc-core holds on to.

    >>> kdc = Kdc.from_config()                       # doctest: +SKIP
    >>> with kdc.unit_of_work(source="script") as uow:  # doctest: +SKIP
    ...     summary = ward_summary(uow, "Almondbury")
    """

    def __init__(
        self,
        settings: Settings,
        plugin_manager: PluginManager | None = None,
        engine: Engine | None = None,
    ) -> None:
        self.settings = settings
        self.pm = plugin_manager if plugin_manager is not None else make_plugin_manager(settings)
        self._engine = engine
        self._sessionmaker: Any = None
        self._read_sessionmaker: Any = None
        # Every registry is filled here, once; a name claimed twice stops startup.
        pm = self.pm
        self.importers: Registry[Importer] = collect(
            pm, "kdc_register_importers", Registry("importer")
        )
        self.exporters: Registry[Exporter] = collect(
            pm, "kdc_register_exporters", Registry("exporter")
        )
        self.rules: RuleRegistry = collect(pm, "kdc_register_protocol_rules", RuleRegistry())
        self.sections: Registry[Section] = collect(
            pm, "kdc_register_newsletter_sections", Registry("newsletter section")
        )
        self.mailers: Registry[Mailer] = collect(pm, "kdc_register_mailers", Registry("mailer"))
        self.casework_backends: Registry[BackendType] = collect(
            pm, "kdc_register_casework_backends", Registry("casework backend")
        )
        self.directory_sources: Registry[DirectorySource] = collect(
            pm, "kdc_register_directory_sources", Registry("directory source")
        )
        self.jobs: Registry[Job] = collect(pm, "kdc_register_jobs", Registry("job"))
        self.hook.kdc_startup(kdc=self)

    @classmethod
    def from_config(
        cls,
        config_path: str | os.PathLike[str] | None = None,
        environ: Mapping[str, str] | None = None,
        extra_plugins: Iterable[tuple[str, Any]] = (),
    ) -> Kdc:
        settings = load_settings(config_path, environ)
        return cls(settings, make_plugin_manager(settings, extra_plugins))

    @property
    def hook(self) -> KdcHooks:
        """The plugins' hooks, typed: ``kdc.hook.kdc_startup(kdc=kdc)`` is checked by mypy."""
        return self.pm.hook  # a HookRelay, which KdcHooks describes

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.settings.database_url)
        return self._engine

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    @contextlib.contextmanager
    def unit_of_work(self, source: str = "code", dry_run: bool = False) -> Iterator[UnitOfWork]:
        """One transaction. Commits on success (rolls back when ``dry_run``), then tells
        plugins what changed through ``kdc_changes_committed``."""
        if self._sessionmaker is None:
            self._sessionmaker = make_sessionmaker(self.engine)
            tracking.track(self._sessionmaker)
            # Dry runs never commit: on SQLite they begin deferred, taking no write lock
            # unless they write, so reads nest inside other units of work and never queue
            # behind writers.
            self._read_sessionmaker = make_sessionmaker(read_only(self.engine))
            tracking.track(self._read_sessionmaker)
        session = (self._read_sessionmaker if dry_run else self._sessionmaker)()
        session.info["kdc_app"] = self
        uow = UnitOfWork(session, self.settings, source)
        try:
            yield uow
            if dry_run:
                uow.collect()
                session.rollback()
            else:
                self.commit(session)
        except BaseException:
            session.rollback()
            raise
        finally:
            tracking.discard(session)
            session.close()

    def commit(self, session: Session) -> ChangeSet:
        """Commit a change-tracked session, then tell plugins what it changed.

        The one place where "commit, then notify" lives: :meth:`unit_of_work` and the admin's
        sessions both commit through here, so ``kdc_changes_committed`` fires the same way
        whichever path made the change. Calls :meth:`Session.commit` directly, so a session
        class whose own ``commit()`` delegates here does not loop.

        :returns: the changes that were committed (empty when nothing tracked changed).
        """
        session.flush()
        changes = tracking.collected(session)
        Session.commit(session)
        tracking.discard(session)
        self.notify_committed(changes)
        return changes

    def notify_committed(self, changes: ChangeSet) -> None:
        """Hand committed changes to plugins through ``kdc_changes_committed`` (if any)."""
        if changes:
            self.hook.kdc_changes_committed(changes=changes, kdc=self)

    def upgrade_schema(self) -> None:
        from kdc_core.db.migrate import upgrade

        upgrade(self.engine)
