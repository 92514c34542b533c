"""Bulk inserts for seeding and imports: COPY on PostgreSQL, bulk_create elsewhere.

Rows are dicts keyed by column attname (`service_id`, not `service`) with primary keys
already set, so related rows can point at each other before anything is written.
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
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    json_fields = {field.attname for field in fields if isinstance(field, models.JSONField)}
    # Columns a row leaves out get the model's default ("" for text, as Django would save);
    # callable defaults (random tokens) are called for every row.
    per_row = {field.attname: field.default for field in fields if field.has_default() and callable(field.default)}
    defaults = {field.attname: field.get_default() for field in fields if field.attname not in per_row}
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = []
            for field in fields:
                if field.attname in row:
                    value = row[field.attname]
                elif field.attname in per_row:
                    value = per_row[field.attname]()
                else:
                    value = defaults[field.attname]
                if field.attname in json_fields:
                    value = Jsonb(value)
                values.append(value)
            copy.write_row(values)


def next_ids(model, count):
    """Reserve `count` primary keys above the current maximum."""
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return range(last + 1, last + 1 + count)


def reset_sequences(*models_):
    """After writing explicit ids, move the id sequences past them (PostgreSQL)."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models_):
            cursor.execute(sql)
