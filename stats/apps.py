from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = "Estadísticas y datos abiertos"

    def ready(self):
        post_migrate.connect(rebuild_missing_rollups, sender=self)


def rebuild_missing_rollups(using="default", **kwargs):
    """Rollups are derived data: a migration that reshapes them only empties the table, and
    the first migrate afterwards recounts them from the tickets here, with the code of the
    day (a migration that imported today's models would break on tomorrow's schema)."""
    from django.db import connections

    from stats import rollups
    from stats.models import Rollup
    from tickets.models import Ticket

    connection = connections[using]
    tables = connection.introspection.table_names()
    if Rollup._meta.db_table not in tables or Ticket._meta.db_table not in tables:
        return  # migrated backwards
    if Ticket.objects.using(using).exists() and not Rollup.objects.using(using).exists():
        rollups.rebuild()
