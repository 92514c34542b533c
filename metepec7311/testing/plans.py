"""PostgreSQL's plan for a queryset, for tests that pin which index a query reads."""

from django.db import connection


def plan(queryset):
    """EXPLAIN of `queryset` with sequential scans off: a test table is small enough that the
    planner would scan it whole, so the question asked is which index *can* be used."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())
