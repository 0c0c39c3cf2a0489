"""Which exceptions become one line (deployment mistakes) and which keep their traceback."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from kdc_core.failures import explain

PG = "postgresql+psycopg://kdc:s3cret@db.example.gov.uk:6432/kdc"


class FakePgError(Exception):
    """Stands in for psycopg's exceptions: only the module name and the text matter."""


FakePgError.__module__ = "psycopg"


def _pg(message: str, kind: type = OperationalError) -> Exception:
    return kind("SELECT 1", {}, FakePgError(message))


def test_an_optional_module_names_its_extra_and_any_other_import_keeps_its_traceback():
    ldap = ModuleNotFoundError("No module named 'ldap3'", name="ldap3")
    assert explain(ldap) == (
        "ldap3 is not installed; the LDAP directory source needs it: pip install 'kdc-core[ldap]'"
    )
    caldav = ModuleNotFoundError("x", name="caldav.davclient")
    assert explain(caldav) is not None and "kdc-core[caldav]" in (explain(caldav) or "")
    assert "postgresql+psycopg://" in (explain(ImportError("x", name="psycopg2")) or "")
    assert explain(ModuleNotFoundError("No module named 'kdc_typo'", name="kdc_typo")) is None


def test_postgresql_failures_name_the_server_and_never_the_password():
    lines = [
        explain(_pg('FATAL:  database "kdc" does not exist'), PG),
        explain(_pg('FATAL:  role "kdc" does not exist'), PG),
        explain(_pg('no pg_hba.conf entry for host "10.0.0.9", user "kdc"'), PG),
        explain(_pg("connection failed: timeout expired"), PG),
        explain(_pg('relation "wards" does not exist\nLINE 1: SELECT', ProgrammingError), PG),
    ]
    assert lines[0] == (
        "PostgreSQL at db.example.gov.uk:6432 has no database 'kdc': create it (createdb kdc) "
        "or correct the database URL (KDC_DATABASE_URL, or database_url in kdc.toml)"
    )
    assert lines[1] is not None and "has no user 'kdc'" in lines[1]
    assert lines[2] is not None and "pg_hba.conf" in lines[2]
    assert lines[3] is not None and lines[3].startswith(
        "cannot connect to PostgreSQL at db.example.gov.uk:6432 (timeout expired)"
    )
    assert lines[4] is not None and "run `kdc init`" in lines[4]
    assert all(line is not None and "s3cret" not in line for line in lines)


def test_a_query_that_is_wrong_is_a_bug_and_keeps_its_traceback():
    duplicate = _pg("duplicate key value violates unique constraint", IntegrityError)
    assert explain(duplicate, PG) is None
    assert explain(_pg('syntax error at or near "SELEC"', ProgrammingError), PG) is None
    bad = OperationalError("x", {}, sqlite3.OperationalError("near 'SELEC': syntax error"))
    assert explain(bad, "sqlite:////srv/kdc/kdc.sqlite3") is None
    assert explain(ValueError("not a database error")) is None


def test_sqlite_failures_name_the_file():
    locked = OperationalError("x", {}, sqlite3.OperationalError("database is locked"))
    line = explain(locked, "sqlite:////srv/kdc/kdc.sqlite3")
    assert line is not None
    assert line.startswith("the SQLite database /srv/kdc/kdc.sqlite3 is locked: ")
    assert "more than 30 s" in line
    cannot = OperationalError("x", {}, sqlite3.OperationalError("unable to open database file"))
    assert explain(cannot, "sqlite:////srv/kdc/kdc.sqlite3") == (
        "cannot open the SQLite database /srv/kdc/kdc.sqlite3: check that its folder exists "
        "and that this user may write to both"
    )
