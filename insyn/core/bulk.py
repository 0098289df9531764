"""`insert_objects`: Django's `bulk_create` without its per-value work, for bulk writers.

`QuerySet.bulk_create` compiles every value of every row through the SQL compiler (pre_save,
prepare_value, an SQL fragment per value). For tens of thousands of rows that is most of an
import's time (issue 13: 37,000 rows of an import of 1,000 follow-up pages took about 4 s of
CPU in the compiler alone). This writes the same rows with plain multi-row INSERTs: a value
goes to the database driver as it is when the field stores it unchanged (text, whole numbers,
booleans and keys), through the field's own `pre_save` and `get_db_prep_save` otherwise
(dates, times, `auto_now`, JSON, ...). Like `bulk_create` it sends no signals and leaves history
to the caller (a service writing public rows must record their history and call
`insyn.core.publication.bump_publication_version()`), and it sets each object's primary key
from `RETURNING`, the way `bulk_create` does on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain
from operator import attrgetter
from typing import Any

from django.db import connection, models
from django.db.models.fields import Field

# Fields whose Python value (str, int, bool or None) is what the database stores.
_PLAIN = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "EmailField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
        "URLField",
    }
)
_PLAIN_TYPES = frozenset({str, int, bool, type(None)})
MAX_PARAMS = 30_000  # per statement; below psycopg's limit and SQLite's default (32,766)


def _is_plain(field: Field) -> bool:
    """Whether the field stores its Python value unchanged when that is a str, int, bool or
    None (and has no pre_save of its own)."""
    return field.get_internal_type() in _PLAIN and type(field).pre_save is Field.pre_save


def _row_reader(
    plain: Sequence[Field], prepared: Sequence[Field]
) -> Callable[[models.Model], Sequence[Any]]:
    """How to read a row's values to store from an object, as bulk_create's compiler would:
    the plain fields' values as they are (an enum member such as a TextChoices value, or
    another subclass, through the field), then each prepared field's `pre_save` and
    `get_db_prep_save`."""
    get_plain = attrgetter(*(f.attname for f in plain)) if plain else (lambda obj: ())
    one_plain = len(plain) == 1

    def read_row(obj: models.Model) -> Sequence[Any]:
        values = get_plain(obj)
        row: list[Any] = [values] if one_plain else list(values)
        if not _PLAIN_TYPES.issuperset(map(type, row)):
            for index, value in enumerate(row):
                if type(value) not in _PLAIN_TYPES:
                    row[index] = plain[index].get_db_prep_save(value, connection)
        for field in prepared:
            row.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
        return row

    return read_row


def insert_objects(
    model: type[models.Model],
    objects: Sequence[models.Model],
    *,
    unique_fields: Sequence[str] = (),
    update_fields: Sequence[str] = (),
) -> None:
    """INSERT the unsaved objects in as few statements as the database allows; each object gets
    its primary key. With unique_fields and update_fields, a row whose unique fields are already
    taken updates those fields instead (`bulk_create(update_conflicts=True, ...)`)."""
    if not objects:
        return
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    local = [f for f in meta.local_concrete_fields if not f.primary_key]
    # The columns whose values go to the driver as they are first (one C-level read per row),
    # then those that go through their field; the order of the columns is the statement's own.
    plain = [f for f in local if _is_plain(f)]
    fields = plain + [f for f in local if not _is_plain(f)]
    relations = [f for f in meta.concrete_fields if f.is_relation]
    for obj in objects:
        if obj.pk is not None:
            raise ValueError("insert_objects writes new rows only")
        # A related object saved after it was assigned: its key, as bulk_create takes it.
        for field in relations:
            if getattr(obj, field.attname) is None:
                related = field.get_cached_value(obj, None)
                if related is not None:
                    setattr(obj, field.attname, related.pk)
    qn = connection.ops.quote_name
    read_row = _row_reader(plain, fields[len(plain) :])
    row = f"({', '.join(['%s'] * len(fields))})"
    conflict = ""
    if unique_fields:
        targets = ", ".join(qn(meta.get_field(name).column) for name in unique_fields)
        sets = ", ".join(
            f"{qn(c)} = EXCLUDED.{qn(c)}"
            for c in (meta.get_field(name).column for name in update_fields)
        )
        conflict = f" ON CONFLICT ({targets}) DO UPDATE SET {sets}"
    head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) VALUES "
    tail = f"{conflict} RETURNING {qn(pk.column)}"
    # An SQLite built with a lower SQLITE_MAX_VARIABLE_NUMBER (999 before 3.32) says so.
    limit = min(MAX_PARAMS, connection.features.max_query_params or MAX_PARAMS)
    size = max(1, limit // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(objects), size):
            batch = objects[start : start + size]
            params = list(chain.from_iterable(map(read_row, batch)))
            cursor.execute(head + ", ".join([row] * len(batch)) + tail, params)
            for obj, (value,) in zip(batch, cursor.fetchall(), strict=True):
                obj.pk = value
                obj._state.adding = False
                obj._state.db = connection.alias
