"""Realistic demo tickets with complete histories, written in bulk.

Used by `manage.py seed_demo`: a few hundred tickets for `make run`, a million or more for
benchmarks. Histories follow the lifecycle's rules (allowed moves, the SLA clock, paused
time, public notes) but are computed in memory and written with bulk inserts, because
calling the lifecycle a million times would take hours. tests/test_seed_demo.py checks
that what is written here matches what the lifecycle would have produced.
"""

import random
from datetime import timedelta
from decimal import Decimal
from itertools import accumulate

from django.db import transaction
from django.utils import timezone
from shapely.geometry import Point

from stats import rollups
from tickets import bulk, geo
from tickets.folio import format_folio
from tickets.models import Channel, Colonia, FolioCounter, Priority, Service, Status, Ticket, TicketEvent
from tickets.sla import due_dates, get_calendar

# Share of reports per service, after the city's published demand: potholes first, then
# street lights and water leaks (DESIGN.md; shared/data/README.md "published figures").
SERVICE_WEIGHTS = {
    "bacheo": 22,
    "alumbrado": 16,
    "fuga-agua": 13,
    "residuos-solidos": 6,
    "camion-basura": 6,
    "alcantarilla": 4,
    "poda-derribo": 4,
    "cesped": 3,
    "desazolve": 3,
    "semaforo": 3,
    "coladera-sin-tapa": 2,
    "caida-arboles": 2,
    "control-canino": 2,
    "escombro": 2,
    "senalamiento": 2,
    "residuos-verdes": 1,
    "animal-muerto": 1,
    "juegos-infantiles": 1,
    "aguas-residuales": 1,
    "inundacion": 1,
    "vehiculo-abandonado": 1,
    "reductor-velocidad": 1,
    "topes": 1,
    "apoyo-vial": 1,
    "obra-sin-permiso": 1,
    "actividad-comercial": 1,
    "llanta-bache": 1,
}
CHANNEL_WEIGHTS = {Channel.WEB: 42, Channel.TELEFONO: 40, Channel.APP: 15, Channel.API: 3}
DESCRIPTIONS = {
    "bacheo": [
        "Bache grande frente al número {n}, ya se llenó de agua.",
        "Hay varios baches en la esquina, los coches se están desviando.",
        "Bache profundo a mitad de la calle, peligroso para motos.",
    ],
    "alumbrado": [
        "Luminaria apagada desde hace {d} días.",
        "La lámpara prende y apaga toda la noche.",
        "Tres postes sin luz en la cuadra, está muy oscuro.",
    ],
    "fuga-agua": [
        "Fuga de agua en la banqueta, lleva {d} días tirándose.",
        "Se rompió la toma y sale mucha agua.",
        "Fuga en el medidor de la casa {n}.",
    ],
}
GENERIC = [
    "Solicito la atención, el problema lleva {d} días.",
    "Los vecinos ya lo reportaron antes y sigue igual.",
    "Por favor atiendan, afecta a toda la cuadra.",
]
STREETS = [
    "Av. Tecnológico",
    "Paseo San Isidro",
    "Av. Benito Juárez",
    "Calle Leona Vicario",
    "Av. Estado de México",
    "Calle Ignacio Comonfort",
    "Av. Las Torres",
    "Calle Moctezuma",
    "Calle Galeana",
    "Av. Ignacio Manuel Altamirano",
    "Calle Hidalgo",
    "Calle Morelos",
    "Calle 5 de Mayo",
    "Calle Independencia",
    "Av. Pino Suárez",
]
NAMES = [
    "María López",
    "José Hernández",
    "Guadalupe Martínez",
    "Juan García",
    "Rosa Sánchez",
    "Luis Ramírez",
    "Ana Torres",
    "Carlos Flores",
    "Patricia Gómez",
    "Miguel Díaz",
]
RESOLUTION_NOTES = [
    "Se atendió el reporte en sitio.",
    "Cuadrilla realizó la reparación.",
    "Se sustituyó la pieza dañada.",
    "Trabajo concluido y verificado por supervisión.",
]


STATUS_LABEL = {status.value: status.label for status in Status}


class DemoFactory:
    """Plans tickets (dicts of column values) and their events, with plausible histories."""

    def __init__(self, *, now=None, days=120, seed=7311, staff_by_department=None):
        self.rng = random.Random(seed)
        self.now = now or timezone.now()
        self.days = days
        self.calendar = get_calendar()
        services = {s.code: s for s in Service.objects.select_related("department")}
        self.services = [services[code] for code in SERVICE_WEIGHTS if code in services]
        self.service_weights = list(accumulate(SERVICE_WEIGHTS[s.code] for s in self.services))
        self.channels = list(CHANNEL_WEIGHTS)
        self.channel_weights = list(accumulate(CHANNEL_WEIGHTS.values()))
        self.colonia_ids = list(Colonia.objects.values_list("pk", flat=True))
        self.staff = {
            department_id: [(user.pk, user.get_full_name() or user.username) for user in users]
            for department_id, users in (staff_by_department or {}).items()
        }
        self.points = self._point_pool(2000)

    def _point_pool(self, size):
        """Points inside the municipality with their locality, sampled once and reused."""
        boundary = geo.municipal_boundary()
        pool = []
        while len(pool) < size:
            lon = self.rng.uniform(-99.6470, -99.5128)
            lat = self.rng.uniform(19.2157, 19.2872)
            if boundary.contains(Point(lon, lat)):
                lat_q, lon_q = geo.quantize(lat), geo.quantize(lon)
                pool.append((lat_q, lon_q, geo.locality_id_for(lat_q, lon_q)))
        return pool

    def created_times(self, count):
        """Creation moments over the last `days`, sorted, few of them before dawn."""
        span = self.days * 86400
        latest = self.now - timedelta(minutes=5)
        moments = []
        for _ in range(count):
            moment = self.now - timedelta(seconds=self.rng.uniform(0, span))
            if timezone.localtime(moment).hour < 7 and self.rng.random() < 0.8:
                moment += timedelta(hours=self.rng.uniform(7, 12))
            moments.append(min(moment, latest))
        return sorted(moments)

    def plan(self, created_at):
        """One ticket's row and its events' rows (without ids)."""
        rng = self.rng
        service = rng.choices(self.services, cum_weights=self.service_weights)[0]
        channel = rng.choices(self.channels, cum_weights=self.channel_weights)[0]
        point = rng.choice(self.points) if channel != Channel.TELEFONO and rng.random() < 0.75 else (None,) * 3
        anonymous = channel != Channel.TELEFONO and rng.random() < 0.35
        text = rng.choice(DESCRIPTIONS.get(service.code, GENERIC))
        ticket = {
            "service_id": service.pk,
            "department_id": service.department_id,
            "assignee_id": None,
            "status": Status.NUEVO.value,
            "priority": rng.choices(PRIORITIES, cum_weights=PRIORITY_WEIGHTS)[0],
            "channel": channel.value,
            "description": text.format(n=rng.randint(1, 400), d=rng.randint(1, 15)),
            "address": f"{rng.choice(STREETS)} {rng.randint(1, 900)}",
            "colonia_id": rng.choice(self.colonia_ids) if self.colonia_ids else None,
            "latitude": point[0],
            "longitude": point[1],
            "locality_id": point[2],
            "attributes": {"tamano": rng.choice(["chico", "mediano", "grande"])} if service.code == "bacheo" else {},
            "reporter_name": "" if anonymous else rng.choice(NAMES),
            "reporter_phone": "" if anonymous else f"722{rng.randint(1000000, 9999999)}",
            "reporter_email": "" if anonymous or rng.random() < 0.5 else f"vecino{rng.randint(1, 99999)}@example.com",
            "created_at": created_at,
            "resolved_at": None,
            "closed_at": None,
            "due_at": None,
            "due_soon_at": None,
            "sla_paused_at": None,
        }
        if service.sla_hours:
            ticket["due_at"], ticket["due_soon_at"] = due_dates(created_at, service.sla_hours, self.calendar)
        events = [
            _event(Kind.CREATED, created_at, via=channel.value, new=STATUS_LABEL["nuevo"], actor_name="Ciudadano")
        ]
        self._live(ticket, events)
        ticket["updated_at"] = events[-1]["created_at"]
        return ticket, events

    def _live(self, ticket, events):
        """Walk the ticket through a plausible life, stopping at the present."""
        rng, cal, now = self.rng, self.calendar, self.now
        staff = self.staff.get(ticket["department_id"])
        actor_id, actor_name = rng.choice(staff) if staff else (None, "Personal de la dependencia")

        def move(status, at, note=""):
            events.append(
                _event(
                    Kind.STATUS,
                    at,
                    old=STATUS_LABEL[ticket["status"]],
                    new=STATUS_LABEL[status],
                    note=note,
                    actor_id=actor_id,
                    actor_name=actor_name,
                )
            )
            ticket["status"] = status

        at = cal.add(ticket["created_at"], timedelta(minutes=rng.randint(10, 300)))
        if at > now:
            return
        if rng.random() < 0.04:  # closed without action straight away
            move(Status.NO_PROCEDE, at, "No es competencia municipal.")
            ticket["closed_at"] = at
            return
        ticket["assignee_id"] = actor_id
        move(Status.ASIGNADO, at)
        at = cal.add(at, timedelta(minutes=rng.randint(30, 900)))
        if at > now:
            return
        move(Status.EN_PROCESO, at)
        if rng.random() < 0.12:
            paused = cal.add(at, timedelta(hours=rng.uniform(1, 10)))
            if paused > now:
                return
            move(Status.EN_ESPERA, paused, "En espera de material.")
            events.append(_event(Kind.SLA_PAUSED, paused, public=False, actor_id=actor_id, actor_name=actor_name))
            ticket["sla_paused_at"] = paused
            resumed = cal.add(paused, timedelta(hours=rng.uniform(2, 40)))
            if resumed > now:
                return
            if ticket["due_at"]:
                waited = cal.between(paused, resumed)
                old_due = ticket["due_at"]
                ticket["due_at"] = cal.add(old_due, waited)
                ticket["due_soon_at"] = cal.add(ticket["due_soon_at"], waited)
                events.append(
                    _event(
                        Kind.SLA_RESUMED,
                        resumed,
                        public=False,
                        actor_id=actor_id,
                        actor_name=actor_name,
                        old=timezone.localtime(old_due).isoformat(),
                        new=timezone.localtime(ticket["due_at"]).isoformat(),
                    )
                )
            ticket["sla_paused_at"] = None
            move(Status.EN_PROCESO, resumed)
            at = resumed
        # Most tickets are solved within the 48 business hours, some take much longer.
        work = timedelta(hours=min(rng.lognormvariate(3.0, 0.7), 400))
        done = max(cal.add(ticket["created_at"], work), cal.add(at, timedelta(minutes=30)))
        if done > now:
            return
        if rng.random() < 0.03:
            move(Status.NO_PROCEDE, done, "Se verificó y no procede.")
            ticket["closed_at"] = done
            return
        move(Status.RESUELTO, done, rng.choice(RESOLUTION_NOTES))
        ticket["resolved_at"] = ticket["closed_at"] = done
        hours = cal.between(ticket["created_at"], done).total_seconds() / 3600
        ticket["business_hours_to_resolve"] = Decimal(hours).quantize(Decimal("0.01"))


Kind = TicketEvent.Kind
PRIORITIES = list(Priority.values)
PRIORITY_WEIGHTS = list(accumulate([5, 80, 12, 3]))


def _event(kind, at, *, via="admin", public=True, old="", new="", note="", actor_id=None, actor_name="Sistema"):
    return {
        "kind": kind.value,
        "created_at": at,
        "actor_id": actor_id,
        "actor_name": actor_name,
        "via": via,
        "is_public": public,
        "old_value": old,
        "new_value": new,
        "note": note,
    }


def seed(count, *, days=None, batch_size=5000, progress=None, now=None, seed_value=7311, staff_by_department=None):
    """Create `count` demo tickets with their events. Returns the number created."""
    days = days or max(120, min(3650, count // 250))
    factory = DemoFactory(now=now, days=days, seed=seed_value, staff_by_department=staff_by_department)
    moments = factory.created_times(count)
    counters = dict(FolioCounter.objects.values_list("year", "last_number"))
    created = 0
    for start in range(0, count, batch_size):
        plans = [factory.plan(moment) for moment in moments[start : start + batch_size]]
        with transaction.atomic():
            tickets, events = [], []
            ticket_ids = bulk.next_ids(Ticket, len(plans))
            for ticket_id, (ticket, ticket_events) in zip(ticket_ids, plans, strict=True):
                year = timezone.localtime(ticket["created_at"]).year
                counters[year] = counters.get(year, 0) + 1
                ticket.update(id=ticket_id, folio=format_folio(year, counters[year]))
                tickets.append(ticket)
                for event in ticket_events:
                    event["ticket_id"] = ticket_id
                    events.append(event)
            for event_id, event in zip(bulk.next_ids(TicketEvent, len(events)), events, strict=True):
                event["id"] = event_id
            bulk.insert_rows(Ticket, tickets)
            bulk.insert_rows(TicketEvent, events)
            for year, last in counters.items():
                FolioCounter.objects.update_or_create(year=year, defaults={"last_number": last})
        created += len(plans)
        if progress:
            progress(len(plans))
    bulk.reset_sequences(Ticket, TicketEvent)
    # Bulk writes bypass the lifecycle, which keeps the public counters: recount them.
    rollups.rebuild()
    return created


# --- Practice tickets for the staff's queues (issue #13) ----------------------------------
# The bulk history above ends in the past; staff learning the workspace need something in
# every queue today. These go through the lifecycle itself (a few dozen), so their trails,
# SLA clocks, rollups and alerts are exactly what real work produces.

PRACTICE_PLACES = ["Calle Hidalgo 12", "Av. Tecnológico 230", "Calle Morelos 45", "Paseo San Isidro 801"]


def created_for(business_hours_ago, now, calendar):
    """The moment `business_hours_ago` business hours before `now` (to the minute)."""
    target = timedelta(hours=business_hours_ago)
    low, high = now - timedelta(days=60), now
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        if calendar.between(middle, now) > target:
            low = middle
        else:
            high = middle
    return high


def practice(*, now=None, staff_by_department=None, actor=None):
    """In every department: one ticket unassigned, one overdue, one about to be, one on
    hold, one reopened and one duplicate. Returns how many tickets were created."""
    from tickets import lifecycle

    now = now or timezone.now()
    calendar = get_calendar()
    colonias = list(Colonia.objects.order_by("pk").values_list("pk", flat=True)[:50])
    made = 0
    services = Service.objects.filter(is_active=True, sla_hours__gt=0).select_related("department").order_by("pk")
    first_service = {}
    for service in services:
        first_service.setdefault(service.department_id, service)
    for number, service in enumerate(first_service.values()):
        department = service.department
        staff = (staff_by_department or {}).get(department.pk) or []
        worker = staff[0] if staff else None
        sla = float(service.sla_hours)

        def report(hours_ago, text, *, _service=service, _n=number):
            colonia = Colonia.objects.get(pk=colonias[_n % len(colonias)]) if colonias else None
            return lifecycle.ticket_create(
                service=_service,
                description=f"[Práctica] {text}",
                channel=Channel.TELEFONO,
                address=PRACTICE_PLACES[_n % len(PRACTICE_PLACES)],
                colonia=colonia,
                reporter_name="Vecina de práctica",
                reporter_phone="7220000000",
                actor=actor,
                at=created_for(hours_ago, now, calendar),
            )

        def step(ticket, minutes):
            return ticket.created_at + timedelta(minutes=minutes)

        report(2, "Reporte nuevo sin responsable.")
        overdue = report(sla + 6, "Se pasó del plazo.")
        due_soon = report(sla - 3, "Le quedan tres horas hábiles.")
        on_hold = report(sla / 2, "Espera material.")
        reopened = report(sla + 20, "El ciudadano dijo que no quedó.")
        original = report(4, "Reporte principal de un problema repetido.")
        duplicate = report(3, "El mismo problema, reportado otra vez.")
        made += 7
        lifecycle.ticket_mark_duplicate(ticket=duplicate, parent=original, actor=actor, at=step(duplicate, 30))
        if worker is None:
            continue  # nobody to assign in this department: the rest stay unassigned
        for ticket in (overdue, due_soon, on_hold, reopened):
            lifecycle.ticket_assign(ticket=ticket, actor=actor, assignee=worker, at=step(ticket, 20))
            lifecycle.ticket_start(ticket=ticket, actor=worker, at=step(ticket, 40))
        lifecycle.ticket_wait(
            ticket=on_hold, actor=worker, reason="Esperamos material del almacén.", public=True, at=step(on_hold, 60)
        )
        lifecycle.ticket_resolve(ticket=reopened, actor=worker, public_note="Se atendió.", at=step(reopened, 120))
        lifecycle.ticket_reopen(ticket=reopened, actor=None, via="web", reason="Sigue igual.", at=step(reopened, 600))
    return made
