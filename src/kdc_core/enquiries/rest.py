"""The REST casework backend: a client for the JSON API described in docs/enquiries-api.md.

Configure with ``[plugins.enquiries] backend = "rest"`` and ``url = "https://…/api/"``;
a bearer token may come from the environment: ``token = {"$env": "CASEWORK_TOKEN"}``.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

import attrs

from kdc_core.enquiries.service import EnquiryError
from kdc_core.enquiries.values import KEPT_ELSEWHERE, Constituent, Enquiry, NewEnquiry, Note
from kdc_core.errors import ConfigError, KdcError, NotFound


def new_to_json(new: NewEnquiry) -> dict[str, Any]:
    data = attrs.asdict(new)
    data["received_at"] = new.received_at.isoformat() if new.received_at else None
    return data


def new_from_json(data: Mapping[str, Any]) -> NewEnquiry:
    """A NewEnquiry from request JSON; raises EnquiryError naming a missing or bad field."""
    try:
        received = data.get("received_at")
        return NewEnquiry(
            councillors=tuple(data["councillors"]),
            ward=data["ward"],
            category=data["category"],
            service=data["service"],
            description=data["description"],
            received_at=dt.datetime.fromisoformat(received) if received else None,
            constituent=Constituent(**(data.get("constituent") or {})),
            advocacy=bool(data.get("advocacy", False)),
            joint_officers=tuple(data.get("joint_officers") or ()),
            legacy_reference=data.get("legacy_reference"),
            info_public=data.get("info_public"),
            info_not_barred=data.get("info_not_barred"),
            info_not_confidential=data.get("info_not_confidential"),
        )
    except KeyError as exc:
        raise EnquiryError(f"missing field {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        raise EnquiryError(f"bad enquiry: {exc}") from None


def note_to_json(note: Note) -> dict[str, Any]:
    return {"author": note.author, "body": note.body, "created_at": note.created_at.isoformat()}


class RestBackend:
    """Talks to an external casework system over HTTP with JSON bodies."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/") + "/"
        self.token = token
        self.timeout = timeout

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> RestBackend:
        from kdc_core.enquiries.backends import EnquiriesConfig
        from kdc_core.plugin_config import build

        config = build(EnquiriesConfig, section, "plugins.enquiries")
        if config.url is None:
            raise ConfigError(
                "plugins.enquiries.url: the rest backend needs the casework API's address",
                key="plugins.enquiries.url",
            )
        return cls(config.url, config.token, config.timeout)

    def _call(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        url = urllib.parse.urljoin(self.url, path)
        params = {k: v for k, v in query.items() if v is not None}
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            try:
                message = json.load(exc).get("error", exc.reason)
            except ValueError:
                message = exc.reason
            if exc.code == 404:
                raise NotFound(message) from None
            if exc.code in (400, 409, 422):
                raise EnquiryError(message) from None
            raise KdcError(f"casework API {method} {url}: HTTP {exc.code} {message}") from None
        except urllib.error.URLError as exc:
            raise KdcError(f"casework API at {self.url} cannot be reached: {exc.reason}") from None

    @staticmethod
    def _ref(reference: str) -> str:
        return "enquiries/" + urllib.parse.quote(reference.strip(), safe="")

    @staticmethod
    def _changed(data: Any) -> Enquiry:
        """A changed enquiry: the external system owns the messages about it."""
        return attrs.evolve(Enquiry.from_json(data), told=KEPT_ELSEWHERE)

    def create(self, new: NewEnquiry, actor: str) -> Enquiry:
        body = {"enquiry": new_to_json(new), "actor": actor}
        return self._changed(self._call("POST", "enquiries", body))

    def get(self, reference: str) -> Enquiry:
        return Enquiry.from_json(self._call("GET", self._ref(reference)))

    def update_status(
        self, reference: str, status: str, actor: str, note: str | None = None
    ) -> Enquiry:
        body = {"status": str(status), "actor": actor, "note": note}
        return self._changed(self._call("POST", self._ref(reference) + "/status", body))

    def extend(
        self, reference: str, reason: str, actor: str, new_due: dt.date | None = None
    ) -> Enquiry:
        body = {"reason": reason, "actor": actor, "new_due": new_due and new_due.isoformat()}
        return self._changed(self._call("POST", self._ref(reference) + "/extensions", body))

    def assign(
        self, reference: str, officer: str, actor: str, reason: str | None = None
    ) -> Enquiry:
        raise EnquiryError(
            "enquiries are kept by the external casework system (plugins.enquiries.backend = "
            "rest): name the officer there; its API has no assign call"
        )

    def add_note(self, reference: str, body: str, actor: str) -> Note:
        data = self._call("POST", self._ref(reference) + "/notes", {"body": body, "actor": actor})
        return Note(data["author"], data["body"], dt.datetime.fromisoformat(data["created_at"]))

    def search(
        self,
        *,
        status: str | None = None,
        ward: str | None = None,
        service: str | None = None,
        text: str | None = None,
        limit: int = 100,
    ) -> list[Enquiry]:
        data = self._call(
            "GET", "enquiries", status=status, ward=ward, service=service, q=text, limit=limit
        )
        return [Enquiry.from_json(item) for item in data["enquiries"]]

    def overdue(self, today: dt.date) -> list[Enquiry]:
        data = self._call("GET", "enquiries/overdue", today=today.isoformat())
        return [Enquiry.from_json(item) for item in data["enquiries"]]
