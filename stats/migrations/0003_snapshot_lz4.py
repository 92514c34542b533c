"""Snapshots are written every few minutes and are ~100 kB of JSON: lz4 compresses them
several times faster than PostgreSQL's default pglz. PostgreSQL 14+ built with lz4 only;
elsewhere the default stays."""

from django.db import DatabaseError, migrations, transaction


def use_lz4(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.pg_version < 140000:
        return
    try:
        with transaction.atomic(using=connection.alias):
            schema_editor.execute("ALTER TABLE stats_snapshot ALTER COLUMN data SET COMPRESSION lz4")
    except DatabaseError:  # a server built without lz4
        pass


class Migration(migrations.Migration):
    dependencies = [("stats", "0002_rollup_all_services")]

    operations = [migrations.RunPython(use_lz4, migrations.RunPython.noop)]
