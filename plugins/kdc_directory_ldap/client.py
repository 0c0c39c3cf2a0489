"""ldap3 for the ldap directory source: a paged search in, ward references out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from kdc_core.directory.values import DirectoryRecord, SourceError, WardPush
from kdc_core.plugin_config import InvalidSetting, setting

DEFAULT_ATTRIBUTES: dict[str, str] = {
    "person_id": "employeeNumber",
    "given_name": "givenName",
    "family_name": "sn",
    "email": "mail",
    "phone": "telephoneNumber",
    "job_title": "title",
    "service": "ou",
    "directorate": "departmentNumber",
    "manager_id": "manager",
    "team": "physicalDeliveryOfficeName",
    "wards": "businessCategory",
    "location": "l",
    "updated_at": "modifyTimestamp",
}


@attrs.frozen
class LdapOptions:
    url: str
    base_dn: str
    bind_dn: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    filter: str = "(objectClass=inetOrgPerson)"
    page_size: int = 500
    attributes: Mapping[str, str] = attrs.field(factory=lambda: dict(DEFAULT_ATTRIBUTES))
    ward_attribute: str = "businessCategory"


def _non_empty(value: str) -> bool:
    return bool(value)


def _known_fields(mapping: Mapping[str, str]) -> None:
    bad = sorted(set(mapping) - set(DEFAULT_ATTRIBUTES))
    if bad:
        raise InvalidSetting(f"unknown field (fields: {', '.join(DEFAULT_ATTRIBUTES)})", bad[0])


@attrs.frozen
class LdapSection:
    """The ``[plugins.directory_ldap]`` section as written."""

    url: str = setting(expect="set", check=_non_empty)
    base_dn: str = setting(expect="set", check=_non_empty)
    bind_dn: str | None = None
    password_env: str | None = None
    filter: str = "(objectClass=inetOrgPerson)"
    page_size: int = setting(500, expect="a positive number", check=lambda v: v >= 1)
    ward_attribute: str | None = None
    attributes: Mapping[str, str] = setting(factory=dict, check=_known_fields)


def options_from_config(section: LdapSection, environ: Mapping[str, str]) -> LdapOptions:
    """The section plus the password from the environment."""
    password = None
    if section.password_env:
        name = section.password_env
        if name not in environ:
            raise SourceError(
                f"the ldap source needs a password in the environment variable {name}"
            )
        password = environ[name]
    attributes = {**DEFAULT_ATTRIBUTES, **section.attributes}
    return LdapOptions(
        url=section.url,
        base_dn=section.base_dn,
        bind_dn=section.bind_dn,
        password=password,
        filter=section.filter,
        page_size=section.page_size,
        attributes=attributes,
        ward_attribute=section.ward_attribute or attributes["wards"],
    )


def _connect(options: LdapOptions) -> Any:
    import ldap3
    from ldap3.core.exceptions import LDAPException

    try:
        server = ldap3.Server(options.url, connect_timeout=10)
        return ldap3.Connection(
            server, options.bind_dn, options.password, auto_bind=True, receive_timeout=30
        )
    except LDAPException as exc:
        raise SourceError(f"{options.url}: cannot bind: {exc}") from None


def _first(values: Any) -> Any:
    if isinstance(values, list):
        return values[0] if values else None
    return values


def read_entries(options: LdapOptions) -> list[DirectoryRecord]:
    """Every matching entry as a record; manager DNs become person ids."""
    from ldap3.core.exceptions import LDAPException

    attrs_map = options.attributes
    conn = _connect(options)
    try:
        entries = list(
            conn.extend.standard.paged_search(
                options.base_dn,
                options.filter,
                attributes=sorted(set(attrs_map.values())),
                paged_size=options.page_size,
                generator=True,
            )
        )
    except LDAPException as exc:
        raise SourceError(f"{options.url}: search of {options.base_dn} failed: {exc}") from None
    finally:
        conn.unbind()
    entries = [e for e in entries if e.get("type") == "searchResEntry"]
    person_of = {
        e["dn"].lower(): _first(e["attributes"].get(attrs_map["person_id"])) for e in entries
    }
    records, problems = [], []
    for e in entries:
        a = e["attributes"]

        def text(field: str, a: Any = a) -> str | None:
            value = _first(a.get(attrs_map[field]))
            return str(value).strip() or None if value is not None else None

        where = e["dn"]
        pid, given, family = text("person_id"), text("given_name"), text("family_name")
        missing = [
            n
            for n, v in (("person_id", pid), ("given_name", given), ("family_name", family))
            if not v
        ]
        if missing:
            problems.append(f"{where}: no {', '.join(missing)}")
            continue
        manager_dn = text("manager_id")
        manager = person_of.get(manager_dn.lower()) if manager_dn else None
        if manager_dn and manager is None:
            problems.append(f"{where}: manager {manager_dn} is not a person in {options.base_dn}")
            continue
        ids = a.get(attrs_map["person_id"])
        if isinstance(ids, list) and len(ids) > 1:
            problems.append(
                f"{where}: {attrs_map['person_id']} has {len(ids)} values; one is needed"
            )
            continue
        stamp = _first(a.get(attrs_map["updated_at"]))
        if isinstance(stamp, str):
            try:
                stamp = dt.datetime.strptime(stamp, "%Y%m%d%H%M%SZ").replace(tzinfo=dt.UTC)
            except ValueError:
                problems.append(
                    f"{where}: {attrs_map['updated_at']} {stamp[:40]!r} is not a "
                    "GeneralizedTime like 20260101120000Z"
                )
                continue
        wards = a.get(attrs_map["wards"]) or []
        records.append(
            DirectoryRecord(
                person_id=pid or "",
                given_name=given or "",
                family_name=family or "",
                email=text("email"),
                phone=text("phone"),
                job_title=text("job_title"),
                service=text("service"),
                directorate=text("directorate"),
                manager_id=manager,
                team=text("team"),
                wards=tuple(
                    sorted(str(w) for w in (wards if isinstance(wards, list) else [wards]))
                ),
                location=text("location"),
                updated_at=stamp if isinstance(stamp, dt.datetime) else None,
                origin=where,
            )
        )
    if problems:
        raise SourceError(
            f"{options.url}: {len(problems)} bad entr(y/ies); nothing was changed:", problems
        )
    return records


def write_wards(options: LdapOptions, pushes: Sequence[WardPush]) -> int:
    """Replace ``ward_attribute`` on each officer's entry with the wards kdc holds."""
    import ldap3
    from ldap3.utils.conv import escape_filter_chars

    conn = _connect(options)
    written = 0
    try:
        for push in pushes:
            conn.search(
                options.base_dn,
                f"(&{options.filter}({options.attributes['person_id']}="
                f"{escape_filter_chars(push.person_id)}))",
                attributes=[],
            )
            if len(conn.entries) != 1:
                raise SourceError(f"{options.url}: no single entry for person {push.person_id}")
            dn = conn.entries[0].entry_dn
            if not conn.modify(
                dn, {options.ward_attribute: [(ldap3.MODIFY_REPLACE, list(push.wards))]}
            ):
                raise SourceError(
                    f"{options.url}: cannot write wards to {dn}: {conn.result['description']}"
                )
            written += 1
    finally:
        conn.unbind()
    return written
