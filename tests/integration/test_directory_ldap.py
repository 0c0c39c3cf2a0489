"""The ldap directory source against a real OpenLDAP slapd started here on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import ldap3
import pytest
from sqlalchemy import select

from kdc_core.config import Settings
from kdc_core.db import OfficerRow, OfficerWardRow, WardRow
from kdc_core.testing.slapd import ThrowawaySlapd, available

BASE = "ou=people,dc=example,dc=gov,dc=uk"
PEOPLE = [
    # uid, person id, given, family, title, service, manager uid, wards
    ("ahmed", "L001", "Amir", "Ahmed", "Head of Streetscene", "Streetscene", None, []),
    ("brook", "L002", "Beth", "Brook", "Ward Officer", "Streetscene", "ahmed", ["Almondbury"]),
    (
        "crowe",
        "L003",
        "Cal",
        "Crowe",
        "Ward Officer",
        "Streetscene",
        "ahmed",
        ["Dalton", "Newsome"],
    ),
]


def ldif() -> str:
    parts = [
        "dn: dc=example,dc=gov,dc=uk\nobjectClass: dcObject\nobjectClass: organization\n"
        "o: Example Council\ndc: example\n",
        f"dn: {BASE}\nobjectClass: organizationalUnit\nou: people\n",
    ]
    for uid, pid, given, family, title, service, manager, wards in PEOPLE:
        lines = [
            f"dn: uid={uid},{BASE}",
            "objectClass: inetOrgPerson",
            f"uid: {uid}",
            f"cn: {given} {family}",
            f"givenName: {given}",
            f"sn: {family}",
            f"employeeNumber: {pid}",
            f"title: {title}",
            f"ou: {service}",
            "departmentNumber: Environment",
            f"mail: {uid}@example.gov.uk",
            "telephoneNumber: 01484 221000",
        ]
        if manager:
            lines.append(f"manager: uid={manager},{BASE}")
        lines += [f"businessCategory: {w}" for w in wards]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


@pytest.fixture(scope="module")
def slapd() -> Iterator[ThrowawaySlapd]:
    if not available():
        message = "OpenLDAP slapd is not installed (apt-get install slapd)"
        if os.environ.get("KDC_FAIL_ON_SKIP") or os.environ.get("KDC_REQUIRE_LDAP"):
            pytest.fail(message)
        pytest.skip(message)
    folder = Path(tempfile.mkdtemp(prefix="kdc-slapd-"))
    server = ThrowawaySlapd(folder, ldif())
    server.start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def kdc_settings(kdc_database_url, tmp_path, slapd) -> Settings:
    return Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path / "instance",
        environ={"TEST_LDAP_PASSWORD": slapd.root_password},
        plugin_sections={
            "directory_ldap": {
                "url": slapd.url,
                "bind_dn": slapd.root_dn,
                "password_env": "TEST_LDAP_PASSWORD",
                "base_dn": BASE,
                "page_size": 2,
            }
        },
    )


@pytest.fixture
def wards(kdc_app):
    with kdc_app.unit_of_work() as uow:
        for name in ("Almondbury", "Dalton", "Newsome", "Mirfield"):
            uow.session.add(WardRow(name=name, slug=name.lower()))


def test_ldap_source_syncs_people_managers_and_wards_with_a_paged_search(kdc_app, kdc_run, wards):
    result = kdc_run("directory", "sync", "ldap", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["added"] == 3
    with kdc_app.unit_of_work(dry_run=True) as uow:
        crowe = uow.session.scalars(select(OfficerRow).where(OfficerRow.person_id == "L003")).one()
        assert (crowe.given_name, crowe.job_title, crowe.service.name) == (
            "Cal",
            "Ward Officer",
            "Streetscene",
        )
        assert crowe.manager is not None and crowe.manager.person_id == "L001"
        assert sorted(w.ward.name for w in crowe.wards) == ["Dalton", "Newsome"]
        assert crowe.updated_at is not None
    again = kdc_run("directory", "sync", "ldap", "--json")
    assert json.loads(again.stdout)["changes"] == 0


def test_push_wards_writes_the_local_wards_to_the_ldap_entry(kdc_app, kdc_run, wards, slapd):
    assert kdc_run("directory", "sync", "ldap").exit_code == 0
    with kdc_app.unit_of_work() as uow:
        brook = uow.session.scalars(select(OfficerRow).where(OfficerRow.person_id == "L002")).one()
        mirfield = uow.session.scalars(select(WardRow).where(WardRow.name == "Mirfield")).one()
        uow.session.add(OfficerWardRow(officer_id=brook.id, ward_id=mirfield.id, source="local"))

    result = kdc_run("directory", "sync", "ldap", "--push-wards")
    assert result.exit_code == 0, result.output
    assert "Wrote wards back for 1 officers." in result.output
    conn = ldap3.Connection(slapd.url, slapd.root_dn, slapd.root_password, auto_bind=True)
    conn.search(f"uid=brook,{BASE}", "(objectClass=*)", attributes=["businessCategory"])
    assert sorted(conn.entries[0].businessCategory.values) == ["Almondbury", "Mirfield"]
    # Put the entry back as the LDIF had it, for the other tests sharing this server.
    conn.modify(f"uid=brook,{BASE}", {"businessCategory": [(ldap3.MODIFY_REPLACE, ["Almondbury"])]})
    conn.unbind()


def test_a_wrong_password_fails_naming_the_server_and_writes_nothing(kdc_app, kdc_run, slapd):
    kdc_app.settings.environ["TEST_LDAP_PASSWORD"] = "wrong"
    result = kdc_run("directory", "sync", "ldap")
    assert result.exit_code != 0 and f"{slapd.url}: cannot bind" in result.output
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert uow.session.scalars(select(OfficerRow)).first() is None


def test_a_manager_loop_between_entries_is_refused_naming_the_entries(
    kdc_app, kdc_run, wards, slapd
):
    conn = ldap3.Connection(slapd.url, slapd.root_dn, slapd.root_password, auto_bind=True)
    ahmed = f"uid=ahmed,{BASE}"
    try:
        assert conn.modify(ahmed, {"manager": [(ldap3.MODIFY_REPLACE, [f"uid=crowe,{BASE}"])]})
        result = kdc_run("directory", "sync", "ldap")
        assert result.exit_code == 1
        assert f"manager loop of 2: L001 → L003 → L001 ({ahmed}, uid=crowe," in result.output
    finally:
        # Put the entry back as the LDIF had it, for the other tests sharing this server.
        conn.modify(ahmed, {"manager": [(ldap3.MODIFY_DELETE, [])]})
        conn.unbind()
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert uow.session.scalars(select(OfficerRow)).first() is None


def test_an_entry_with_two_person_ids_is_refused_naming_the_entry(kdc_app, kdc_run, wards, slapd):
    """employeeNumber holds one value by its schema; a mapping to a many-valued one may not."""
    kdc_app.settings.plugin_sections["directory_ldap"]["attributes"] = {"person_id": "uid"}
    conn = ldap3.Connection(slapd.url, slapd.root_dn, slapd.root_password, auto_bind=True)
    brook = f"uid=brook,{BASE}"
    try:
        assert conn.modify(brook, {"uid": [(ldap3.MODIFY_ADD, ["beth"])]})
        result = kdc_run("directory", "sync", "ldap")
        assert result.exit_code == 1
        assert f"{brook}: uid has 2 values; one is needed" in result.output
    finally:
        conn.modify(brook, {"uid": [(ldap3.MODIFY_DELETE, ["beth"])]})
        conn.unbind()
