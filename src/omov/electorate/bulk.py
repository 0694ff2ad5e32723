"""Fast bulk writes for rolls of hundreds of thousands of people.

Building a model instance per row costs more than the insert itself at this size, so these helpers
write plain tuples: PostgreSQL's COPY through psycopg, ``executemany`` elsewhere. Call them only
from services, inside the service's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from django.db import connection, models

BATCH_SIZE = 5000
#: The fewest rows for which ``indexes_rebuilt_after`` is worth its DDL (a load of a few hundred
#: rows costs less than rebuilding the indexes and re-checking the foreign keys).
REBUILD_MINIMUM = BATCH_SIZE
#: SQLite's page cache for bulk work, in KiB. The cache is memory of the process; a full-size
#: demo build (654,006 people) ran as fast with 64 MiB as with 256 MiB, and peaked 200 MB lower.
SQLITE_BULK_CACHE_KIB = 64 * 1024


def chunked(items: Iterable[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    """Yield lists of at most ``size`` items."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _adapter(field: models.Field[Any, Any]) -> Any:
    """Return a function converting a Python value to what the database driver takes."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    return None


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    constants: dict[str, Any] | None = None,
) -> None:
    """Insert ``rows`` (tuples of values for ``fields``) into the model's table.

    ``constants`` gives values shared by every row (e.g. a timestamp), adapted once. Dates may be
    given as ISO 8601 strings; values of JSON fields must already be JSON text (``json.dumps``).
    """
    if not rows:
        return
    meta = model._meta
    constants = constants or {}
    names = [*fields, *constants]
    columns = [str(meta.get_field(name).column) for name in names]  # type: ignore[union-attr]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    column_list = ", ".join(quote(column) for column in columns)
    if connection.vendor == "postgresql":
        shared = tuple(constants.values())
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write(row + shared)
        return
    shared = tuple(
        adapt(value) if (adapt := _adapter(meta.get_field(name))) and value is not None else value  # type: ignore[arg-type]
        for name, value in constants.items()
    )
    adapters = [
        (position, adapt)
        for position, name in enumerate(fields)
        if (adapt := _adapter(meta.get_field(name)))  # type: ignore[arg-type]
    ]
    # A list, not a generator: Django's debug cursor takes len() of the parameters.
    prepared: Sequence[tuple[Any, ...]] = rows
    if adapters:
        prepared = [_adapted(row, adapters) + shared for row in rows]
    elif shared:
        prepared = [row + shared for row in rows]
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})", prepared)


def _adapted(row: tuple[Any, ...], adapters: list[tuple[int, Any]]) -> tuple[Any, ...]:
    """Return the row with its date and time values converted for the driver (strings stay)."""
    values = None
    for position, adapt in adapters:
        value = row[position]
        if value is not None and not isinstance(value, str):
            if values is None:
                values = list(row)
            values[position] = adapt(value)
    return row if values is None else tuple(values)


def prepare_for_bulk() -> None:
    """Give SQLite a larger page cache for this connection, so index pages stay in memory."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB}")


@contextmanager
def indexes_rebuilt_after(model: type[models.Model]) -> Iterator[None]:
    """Drop the table's secondary indexes for a first big load, then build them again after it.

    Maintaining eight indexes row by row costs several times the writing itself; building an index
    afterwards is one sort (decision 0011). The primary key and the unique constraints stay, so
    duplicates are still refused as they are written, and so do the foreign keys: dropping one
    would lock the table it refers to (the contests, the people) against every reader for the
    whole load. Call it inside the service's transaction: a failure rolls the dropped indexes back
    with everything else. Afterwards PostgreSQL's statistics are brought up to date, so the
    statements that follow are planned for the table's real size.
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
                " JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass"
                " AND NOT x.indisprimary AND NOT EXISTS"
                " (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
                " ORDER BY i.relname",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
                " AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%' ORDER BY name",
                [table],
            )
        indexes = cursor.fetchall()
        _check_pending(cursor)
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        _check_pending(cursor)
        for _name, definition in indexes:
            cursor.execute(definition)
    analyze(model)


def _check_pending(cursor: Any) -> None:
    """Run PostgreSQL's deferred foreign-key checks of the rows written so far, then defer again.

    PostgreSQL changes no index of a table with checks pending; Django's foreign keys are all
    ``DEFERRABLE INITIALLY DEFERRED``, so deferring them again restores the usual state.
    """
    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def analyze(model: type[models.Model]) -> None:
    """Refresh PostgreSQL's statistics of a table after a bulk write (SQLite: nothing to do)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
