"""The commonest deployment mistakes end in one line naming what to do and exit 1, never a
traceback; the web app answers 503 with a plain page while the database is away and carries on
by itself once it is back."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from kdc_admin import create_app
from kdc_core.app import Kdc
from kdc_core.cli import build_cli
from kdc_core.config import Settings
from kdc_core.db.migrate import upgrade
from kdc_core.failures import URL_SETTING
from kdc_core.plugins import make_plugin_manager
from kdc_core.testing.postgres import ThrowawayCluster, find_bindir, free_port

#: Runs the ``kdc`` entry point with the modules named in argv[1] (comma-separated) made
#: impossible to import, as when an extra was not installed.
ENTRY = (
    "import sys\n"
    "for name in filter(None, sys.argv[1].split(',')):\n"
    "    sys.modules[name] = None\n"
    "from kdc_core.cli import main\n"
    "main(sys.argv[2:])\n"
)


def kdc(
    tmp_path: Path,
    database_url: str,
    *args: str,
    without: Sequence[str] = (),
    config: str = "",
    **environ: str,
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KDC_") or k == "KDC_PG_BINDIR"}
    env.update(KDC_DATABASE_URL=database_url, KDC_INSTANCE_PATH=str(tmp_path / "instance"))
    env.update(environ)
    if config:
        path = tmp_path / "kdc.toml"
        path.write_text(config)
        env["KDC_CONFIG"] = str(path)
    return subprocess.run(
        [sys.executable, "-c", ENTRY, ",".join(without), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    """The one line a failed command printed, checked to be the only output."""
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("Error: ")
    return line


def test_a_postgresql_url_without_psycopg_names_the_extra(tmp_path):
    url = f"postgresql+psycopg://kdc@127.0.0.1:{free_port()}/kdc"
    line = one_line(kdc(tmp_path, url, "init", without=["psycopg"]))
    assert line == (
        "Error: psycopg is not installed; the PostgreSQL driver needs it: "
        "pip install 'kdc-core[postgres]'"
    )


def test_the_ldap_source_without_ldap3_names_the_extra(tmp_path):
    url = f"sqlite:///{tmp_path / 'kdc.sqlite3'}"
    settings = Settings(database_url=url, instance_path=tmp_path / "instance", environ={})
    upgrade(Kdc(settings, make_plugin_manager(settings)).engine)
    config = (
        "[plugins.directory_ldap]\n"
        'url = "ldap://127.0.0.1:1"\n'
        'bind_dn = "cn=kdc,dc=example,dc=org"\n'
        'password_env = "KDC_LDAP_PASSWORD"\n'
        'base_dn = "ou=people,dc=example,dc=org"\n'
    )
    line = one_line(
        kdc(
            tmp_path,
            url,
            *("directory", "sync", "ldap"),
            without=["ldap3"],
            config=config,
            KDC_LDAP_PASSWORD="not-needed-yet",
        )
    )
    assert line == (
        "Error: ldap3 is not installed; the LDAP directory source needs it: "
        "pip install 'kdc-core[ldap]'"
    )


def test_a_postgresql_server_that_is_not_there_is_named_with_what_to_check(tmp_path):
    port = free_port()  # nothing listens on it
    line = one_line(kdc(tmp_path, f"postgresql+psycopg://kdc:secret@127.0.0.1:{port}/kdc", "init"))
    assert line == (
        f"Error: cannot connect to PostgreSQL at 127.0.0.1:{port} (connection refused): check "
        f"that the server is running and accepts connections there, and the host and port in "
        f"{URL_SETTING}"
    )


def test_a_locked_sqlite_file_is_named_instead_of_a_traceback(tmp_path):
    path = tmp_path / "kdc.sqlite3"
    settings = Settings(
        database_url=f"sqlite:///{path}", instance_path=tmp_path / "instance", environ={}
    )
    upgrade(Kdc(settings, make_plugin_manager(settings)).engine)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a long write
        line = one_line(kdc(tmp_path, f"sqlite:///{path}?timeout=0.5", "init"))
    finally:
        holder.close()
    assert line == (
        f"Error: the SQLite database {path} is locked: another process kept it busy for more "
        "than 0.5 s. Try again once it has finished (look for another kdc command, or a tool "
        "with the file open)"
    )


@pytest.fixture(scope="module")
def cluster() -> Iterator[ThrowawayCluster]:
    """A PostgreSQL cluster of this module's own, which its tests stop and start, with a user
    ``kdc_login`` who must give a password."""
    if find_bindir() is None:
        if os.environ.get("KDC_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL server binaries are needed (KDC_REQUIRE_POSTGRES is set)")
        pytest.skip("PostgreSQL server binaries are not installed")
    folder = Path(tempfile.mkdtemp(prefix="kdc-pg-"))
    running = ThrowawayCluster(folder)
    try:
        url = running.start()
        hba = folder / "data" / "pg_hba.conf"
        hba.write_text("host all kdc_login 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("CREATE ROLE kdc_login LOGIN PASSWORD 'the-right-one'"))
            conn.execute(text("SELECT pg_reload_conf()"))
        engine.dispose()
        yield running
    finally:
        running.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.postgres
def test_a_wrong_password_for_postgresql_is_one_line_naming_the_user(tmp_path, cluster):
    login = f"127.0.0.1:{cluster.port}/postgres"
    right = create_engine(f"postgresql+psycopg://kdc_login:the-right-one@{login}")
    with right.connect() as conn:  # the password really is checked, and this one is right
        assert conn.execute(text("SELECT current_user")).scalar() == "kdc_login"
    right.dispose()
    done = kdc(tmp_path, f"postgresql+psycopg://kdc_login:not-the-right-one@{login}", "init")
    line = one_line(done)
    assert line == (
        f"Error: PostgreSQL at 127.0.0.1:{cluster.port} refused the login for user 'kdc_login' "
        f"(wrong password): check the user name and password in {URL_SETTING}"
    )
    assert "not-the-right-one" not in done.stderr


@pytest.mark.postgres
def test_the_web_app_answers_503_while_the_database_is_away_and_recovers(tmp_path, cluster):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{cluster.port}/postgres"
    settings = Settings(database_url=url, instance_path=tmp_path / "instance", environ={})
    app_kdc = Kdc(settings, make_plugin_manager(settings))
    upgrade(app_kdc.engine)
    client = create_app(app_kdc, TESTING=True).test_client()
    stopped = False
    try:
        assert client.get("/councillors/").status_code == 200
        cluster.stop()
        stopped = True
        for page in ("/councillors/", "/people/"):
            away = client.get(page)
            assert away.status_code == 503, page
            assert away.mimetype == "text/html" and away.headers["Retry-After"] == "30"
            body = away.text
            assert '<h1 class="govuk-heading-l">Sorry, the service is unavailable</h1>' in body
            for detail in ("Traceback", "psycopg", "OperationalError", str(cluster.port), "SELECT"):
                assert detail not in body, (page, detail)
        cluster.start()
        stopped = False
        assert client.get("/councillors/").status_code == 200
    finally:
        app_kdc.dispose()
        if stopped:
            cluster.start()


def test_the_worker_carries_on_while_the_database_is_away(tmp_path, caplog):
    port = free_port()  # nothing listens on it
    url = f"postgresql+psycopg://kdc@127.0.0.1:{port}/kdc"
    settings = Settings(database_url=url, instance_path=tmp_path / "instance", environ={})
    away = Kdc(settings, make_plugin_manager(settings))
    with caplog.at_level(logging.WARNING, logger="kdc_core.jobs.cli"):
        result = CliRunner().invoke(
            build_cli(away), ["worker", "--max-loops", "2", "--interval", "1"], obj=away
        )
    assert result.exit_code == 0, result.output
    assert "Worker stopped." in result.output
    warnings = [r.getMessage() for r in caplog.records if r.name == "kdc_core.jobs.cli"]
    reason = (
        f"cannot connect to PostgreSQL at 127.0.0.1:{port} (connection refused): check that "
        f"the server is running and accepts connections there, and the host and port in "
        f"{URL_SETTING}"
    )
    assert warnings == [f"no jobs run: {reason}; looking again in 1 s"] * 2
