"""The rules that turn a source's row into a ticket, the same for every format.

A row is rejected when it cannot make an honest ticket (no number, unknown subject, no
readable request date, an unknown status); it is imported "with doubts" when a secondary
value is dropped or corrected (a point outside the municipality, an unreadable closing date,
an unknown colonia). Every reason is a sentence in Spanish for the report.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from tickets import geo
from tickets.imports import values
from tickets.imports.matching import normalize
from tickets.lifecycle.report import ADDRESS_LIMIT, DESCRIPTION_LIMIT
from tickets.models import Colonia, Locality, Service, Status
from tickets.models.status import CLOSED_STATUSES


class Rejected(Exception):
    """The row cannot be imported; `category` groups it in the report's summary."""

    def __init__(self, reason, category=None):
        super().__init__(reason)
        self.reason = reason
        self.category = category or reason


@dataclass
class Prepared:
    row: object
    number: str
    service: Service
    status: str
    created_at: datetime
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    locality_id: int | None = None
    colonia_id: int | None = None
    description: str = ""
    address: str = ""
    via: str = ""
    parent_number: str = ""
    doubts: list = field(default_factory=list)  # (reason, category)
    refused: str = ""  # set when the database refused the row (tickets/imports/writer.py)


class Rules:
    def __init__(self, matcher, report, *, now):
        self.matcher = matcher
        self.report = report
        self.now = now
        self.by_code = {service.code: service for service in matcher.services}
        self.localities = dict(Locality.objects.values_list("cvegeo", "pk"))
        self.colonias = {}
        self.by_postal_code = {}
        self.by_name = {}
        rows = Colonia.objects.values_list("pk", "name", "postal_code", "delegacion__name").order_by("pk")
        for pk, name, postal_code, delegacion in rows:
            # SEPOMEX has a few same-name settlements in one postal code (a colonia and a
            # condominio "Bellavista"): the delegación, when the source gives it, tells them apart.
            self.colonias.setdefault((normalize(name), postal_code), []).append((pk, normalize(delegacion)))
            self.by_postal_code.setdefault(postal_code, []).append(pk)
            self.by_name.setdefault(normalize(name), []).append(pk)

    def prepare(self, row):
        """A Prepared ticket, or Rejected raised with the reason."""
        if row.refused:
            raise Rejected(row.refused)
        number = values.legacy_number(row.number)
        if not number:
            raise Rejected("falta el número de ticket")
        service = self._service(row)
        try:
            status = values.parse_status(row.status)
        except ValueError as error:
            raise Rejected(str(error), "estado desconocido") from None
        try:
            created_at = values.parse_moment(row.created, now=self.now)
        except ValueError as error:
            raise Rejected(f"fecha de solicitud ilegible: {error}", "fecha de solicitud ilegible") from None
        if created_at is None:
            raise Rejected("falta la fecha de solicitud")
        ticket = Prepared(
            row=row,
            number=number,
            service=service,
            status=status,
            created_at=created_at,
            via=row.via,
            parent_number=values.legacy_number(row.parent_number),
            doubts=[(note, note) for note in row.notes],
        )
        self._closing(ticket, row)
        self._point(ticket, row)
        self._colonia(ticket, row)
        text = str(row.description or "").replace("\x00", " ").strip() or _clean(row.subject) or service.name
        ticket.description = text[:DESCRIPTION_LIMIT]
        ticket.address = _clean(row.address)[:ADDRESS_LIMIT]
        return ticket

    def _service(self, row):
        if row.service_code and row.service_code in self.by_code:
            service, how = self.by_code[row.service_code], self.matcher.BY_NAME
            self.report.subject(row.service_code, service, how)
            return service
        subject = row.subject or row.service_code
        service, how = self.matcher.match(subject)
        self.report.subject(subject or "(vacío)", service, how)
        if service is None:
            if not normalize(subject):
                raise Rejected("falta el asunto (servicio)")
            raise Rejected(f"asunto desconocido «{' '.join(str(subject).split())[:80]}»", "asunto desconocido")
        return service

    def _closing(self, ticket, row):
        moments = {}
        for name in ("resolved", "closed"):
            try:
                moments[name] = values.parse_moment(getattr(row, name), now=self.now)
            except ValueError as error:
                ticket.doubts.append((f"fecha de cierre ilegible, se dejó vacía: {error}", "fecha de cierre ilegible"))
                moments[name] = None
            if moments[name] is not None and moments[name] < ticket.created_at:
                ticket.doubts.append(
                    ("la fecha de cierre es anterior a la solicitud: se dejó vacía", "cierre anterior a la solicitud")
                )
                moments[name] = None
        if ticket.status == Status.RESUELTO:
            ticket.resolved_at = moments["resolved"] or moments["closed"]
        if ticket.status in CLOSED_STATUSES:
            ticket.closed_at = moments["closed"] or moments["resolved"]

    def _point(self, ticket, row):
        try:
            latitude, longitude = values.parse_coordinate(row.latitude), values.parse_coordinate(row.longitude)
        except ValueError as error:
            ticket.doubts.append((f"{error}: se importó sin el punto", "coordenada ilegible"))
            latitude = longitude = None
        if (latitude is None) != (longitude is None):
            ticket.doubts.append(("el punto está incompleto: se importó sin él", "punto incompleto"))
        elif latitude is not None:
            latitude, longitude = geo.quantize(latitude), geo.quantize(longitude)
            if not _on_earth(latitude, longitude) or not geo.inside_municipality(latitude, longitude):
                if _on_earth(longitude, latitude) and geo.inside_municipality(longitude, latitude):
                    ticket.doubts.append(("latitud y longitud venían invertidas: se corrigieron", "punto invertido"))
                    latitude, longitude = longitude, latitude
                else:
                    ticket.doubts.append(
                        (
                            f"el punto ({latitude}, {longitude}) está fuera del municipio: se importó sin el punto",
                            "punto fuera del municipio",
                        )
                    )
                    latitude = longitude = None
            if latitude is not None:
                ticket.latitude, ticket.longitude = latitude, longitude
                ticket.locality_id = geo.locality_id_for(latitude, longitude)
        cvegeo = (row.locality_cvegeo or "").strip()
        if cvegeo:  # the source's own locality (the open data's), when it names one we know
            ticket.locality_id = self.localities.get(cvegeo, ticket.locality_id)

    def _colonia(self, ticket, row):
        name, postal_code = normalize(row.colonia), (row.postal_code or "").strip()[:5]
        if name:
            pk = None
            candidates = self.colonias.get((name, postal_code), [])
            if candidates:
                delegacion = normalize(row.delegacion)
                pk = next((c for c, d in candidates if d == delegacion), candidates[0][0])
            if pk is None and len(self.by_name.get(name, [])) == 1:
                pk = self.by_name[name][0]
            if pk is None:
                ticket.doubts.append((f"colonia desconocida «{row.colonia.strip()[:60]}»", "colonia desconocida"))
            ticket.colonia_id = pk
        elif postal_code and len(self.by_postal_code.get(postal_code, [])) == 1:
            ticket.colonia_id = self.by_postal_code[postal_code][0]


def _on_earth(latitude, longitude):
    return abs(latitude) <= 90 and abs(longitude) <= 180


def _clean(text):
    # PostgreSQL cannot store a NUL; runs of spaces and line ends of spreadsheets are noise.
    return " ".join(str(text or "").replace("\x00", " ").split())
