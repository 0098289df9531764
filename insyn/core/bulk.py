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

from django.db import DEFAULT_DB_ALIAS, connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.base import ModelState
from django.db.models.fields import NOT_PROVIDED, Field
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.signals import post_init, pre_init

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
    plain: Sequence[Field], prepared: Sequence[Field], connection: BaseDatabaseWrapper
) -> Callable[[models.Model], Sequence[Any]]:
    """How to read a row's values to store from an object, as bulk_create's compiler would:
    the plain fields' values as they are (an enum member such as a TextChoices value, or
    another subclass, through the field), then each prepared field's `pre_save` and
    `get_db_prep_save`. `connection` is the connection itself, not `django.db.connection`
    (whose every attribute is looked up through a thread-local: 90,000 times for the rows of
    an import of 1,000 pages)."""
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


_ROW_READERS: dict[
    tuple[type[models.Model], BaseDatabaseWrapper],
    tuple[list[Field], Callable[[models.Model], Sequence[Any]]],
] = {}


def row_reader(
    model: type[models.Model], connection: BaseDatabaseWrapper
) -> tuple[list[Field], Callable[[models.Model], Sequence[Any]]]:
    """The fields of a new row of `model` (every local concrete field but the primary key, in
    the order `insert_objects` writes them) and how to read their values to store from an
    object for `connection` (the connection itself: `connections[alias]`, one per thread): for
    a writer of a few rows whose statement is its own (the Open311 intake, one row per table),
    kept per model and connection."""
    kept = _ROW_READERS.get((model, connection))
    if kept is None:
        local = [f for f in model._meta.local_concrete_fields if not f.primary_key]
        plain = [f for f in local if _is_plain(f)]
        prepared = [f for f in local if not _is_plain(f)]
        kept = (plain + prepared, _row_reader(plain, prepared, connection))
        _ROW_READERS[(model, connection)] = kept
    return kept


class _Blueprint:
    """What `Model.__init__` gives every new object of a model that is not told otherwise."""

    def __init__(self, model: type[models.Model]) -> None:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if f.column is not None and not f.generated]
        # A default that is made for each object (a callable, a database default) or a field
        # whose class attribute does something when set: through the field as __init__ does.
        # A foreign key's column (`goal_id`) is such an attribute only to forget the related
        # object cached on an object that has one: a new object has none, so it is plain.
        self.per_object = [
            f
            for f in fields
            if (f.has_default() and callable(f.default))
            or f.db_default is not NOT_PROVIDED
            or (
                hasattr(getattr(model, f.attname, None), "__set__")
                and type(getattr(model, f.attname)) is not ForeignKeyDeferredAttribute
            )
        ]
        self.constant = {f.attname: f.get_default() for f in fields if f not in self.per_object}
        self.plain_names = {f.attname for f in fields if f not in self.per_object}
        self.plain_names |= {f.name for f in fields if f.name == f.attname}
        self.plain_names -= {f.name for f in self.per_object}
        self.relations = {f.name for f in fields if f.is_relation}
        # Many-to-one relations to one column, set here as their descriptor sets them on a new
        # object: (attname, the related model, the related field's attname) by name.
        self.foreign_keys = {
            f.name: (f.attname, f.remote_field.model._meta.concrete_model, f.target_field.attname)
            for f in fields
            if f.many_to_one and len(f.related_fields) == 1
        }


def _relate(obj: models.Model, foreign_key: tuple[str, Any, str], name: str, value: Any) -> bool:
    """`obj.<name> = value` on a new object as `ForwardManyToOneDescriptor.__set__` does it
    when no database router is configured (both objects' database, the key, the cached
    object), without its work per call; False when the descriptor must do it."""
    attname, related_model, related_attname = foreign_key
    if value is None or not isinstance(value, related_model) or router.routers:
        return False
    state, related_state = obj._state, value._state
    if state.db is None:
        state.db = related_state.db or DEFAULT_DB_ALIAS
    if related_state.db is None:
        related_state.db = state.db
    if related_state.db != state.db:
        return False  # the descriptor refuses the relation
    obj.__dict__[attname] = getattr(value, related_attname)
    state.fields_cache[name] = value
    return True


_BLUEPRINTS: dict[type[models.Model], _Blueprint] = {}


def new_object[M: models.Model](model: type[M], **values: Any) -> M:
    """`model(**values)` for a bulk writer's many new rows, without `Model.__init__`'s work per
    field and keyword (about 15 µs an object; issue 13 builds 50,000): the same object, with
    every default and each value given (a field by name or attname, a relation by its object,
    which is cached as `__init__` caches it). A model with pre_init/post_init receivers, or a
    keyword that is not a field, goes through `model(**values)`."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model(**values)
    blueprint = _BLUEPRINTS.get(model)
    if blueprint is None:
        blueprint = _BLUEPRINTS[model] = _Blueprint(model)
    if not all(name in blueprint.plain_names or name in blueprint.relations for name in values):
        return model(**values)
    obj = model.__new__(model)
    obj._state = ModelState()
    attributes = obj.__dict__
    attributes.update(blueprint.constant)
    for field in blueprint.per_object:
        if field.name not in values and field.attname not in values:
            setattr(obj, field.attname, field.get_default())
    foreign_keys = blueprint.foreign_keys
    for name, value in values.items():
        if name in blueprint.relations:
            foreign_key = foreign_keys.get(name)
            if foreign_key is None or not _relate(obj, foreign_key, name, value):
                setattr(obj, name, value)
        elif name in blueprint.plain_names:
            attributes[name] = value
        else:
            setattr(obj, name, value)
    return obj


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
    connection = connections[DEFAULT_DB_ALIAS]
    qn = connection.ops.quote_name
    read_row = _row_reader(plain, fields[len(plain) :], connection)
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
