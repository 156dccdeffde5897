"""No table of Pathways' own keeps an index that another index on it already serves.

A btree index on (a, b) serves every lookup on a, including the foreign-key checks made
when a referenced row is deleted, so a single-column index on a beside it costs every
insert and update, and space, for nothing. A foreign key covered this way is declared with
``db_index=False`` and a comment naming the index that serves it.

Read from the database itself (``get_constraints``), on SQLite and on PostgreSQL alike.
Unique and partial indexes are never counted as redundant (they say or do something of
their own), and partial, expression and non-btree indexes, and those with an operator
class of their own (PostgreSQL's ``_like`` indexes for prefix searches), never count as
serving another.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Index

pytestmark = pytest.mark.django_db


def _own_tables() -> list[str]:
    """The tables of the models Pathways declares (not many-to-many tables made for it)."""
    tables = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("pathways."):
            continue
        for model in config.get_models():
            if model._meta.managed and not model._meta.proxy:
                tables.add(model._meta.db_table)
    return sorted(tables)


def _special(cursor: CursorWrapper, table: str) -> set[str]:
    """The names of the table's indexes that serve only some lookups: partial indexes,
    and (on PostgreSQL) those whose first column has an operator class of its own."""
    if connection.vendor == "postgresql":
        cursor.execute(
            """
            SELECT c.relname
            FROM pg_index i
            JOIN pg_class c ON c.oid = i.indexrelid
            JOIN pg_opclass o ON o.oid = i.indclass[0]
            WHERE i.indrelid = %s::regclass
              AND (i.indpred IS NOT NULL OR NOT o.opcdefault)
            """,
            [connection.ops.quote_name(table)],
        )
        return {name for (name,) in cursor.fetchall()}
    cursor.execute(f"PRAGMA index_list({connection.ops.quote_name(table)})")
    # seq, name, unique, origin, partial
    return {row[1] for row in cursor.fetchall() if row[4]}


def _is_index(info: dict[str, Any]) -> bool:
    """Whether a constraint of ``get_constraints`` is a plain btree index on columns (a
    unique or primary key constraint is one)."""
    if info["foreign_key"] or info["check"]:
        return False
    if info["index"] and info.get("type") != Index.suffix:
        return False
    columns = info["columns"]
    return (
        bool(columns)
        and None not in columns
        and (info["index"] or info["unique"] or info["primary_key"])
    )


def redundant_indexes() -> list[str]:
    """Each redundant index, named with the index that serves it."""
    found = []
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        for table in _own_tables():
            if table not in existing:  # a model whose migration is still to be written
                continue
            special = _special(cursor, table)
            indexes = {
                name: info
                for name, info in connection.introspection.get_constraints(cursor, table).items()
                if _is_index(info) and name not in special
            }
            for name, info in sorted(indexes.items()):
                if not info["index"] or info["unique"] or info["primary_key"]:
                    continue
                if len(info["columns"]) != 1:
                    continue
                column = info["columns"][0]
                serving = sorted(
                    other
                    for other, other_info in indexes.items()
                    if other != name
                    and other_info["columns"][0] == column
                    # Of two plain indexes on the column alone, the second is redundant.
                    and (
                        len(other_info["columns"]) > 1
                        or other_info["unique"]
                        or other_info["primary_key"]
                        or other < name
                    )
                )
                if serving:
                    found.append(
                        f"{table}: {name} ({column}) is served by {serving[0]} "
                        f"({', '.join(indexes[serving[0]]['columns'])})"
                    )
    return found


def test_no_index_is_served_by_another() -> None:
    found = redundant_indexes()
    assert not found, (
        "Redundant indexes (of a foreign key: declare it with db_index=False and a comment "
        "naming the index that serves it):\n" + "\n".join(found)
    )
