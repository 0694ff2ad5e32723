"""Fast bulk writes for rolls of hundreds of thousands of people.

Building a model instance per row costs more than the insert itself at this size, so these helpers
write plain tuples: PostgreSQL's COPY through psycopg, ``executemany`` elsewhere. Call them only
from services, inside the service's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from django.db import connection, models

BATCH_SIZE = 5000


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
    model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert ``rows`` (tuples of values for ``fields``) into the model's table.

    Values of JSON fields must already be JSON text (``json.dumps``).
    """
    if not rows:
        return
    meta = model._meta
    columns = [meta.get_field(name).column for name in fields]  # type: ignore[union-attr]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    column_list = ", ".join(quote(column) for column in columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    adapters = [_adapter(meta.get_field(name)) for name in fields]  # type: ignore[arg-type]
    if any(adapters):
        rows = [
            tuple(
                adapt(value) if adapt is not None and value is not None else value
                for adapt, value in zip(adapters, row, strict=True)
            )
            for row in rows
        ]
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})", rows)
