"""Synthetic tickets for benchmarks at ten million rows, generated inside PostgreSQL.

seed_demo writes realistic histories at ~4,400 tickets a second; ten million would take
40 minutes. For measuring aggregates and exports only the tickets table's shape matters,
so this INSERT … SELECT FROM generate_series writes the same columns with similar
distributions (service mix, statuses, channels, areas, points, resolution times) in a
couple of minutes. Events are not written. PostgreSQL only.
"""

from django.db import connection

from stats import rollups
from tickets import bulk
from tickets.demo import SERVICE_WEIGHTS
from tickets.models import Colonia, Locality, Service, Ticket

INSERT = """
WITH params AS (
    SELECT %(services)s::bigint[] AS services, %(departments)s::bigint[] AS departments,
           %(cumulative)s::int[] AS cumulative, %(total)s::int AS total,
           %(colonias)s::bigint[] AS colonias, %(localities)s::bigint[] AS localities
), raw AS (
    SELECT n, random() AS r_service, random() AS r_status, random() AS r_channel, random() AS r_point,
           random() AS r_hours, now() - (random() * 3650) * interval '1 day' AS created
    FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS n
), picked AS (
    -- The service by its share of demand: thresholds 0, c1, c2, … of the cumulative weights.
    SELECT raw.*, width_bucket(raw.r_service * p.total, array_prepend(0, p.cumulative)::float8[]) AS s_idx
    FROM raw, params p
)
INSERT INTO tickets_ticket (
    id, folio, reporter_token, service_id, department_id, status, priority, channel, description, address,
    colonia_id, locality_id, latitude, longitude, attributes, reporter_name, reporter_phone, reporter_email,
    affected_count, external_id, created_at, updated_at, resolved_at, closed_at, due_at, due_soon_at,
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
       '{}'::jsonb, '', '', '', 1, '', created, created,
       CASE WHEN r_status < 0.86 THEN created + (r_hours * 6) * interval '1 day' END,
       CASE WHEN r_status < 0.94 THEN created + (r_hours * 6) * interval '1 day' END,
       created + interval '5 days', created + interval '4 days',
       CASE WHEN r_status < 0.86 THEN round((r_hours * r_hours * 120)::numeric, 2) END,
       0
FROM picked, params p
"""


def grow_to(count, batch=1_000_000, progress=None):
    """Add synthetic tickets until the table holds `count`; then rebuild the rollups."""
    existing = Ticket.objects.count()
    if existing >= count:
        return 0
    services = list(Service.objects.filter(code__in=SERVICE_WEIGHTS).values_list("pk", "department_id", "code"))
    cumulative, running = [], 0
    for _, _, code in services:
        running += SERVICE_WEIGHTS[code]
        cumulative.append(running)
    first = (Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
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
            "first": first + added,
            "last": first + added + size - 1,
        }
        with connection.cursor() as cursor:
            cursor.execute(INSERT, params)
        added += size
        if progress:
            progress(size)
    bulk.reset_sequences(Ticket)  # bench folios ("B…") never collide with real ones
    rollups.rebuild()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE tickets_ticket")
        cursor.execute("VACUUM ANALYZE stats_rollup")
    return added
