"""Bulk inserts for seeding and imports: COPY on PostgreSQL, bulk_create elsewhere.

Rows are dicts keyed by column attname (`service_id`, not `service`), usually with primary
keys already set (reserve_ids()), so related rows can point at each other before anything is
written; rows nothing points to may leave the key out, and the table's sequence gives it.
"""

from django.core.management.color import no_style
from django.db import connection, models
from psycopg.types.json import Jsonb

from tickets import changes
from tickets.models import TicketEvent


def insert_rows(model, rows):
    """Write `rows` (dicts of attname → Python value) into `model`'s table."""
    if not rows:
        return
    fields = list(model._meta.concrete_fields)
    if connection.vendor == "postgresql":
        _copy(model, fields, rows)
    else:
        model.objects.bulk_create([model(**row) for row in rows], batch_size=500)
    if model is TicketEvent:  # no signal for bulk writes: cached answers must still see them
        changes.changed()


def _copy(model, fields, rows):
    # The columns the rows give (every row gives the same ones: they are built by one loop),
    # then those they leave out: callable defaults (random tokens) called for every row, other
    # defaults ("" for text, as Django would save) written as constants. One list per row,
    # built by a comprehension: COPY is fast enough that Python's per-value work shows.
    keys = rows[0].keys()
    if any(row.keys() != keys for row in rows):  # rows that differ: give each every column
        rows = [{field.attname: _value(field, row) for field in fields} for row in rows]
        keys = rows[0].keys()
    fields = [field for field in fields if field.attname in keys or not field.primary_key]
    given = [field for field in fields if field.attname in keys]
    called = [field for field in fields if field.attname not in keys and _generated(field)]
    constant = [field for field in fields if field.attname not in keys and not _generated(field)]
    names = [field.attname for field in given]
    json_given = [i for i, field in enumerate(given) if _is_json(field)]
    makers = [(lambda f=field: Jsonb(f.default())) if _is_json(field) else field.default for field in called]
    constants = [_jsonable(field, field.get_default()) for field in constant]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in given + called + constant)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = [row[name] for name in names]
            for i in json_given:
                values[i] = Jsonb(values[i])
            copy.write_row(values + [make() for make in makers] + constants)


def _generated(field):
    return field.has_default() and callable(field.default)


def _value(field, row):
    if field.attname in row:
        return row[field.attname]
    return field.default() if _generated(field) else field.get_default()


def _is_json(field):
    return isinstance(field, models.JSONField)


def _jsonable(field, value):
    return Jsonb(value) if _is_json(field) else value


def reserve_ids(model, count):
    """`count` new primary keys that no concurrent writer can take: drawn from the id sequence
    on PostgreSQL; above the maximum elsewhere (SQLite: call it after the transaction's first
    write, which holds the database's write lock until the commit)."""
    if connection.vendor != "postgresql":
        return list(next_ids(model, count))
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count])
        return [row[0] for row in cursor.fetchall()]


def next_ids(model, count):
    """Reserve `count` primary keys above the current maximum."""
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return range(last + 1, last + 1 + count)


def reset_sequences(*models_):
    """After writing explicit ids, move the id sequences past them (PostgreSQL)."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models_):
            cursor.execute(sql)
