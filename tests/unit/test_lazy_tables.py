"""The table modules are imported when a command needs them, and every table is known by the
time the ORM or Alembic needs them all."""

from __future__ import annotations

import json
from pathlib import Path

from fresh_python import run_python
from kdc_core import db
from kdc_core.db.base import Base

#: Table modules a directory sync has no use for (the enquiry, newsletter, outbox, protocol,
#: event and committee tables), and the PostgreSQL dialect, which one of them brings in.
NOT_FOR_A_SYNC = (
    "kdc_core.db.committees",
    "kdc_core.db.enquiries",
    "kdc_core.db.events",
    "kdc_core.db.feed_tokens",
    "kdc_core.db.newsletters",
    "kdc_core.db.outbox",
    "kdc_core.db.protocol",
    "kdc_core.db.users",
    "sqlalchemy.dialects.postgresql",
    # and the values of the features whose rules and settings are registered at start-up
    "kdc_core.calendar.concerns",
    "kdc_core.enquiries.values",
    "kdc_core.people.values",
)


def run(script: str, cwd: Path, **env: str) -> list[str]:
    """``script`` in a fresh interpreter; the table modules it imported, printed at the end."""
    code = script + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    done = run_python(code, cwd=cwd, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    modules: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return modules


def test_a_row_class_imports_its_own_table_module_only(tmp_path: Path):
    modules = run("from kdc_core.db import OfficerRow, SyncRunRow", tmp_path)
    tables = {m for m in modules if m in db.TABLE_MODULES}
    assert tables == {"kdc_core.db.people", "kdc_core.db.directory"}


def test_the_orm_knows_every_table_before_it_configures_a_mapper(tmp_path: Path):
    script = (
        "from kdc_core.db import OfficerRow\n"
        "officer = OfficerRow(person_id='P1', given_name='Ann', family_name='Lee')\n"
        "assert officer.wards == [] and officer.manager is None\n"
    )
    modules = run(script, tmp_path)
    assert set(db.TABLE_MODULES) <= set(modules)


def test_load_tables_gives_the_metadata_every_table_the_package_exports():
    db.load_tables()
    classes = [getattr(db, name) for name in db.__all__ if name.endswith("Row")]
    assert {c.__table__.name for c in classes} <= set(Base.metadata.tables)
    assert all(c.__module__ in db.TABLE_MODULES for c in classes)


def test_an_unknown_name_is_still_an_attribute_error():
    try:
        db.NoSuchRow  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchRow" in str(exc)
    else:  # pragma: no cover - the assertion below explains the failure
        raise AssertionError("kdc_core.db.NoSuchRow did not raise AttributeError")


def test_a_re_sync_that_changes_nothing_imports_no_table_it_does_not_use(tmp_path: Path):
    """Run as the command runs it: start-up and a re-sync of an unchanged file leave the
    enquiry, newsletter, protocol and other tables unimported (they cost start-up time).
    A sync that writes officers configures the ORM, which imports every table."""
    (tmp_path / "officers.csv").write_text(
        "person_id,given_name,family_name,email\nP1,Ann,Lee,ann.lee@example.gov.uk\n",
        encoding="utf-8",
    )
    env = {"KDC_DATABASE_URL": f"sqlite:///{tmp_path / 'kdc.sqlite3'}", "KDC_CONFIG": ""}
    sync = "main(['directory', 'sync', 'csv', 'officers.csv'])"
    for command in ("main(['init'])", sync):
        done = run_python(
            f"from kdc_core.cli import main\n{command}", cwd=tmp_path, env=env, timeout=120
        )
        assert done.returncode == 0, done.stderr
    script = (
        "from kdc_core.cli import main\n"
        "try:\n"
        f"    {sync}\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
    )
    modules = set(run(script, tmp_path, **env))
    assert {"kdc_core.db.people", "kdc_core.db.directory"} <= modules
    assert modules.isdisjoint(NOT_FOR_A_SYNC), sorted(modules.intersection(NOT_FOR_A_SYNC))
