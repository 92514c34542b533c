"""Synthetic tickets for benchmarks at ten million rows, generated inside PostgreSQL.

seed_demo writes realistic histories at ~4,400 tickets a second; ten million would take
40 minutes. For measuring aggregates and exports only the tickets table's shape matters,
so this INSERT … SELECT FROM generate_series writes the same columns with similar
distributions (service mix, statuses, channels, areas, points, resolution times) in a
couple of minutes, and rates one resolved ticket in ten. Events are not written.
PostgreSQL only.
"""

from django.conf import settings
from django.db import connection

from stats import rollups
from tickets import bulk, changes
from tickets.demo import SERVICE_WEIGHTS
from tickets.models import Colonia, Locality, Service, Ticket

INSERT = """
WITH params AS (
    SELECT %(services)s::bigint[] AS services, %(departments)s::bigint[] AS departments,
           %(cumulative)s::int[] AS cumulative, %(total)s::int AS total,
           %(colonias)s::bigint[] AS colonias, %(localities)s::bigint[] AS localities
), drawn AS (
    -- Created in the order of the ids, as a real table fills (the newest rows at its end, so a
    -- period's tickets lie together on disk): ten years back for the first of the load, now for
    -- its last, with a quarter of an hour of jitter.
    SELECT n, random() AS r_service, random() AS r_status, random() AS r_channel, random() AS r_point,
           random() AS r_hours,
           now() - (3650 * (%(end)s - n) / %(span)s::float8 + random() / 96) * interval '1 day' AS created
    FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS n
), raw AS (
    -- Ten years of history, and a backlog of the last OPEN_DAYS only: a ticket older than that
    -- was closed (the closed statuses in their own proportions), as in the city, whose backlog
    -- is a few days of its intake, not a share of every year it has kept.
    SELECT n, r_service, r_channel, r_point, r_hours, created,
           CASE WHEN created < now() - %(open_days)s * interval '1 day' THEN r_status * 0.94
                ELSE r_status END AS r_status
    FROM drawn
), picked AS (
    -- The service by its share of demand: thresholds 0, c1, c2, … of the cumulative weights.
    SELECT raw.*, width_bucket(raw.r_service * p.total, array_prepend(0, p.cumulative)::float8[]) AS s_idx
    FROM raw, params p
)
INSERT INTO tickets_ticket (
    id, folio, reporter_token, service_id, department_id, status, priority, channel, description, address,
    colonia_id, locality_id, latitude, longitude, attributes, reporter_name, reporter_phone, reporter_email,
    affected_count, legacy_source, legacy_folio, created_at, updated_at, resolved_at, closed_at, due_at, due_soon_at,
    business_hours_to_resolve, reopened_count
)
SELECT n, 'B' || lpad(n::text, 12, '0'), md5('bench' || n::text),
       p.services[s_idx], p.departments[s_idx],
       CASE WHEN r_status < 0.86 THEN 'resuelto' WHEN r_status < 0.92 THEN 'no_procede'
            WHEN r_status < 0.94 THEN 'duplicado' WHEN r_status < 0.96 THEN 'en_proceso'
            WHEN r_status < 0.98 THEN 'asignado' ELSE 'nuevo' END,
       'normal',
       CASE WHEN r_channel < 0.42 THEN 'web' WHEN r_channel < 0.82 THEN 'telefono'
            WHEN r_channel < 0.97 THEN 'app' ELSE 'api' END,
       'Reporte sintético para medir', 'Calle ' || (n %% 500),
       p.colonias[1 + (n %% array_length(p.colonias, 1))],
       CASE WHEN r_point < 0.7 THEN p.localities[1 + (n %% array_length(p.localities, 1))] END,
       CASE WHEN r_point < 0.7 THEN 19.22 + r_point / 20 END,
       CASE WHEN r_point < 0.7 THEN -99.64 + r_point / 10 END,
       '{}'::jsonb, '', '', '', 1, '', '', created, created,
       CASE WHEN r_status < 0.86 THEN created + (r_hours * 6) * interval '1 day' END,
       CASE WHEN r_status < 0.94 THEN created + (r_hours * 6) * interval '1 day' END,
       created + interval '5 days', created + interval '4 days',
       CASE WHEN r_status < 0.86 THEN round((r_hours * r_hours * 120)::numeric, 2) END,
       0
FROM picked, params p
"""


# How old the synthetic backlog's tickets can be. With 9 M tickets over ten years (~2,500 a
# day, five times the city's intake) this leaves ~2,000 open tickets, of a backlog of ~1,300 in
# the city; before 2026-12-07 six percent of every year stayed open (540,000 open tickets at
# 10 M), which measured the map and the dashboard against a backlog no city carries
# (docs/performance.md, "The synthetic backlog").
OPEN_DAYS = 14


# One resolved ticket in ten gets a rating (ids ending in 0: deterministic, so a second run
# adds only the new tickets' ones), with the demo's mix of ratings.
RATE = """
INSERT INTO surveys_ticketsatisfaction
    (ticket_id, service_id, department_id, ticket_month, solved, rating, comment, created_at)
SELECT id, service_id, department_id, date_trunc('month', created_at AT TIME ZONE %(tz)s)::date, true,
       CASE WHEN r < 0.45 THEN 5 WHEN r < 0.73 THEN 4 WHEN r < 0.85 THEN 3 WHEN r < 0.93 THEN 2 ELSE 1 END,
       '', resolved_at
FROM (SELECT *, random() AS r FROM tickets_ticket WHERE status = 'resuelto' AND id %% 10 = 0) AS rated
ON CONFLICT (ticket_id) DO NOTHING
"""


def grow_to(count, batch=1_000_000, progress=None):
    """Add synthetic tickets (and their ratings) until the table holds `count`; then rebuild
    the rollups."""
    added = _add_tickets(count, batch, progress)
    with connection.cursor() as cursor:
        cursor.execute(RATE, {"tz": settings.TIME_ZONE})
        rated = cursor.rowcount
    if added or rated:
        changes.changed()  # written in SQL: no signal tells the cached answers
        rollups.rebuild()
        with connection.cursor() as cursor:
            for table in ("tickets_ticket", "surveys_ticketsatisfaction", "stats_rollup"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    return added


# Secondary indexes of the tickets table (not those behind a constraint).
SECONDARY_INDEXES = """
SELECT i.indexname, i.indexdef FROM pg_indexes i
WHERE i.tablename = 'tickets_ticket'
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass)
"""


def _add_tickets(count, batch, progress):
    existing = Ticket.objects.count()
    if existing >= count:
        return 0
    if count - existing <= existing:
        return _insert(count, existing, batch, progress)
    # A big load: without its ~20 secondary indexes the table takes rows an order of
    # magnitude faster, and building each index once at the end beats updating it per row.
    with connection.cursor() as cursor:
        cursor.execute(SECONDARY_INDEXES)
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        return _insert(count, existing, batch, progress)
    finally:
        # The model's own indexes are built by Django as their migration built them: an
        # expression index rebuilt from PostgreSQL's text of it can come out as a different
        # expression (a cast moved), which the queries no longer match.
        declared = {index.name: index for index in Ticket._meta.indexes}
        with connection.cursor() as cursor, connection.schema_editor(atomic=False) as editor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for name, definition in indexes:
                if name in declared:
                    editor.add_index(Ticket, declared[name])
                else:
                    cursor.execute(definition)


def _insert(count, existing, batch, progress):
    services = list(Service.objects.filter(code__in=SERVICE_WEIGHTS).values_list("pk", "department_id", "code"))
    cumulative, running = [], 0
    for _, _, code in services:
        running += SERVICE_WEIGHTS[code]
        cumulative.append(running)
    first = (Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    span = count - existing  # this load's ids first … first + span - 1, over ten years
    added = 0
    while existing + added < count:
        size = min(batch, count - existing - added)
        params = {
            "services": [s[0] for s in services],
            "departments": [s[1] for s in services],
            "cumulative": cumulative,
            "total": running,
            "colonias": list(Colonia.objects.values_list("pk", flat=True)),
            "localities": list(Locality.objects.values_list("pk", flat=True)),
            "open_days": OPEN_DAYS,
            "end": first + span - 1,
            "span": span,
            "first": first + added,
            "last": first + added + size - 1,
        }
        with connection.cursor() as cursor:
            cursor.execute(INSERT, params)
        added += size
        if progress:
            progress(size)
    bulk.reset_sequences(Ticket)  # bench folios ("B…") never collide with real ones
    return added
