"""tickets_next_folio(year) on PostgreSQL: a new ticket's INSERT takes its own folio
(tickets/folio.py). The same statement as NEXT_NUMBER_SQL, the same format as format_folio()."""

from django.db import migrations

# PL/pgSQL keeps the INSERT's plan for the session (an SQL function is planned again on
# every call).
CREATE = """
CREATE OR REPLACE FUNCTION tickets_next_folio(folio_year integer) RETURNS varchar
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    issued integer;
BEGIN
    INSERT INTO tickets_foliocounter AS counter (year, last_number) VALUES (folio_year, 1)
    ON CONFLICT (year) DO UPDATE SET last_number = counter.last_number + 1
    RETURNING last_number INTO issued;
    RETURN '7311-' || folio_year || '-' || lpad(issued::text, greatest(6, length(issued::text)), '0');
END
$$
"""
DROP = "DROP FUNCTION IF EXISTS tickets_next_folio(integer)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0006_fewer_indexes")]

    operations = [migrations.RunPython(create, drop)]
