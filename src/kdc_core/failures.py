"""The commonest deployment mistakes, told in one line a person can act on.

A command that meets one of these ends with that line and exit status 1 instead of a
traceback (``kdc`` prints the traceback too when ``KDC_LOG_LEVEL=DEBUG``):

- an optional dependency that is not installed: which extra to install
  (``pip install 'kdc-core[postgres]'``);
- a PostgreSQL server that cannot be reached or refuses the login: its host and port, and
  what to check;
- an SQLite file another process keeps locked for longer than the busy timeout, or that cannot
  be opened.

The lines name hosts, ports, files and user names from the database URL, never its password,
and never what the database said about the data.
"""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from kdc_core.db.engine import SQLITE_BUSY_SECONDS

#: Optional modules and the extra (``pip install 'kdc-core[EXTRA]'``) that brings each in.
EXTRAS = {
    "psycopg": ("postgres", "the PostgreSQL driver"),
    "psycopg_binary": ("postgres", "the PostgreSQL driver"),
    "ldap3": ("ldap", "the LDAP directory source"),
    "caldav": ("caldav", "CalDAV calendar push"),
}

#: Where the database URL comes from, for the lines below.
URL_SETTING = "the database URL (KDC_DATABASE_URL, or database_url in kdc.toml)"


def explain(exc: BaseException, database_url: str | None = None) -> str | None:
    """One line saying what went wrong and what to do, or ``None`` for an exception that is
    not one of the known deployment mistakes (a bug keeps its traceback).

    :param database_url: the configured database URL, to name the server or file.
    """
    if isinstance(exc, ImportError):
        return missing_extra(exc)
    if isinstance(exc, DBAPIError | PoolTimeout):
        return database_failure(exc, database_url)
    return None


def missing_extra(exc: ImportError) -> str | None:
    """``psycopg is not installed …: pip install 'kdc-core[postgres]'``, for an optional module
    kdc-core knows; ``None`` for any other import error."""
    top = (exc.name or "").partition(".")[0]
    if top == "psycopg2":
        return (
            "the database URL asks for psycopg2, which kdc-core does not use: write it as "
            "postgresql+psycopg://… and pip install 'kdc-core[postgres]'"
        )
    if top not in EXTRAS:
        return None
    extra, what = EXTRAS[top]
    return f"{top} is not installed; {what} needs it: pip install 'kdc-core[{extra}]'"


def _url(database_url: str | None) -> URL | None:
    if not database_url:
        return None
    try:
        return make_url(database_url)
    except ArgumentError:
        return None


def _server(url: URL | None) -> str:
    if url is None or not url.host:
        return "the local server (Unix socket)"
    return f"{url.host}:{url.port or 5432}"


def database_failure(exc: BaseException, database_url: str | None) -> str | None:
    """The line for a database that is away, refuses the login or stays locked; ``None`` for
    other database errors (a wrong query is a bug, not a deployment mistake)."""
    url = _url(database_url)
    said = str(getattr(exc, "orig", None) or exc)
    lower = said.lower()
    backend = url.get_backend_name() if url is not None else ""
    if backend == "sqlite" or "sqlite" in type(getattr(exc, "orig", None)).__module__:
        return _sqlite_failure(lower, url)
    if backend == "postgresql" or "psycopg" in type(getattr(exc, "orig", None)).__module__:
        return _postgres_failure(lower, url, said)
    return None


def _sqlite_failure(lower: str, url: URL | None) -> str | None:
    path = (url.database if url is not None else None) or "the SQLite database"
    if "database is locked" in lower or "database table is locked" in lower:
        seconds = SQLITE_BUSY_SECONDS
        if url is not None and url.query.get("timeout"):
            seconds = url.query["timeout"]  # type: ignore[assignment]
        return (
            f"the SQLite database {path} is locked: another process kept it busy for more "
            f"than {seconds} s. Try again once it has finished (look for another kdc command, "
            "or a tool with the file open)"
        )
    if "no such table" in lower:
        return _no_schema(f"the SQLite database {path}")
    if "unable to open database file" in lower:
        return (
            f"cannot open the SQLite database {path}: check that its folder exists and that "
            "this user may write to both"
        )
    if "readonly database" in lower or "read-only" in lower:
        return f"the SQLite database {path} is read-only for this user: check its permissions"
    if "disk i/o error" in lower or "database or disk is full" in lower:
        return f"the SQLite database {path} cannot be written: check the disk it is on"
    return None


def _postgres_failure(lower: str, url: URL | None, said: str) -> str | None:
    server = _server(url)
    user = (url.username if url is not None else None) or "(none given)"
    database = (url.database if url is not None else None) or "(none given)"
    if "password authentication failed" in lower or "authentication failed" in lower:
        return (
            f"PostgreSQL at {server} refused the login for user {user!r} (wrong password): "
            f"check the user name and password in {URL_SETTING}"
        )
    if "no password supplied" in lower:
        return (
            f"PostgreSQL at {server} asks user {user!r} for a password and none was given: "
            f"add it to {URL_SETTING}"
        )
    if "no pg_hba.conf entry" in lower:
        return (
            f"PostgreSQL at {server} does not accept user {user!r} from this host: add a line "
            "for it to the server's pg_hba.conf"
        )
    if lower.startswith("relation ") and "does not exist" in lower.partition("\n")[0]:
        return _no_schema(f"the database {database!r} at {server}")
    if 'database "' in lower and "does not exist" in lower:
        return (
            f"PostgreSQL at {server} has no database {database!r}: create it "
            f"(createdb {database}) or correct {URL_SETTING}"
        )
    if 'role "' in lower and "does not exist" in lower:
        return f"PostgreSQL at {server} has no user {user!r}: create it, or correct {URL_SETTING}"
    unreachable = (
        "connection refused",
        "could not connect",
        "connection failed",
        "timeout expired",
        "timed out",
        "could not translate host name",
        "name or service not known",
        "no route to host",
        "server closed the connection",
        "terminating connection",
        "the database system is starting up",
        "the database system is shutting down",
    )
    if any(words in lower for words in unreachable):
        reason = _first_reason(said)
        return (
            f"cannot connect to PostgreSQL at {server}{f' ({reason})' if reason else ''}: check "
            f"that the server is running and accepts connections there, and the host and port "
            f"in {URL_SETTING}"
        )
    return None


def _no_schema(where: str) -> str:
    return (
        f"{where} has no kdc-core tables, or not all of them: run `kdc init` to create or "
        "upgrade the schema"
    )


def _first_reason(said: str) -> str:
    """The reason psycopg gives, without the SQL or the connection string: "Connection
    refused", "timeout expired" …"""
    for known in (
        "Connection refused",
        "timeout expired",
        "could not translate host name",
        "No route to host",
        "the database system is starting up",
        "the database system is shutting down",
    ):
        if known.lower() in said.lower():
            return known[0].lower() + known[1:]
    return ""
