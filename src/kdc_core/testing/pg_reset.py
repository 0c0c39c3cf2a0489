"""Putting a used PostgreSQL test database back as it was, instead of making a new one.

``CREATE DATABASE … TEMPLATE`` copies every relation of the template, the system catalogues
included: a few hundred milliseconds of server time for each test. A test changes a handful of
rows, so refilling just the tables it wrote to is far cheaper, provided that nothing else
changed. :func:`reset` checks that first — the database's
structure (tables, columns, types, indexes, constraints, triggers, functions, sequences) must
fingerprint the same as the template's — and gives up otherwise, so the caller drops the
database as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

#: One line per object of the public schema that a test could have changed.
_STRUCTURE = """
SELECT md5(string_agg(item, E'\\n' ORDER BY item)) FROM (
    SELECT 'rel ' || c.relname || ' ' || c.relkind::text AS item
      FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'col ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
           || ' ' || a.attnotnull::text || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'con ' || conname || ' ' || pg_get_constraintdef(oid)
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'trg ' || tgname || ' ' || tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL
    SELECT 'fn ' || oid::regprocedure::text FROM pg_proc
     WHERE pronamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'type ' || typname FROM pg_type WHERE typnamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'schema ' || nspname FROM pg_namespace
) AS structure
"""

_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"

_SEQUENCES = """
SELECT sequencename, coalesce(last_value, start_value), last_value IS NOT NULL
  FROM pg_sequences WHERE schemaname = 'public' ORDER BY sequencename
"""


@dataclass(frozen=True)
class Snapshot:
    """What a freshly copied template holds: its structure's fingerprint, the rows of the
    tables that are not empty with a digest of each such table, and where each sequence
    stands."""

    structure: str
    tables: tuple[str, ...]
    rows: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]]
    digests: dict[str, str]
    sequences: tuple[tuple[str, int, bool], ...]


def snapshot(conninfo: str) -> Snapshot:
    """Read the :class:`Snapshot` of the (unused) database at ``conninfo``."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        structure = conn.execute(_STRUCTURE).fetchone()
        tables = tuple(name for (name,) in conn.execute(_TABLES))
        rows: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]] = {}
        for table in _not_empty(conn, tables):
            cursor = conn.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(table)))
            columns = tuple(column.name for column in cursor.description or ())
            rows[table] = (columns, cursor.fetchall())
        digests = _digests(conn, tuple(rows))
        sequences = tuple(
            (name, int(value), bool(called)) for name, value, called in conn.execute(_SEQUENCES)
        )
    return Snapshot(str(structure[0] if structure else ""), tables, rows, digests, sequences)


def reset(conninfo: str, template: Snapshot) -> bool:
    """Put the database at ``conninfo`` back as the template was, in one transaction: every
    table whose rows differ from the template's is emptied and refilled with the template's,
    and every sequence set back. Nobody else may be connected.

    :returns: False, having changed nothing, when the database's structure is no longer the
        template's (a test migrated, altered or added something): drop it instead.
    """
    with psycopg.connect(conninfo) as conn:
        structure = conn.execute(_STRUCTURE).fetchone()
        if structure is None or structure[0] != template.structure:
            conn.rollback()
            return False
        # The template's tables whose rows are no longer exactly the template's, and every
        # other table that has a row now.
        changed = {
            table
            for table, digest in _digests(conn, tuple(template.rows)).items()
            if digest != template.digests[table]
        }
        others = tuple(table for table in template.tables if table not in template.rows)
        written = changed | set(_not_empty(conn, others))
        # These are emptied whole and refilled, so no reference is left dangling: the
        # foreign-key triggers are off for this transaction and the order does not matter.
        # DELETE, as TRUNCATE would cascade to (and rewrite) every table referring to these.
        conn.execute("SET LOCAL session_replication_role = replica")
        for name in sorted(written):
            conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(name)))
        # The planner's statistics go too, as a fresh copy has none: what autovacuum learnt
        # from one test's few rows (ten distinct ids, say) would have the planner scan a whole
        # table per row of the next test's fifty thousand.
        if written:
            conn.execute(
                "DELETE FROM pg_statistic WHERE starelid IN"
                " (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                " AND relname = ANY(%s))",
                (sorted(written),),
            )
        with conn.cursor() as cursor:
            for table in sorted(changed):
                columns, values = template.rows[table]
                cursor.executemany(
                    sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                        sql.Identifier(table),
                        sql.SQL(", ").join(map(sql.Identifier, columns)),
                        sql.SQL(", ").join(sql.Placeholder() * len(columns)),
                    ),
                    values,
                )
        if template.sequences:
            conn.execute(
                sql.SQL("SELECT {}").format(
                    sql.SQL(", ").join(
                        sql.SQL("setval({}::regclass, {}, {})").format(
                            sql.Literal(_quoted(name)), sql.Literal(value), sql.Literal(called)
                        )
                        for name, value, called in template.sequences
                    )
                )
            )
        conn.commit()
    return True


def _not_empty(conn: psycopg.Connection[Any], tables: tuple[str, ...]) -> list[str]:
    """The tables among ``tables`` with at least one row, in one query."""
    if not tables:
        return []
    probe = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {} FROM (SELECT 1 FROM {} LIMIT 1) AS t").format(
            sql.Literal(name), sql.Identifier(name)
        )
        for name in tables
    )
    return [name for (name,) in conn.execute(probe)]


def _digests(conn: psycopg.Connection[Any], tables: tuple[str, ...]) -> dict[str, str]:
    """An MD5 digest of each table's rows (as text, sorted), in one query."""
    if not tables:
        return {}
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL(
            "SELECT {}, (SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
            " FROM {} AS t)"
        ).format(sql.Literal(name), sql.Identifier(name))
        for name in tables
    )
    return {name: str(digest) for name, digest in conn.execute(query)}


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
