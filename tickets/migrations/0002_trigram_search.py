"""Trigram indexes so the admin's text search stays fast at a million tickets (PostgreSQL).

Other databases skip this: SQLite is for development and small installs.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ticket_address_trgm ON tickets_ticket USING gin (upper(address) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ticket_description_trgm ON tickets_ticket "
    "USING gin (upper(description) gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS ticket_address_trgm", "DROP INDEX IF EXISTS ticket_description_trgm"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
