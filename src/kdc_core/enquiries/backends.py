"""Casework backends: where enquiries are kept. Chosen by ``[plugins.enquiries] backend``.

Plugins add backends through ``kdc_register_casework_backends(register)``; the core registers
``sql`` (this database, the default) and ``rest`` (an external casework system speaking the
JSON API in docs/enquiries-api.md).

With ``sql`` every change queues the messages it promises in its own transaction (see
:mod:`kdc_core.enquiries.messages`). With ``rest`` the external system keeps the enquiries and
owns the messages about them: kdc queues none, and says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from kdc_core.enquiries.categories import CategoryConfig, problems
from kdc_core.errors import ConfigError
from kdc_core.plugin_config import InvalidSetting, setting

if TYPE_CHECKING:
    from kdc_core.app import Kdc
    from kdc_core.enquiries.values import Enquiry, NewEnquiry, Note

DEFAULT_BACKEND = "sql"


def _http_address(url: str) -> bool:
    return url.startswith(("http://", "https://"))


def _categories_fit(configured: tuple[CategoryConfig, ...]) -> None:
    seen: set[str] = set()
    for i, c in enumerate(configured):
        found = problems(c.acknowledge_days, c.respond_days, c.retention_days, c.follow_up_days)
        if found:
            raise InvalidSetting(f"category {i + 1} ({c.name!r}): " + "; ".join(found))
        if c.name.strip().lower() in seen:
            raise InvalidSetting(f"category {i + 1} ({c.name!r}) is given twice")
        seen.add(c.name.strip().lower())


@attrs.frozen
class EnquiriesConfig:
    """The ``[plugins.enquiries]`` section: which casework backend keeps enquiries.

    :ivar backend: a registered backend's name (``sql``, this database, by default).
    :ivar url: the casework API's address (the ``rest`` backend).
    :ivar token: the API's bearer token; write it ``{"$env" = "NAME"}``.
    :ivar timeout: seconds to wait for the API.
    :ivar categories: ``[[plugins.enquiries.categories]]`` tables: enquiry categories that
        ``kdc init`` adds when missing (see :mod:`kdc_core.enquiries.categories`).
    """

    backend: str = DEFAULT_BACKEND
    url: str | None = setting(
        None, expect="the casework API's http(s) address", check=_http_address
    )
    token: str | None = attrs.field(default=None, repr=False)
    timeout: float = 10.0
    categories: tuple[CategoryConfig, ...] = setting((), check=_categories_fit)


class CaseworkBackend(Protocol):
    """What every backend does. Errors: NotFound (no such reference), EnquiryError (a rule).

    A change returns the enquiry with ``told`` saying which messages it queued (``None`` when
    the backend cannot tell).
    """

    def create(self, new: NewEnquiry, actor: str) -> Enquiry: ...

    def get(self, reference: str) -> Enquiry: ...

    def update_status(
        self, reference: str, status: str, actor: str, note: str | None = None
    ) -> Enquiry: ...

    def extend(
        self, reference: str, reason: str, actor: str, new_due: dt.date | None = None
    ) -> Enquiry: ...

    def assign(
        self, reference: str, officer: str, actor: str, reason: str | None = None
    ) -> Enquiry: ...

    def add_note(self, reference: str, body: str, actor: str) -> Note: ...

    def search(
        self,
        *,
        status: str | None = None,
        ward: str | None = None,
        service: str | None = None,
        text: str | None = None,
        limit: int = 100,
    ) -> list[Enquiry]: ...

    def overdue(self, today: dt.date) -> list[Enquiry]: ...


@attrs.frozen
class BackendType:
    """A named way to build a backend from the app and its ``[plugins.enquiries]`` section."""

    name: str
    factory: Callable[[Kdc, Mapping[str, Any]], CaseworkBackend]
    description: str = ""


class SqlBackend:
    """Enquiries in kdc's own database; each call is one transaction. The service (and the
    messages and letters it queues) is imported by the calls, not with this module, which
    every ``kdc`` command loads to register the backend."""

    def __init__(self, kdc: Kdc, source: str = "enquiries") -> None:
        self.kdc = kdc
        self.source = source

    def create(self, new: NewEnquiry, actor: str) -> Enquiry:
        from kdc_core.enquiries import service

        with self.kdc.unit_of_work(self.source) as uow:
            return service.create(uow, new, actor)

    def get(self, reference: str) -> Enquiry:
        from kdc_core.enquiries import service

        with self.kdc.unit_of_work(self.source, dry_run=True) as uow:
            return service.get(uow, reference)

    def update_status(
        self, reference: str, status: str, actor: str, note: str | None = None
    ) -> Enquiry:
        from kdc_core.enquiries import service

        with self.kdc.unit_of_work(self.source) as uow:
            return service.update_status(uow, reference, status, actor, note)

    def extend(
        self, reference: str, reason: str, actor: str, new_due: dt.date | None = None
    ) -> Enquiry:
        from kdc_core.enquiries import service

        with self.kdc.unit_of_work(self.source) as uow:
            return service.extend(uow, reference, reason, actor, new_due)

    def assign(
        self, reference: str, officer: str, actor: str, reason: str | None = None
    ) -> Enquiry:
        from kdc_core.enquiries import service

        with self.kdc.unit_of_work(self.source) as uow:
            return service.assign(uow, reference, officer, actor, reason)

    def add_note(self, reference: str, body: str, actor: str) -> Note:
        from kdc_core.enquiries import service

        with self.kdc.unit_of_work(self.source) as uow:
            return service.add_note(uow, reference, body, actor)

    def search(
        self,
        *,
        status: str | None = None,
        ward: str | None = None,
        service: str | None = None,
        text: str | None = None,
        limit: int = 100,
    ) -> list[Enquiry]:
        from kdc_core.enquiries import service as svc

        with self.kdc.unit_of_work(self.source, dry_run=True) as uow:
            return svc.search(
                uow, status=status, ward=ward, service=service, text=text, limit=limit
            )

    def overdue(self, today: dt.date) -> list[Enquiry]:
        from kdc_core.enquiries import service

        with self.kdc.unit_of_work(self.source, dry_run=True) as uow:
            return service.overdue(uow, today)


def kept_here(kdc: Kdc) -> bool:
    """Whether enquiries are kept in this database (the ``sql`` backend), so pages that
    read and change them here see the real cases."""
    section = kdc.settings.plugin_sections.get("enquiries", {})
    return section.get("backend", DEFAULT_BACKEND) == DEFAULT_BACKEND


def backend_for(kdc: Kdc) -> CaseworkBackend:
    """The backend ``[plugins.enquiries] backend`` names (``sql`` when unset)."""
    section = kdc.settings.plugin_config("enquiries")
    name = section.get("backend", DEFAULT_BACKEND)
    types = kdc.casework_backends
    if name not in types:
        raise ConfigError(
            f"{kdc.settings.source}: plugins.enquiries.backend is {name!r}; "
            f"known backends: {', '.join(types.names())}",
            key="plugins.enquiries.backend",
        )
    return types[name].factory(kdc, section)
