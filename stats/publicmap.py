"""The public map of reports (/mapa/): which tickets it shows, and what it answers for a view.

The map shows the open tickets and those resolved in the last RESOLVED_DAYS days that have a
point, as the open data publishes them: the same tickets (the open data leaves none out), the
same point rounded by the same rule (tickets/geo.py, public_coordinate), and never the reporter.

For a view (bounding box and zoom) it answers either the points themselves (at most
MAX_POINTS, from POINTS_FROM_ZOOM on) or clusters: the cells of a grid of about CELL_PIXELS
on screen, each with its count and centroid (the mean of its published points, rounded as a
point). Both read the two partial indexes of the map (tickets/models/ticket.py): open tickets
by place, resolved ones by resolution time then place, so a request reads the map's tickets
inside the view, never the table (docs/map.md). Answers are kept rendered per version of the
tickets and hour (tickets/changes.py), as the APIs' lists are.
"""

import functools
import hashlib
import json
import math
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.cache import caches
from django.db.models import Avg, Count, DecimalField, F, Max, Q, Value
from django.db.models.functions import Floor, Round
from django.urls import reverse
from django.utils import timezone

from tickets import catalogue, changes, geo
from tickets.models import Service, Ticket
from tickets.models.status import OPEN_STATUSES, Status, public_bucket

RESOLVED_DAYS = 30
MAX_POINTS = 300
POINTS_FROM_ZOOM = 15  # below: always clusters
MIN_ZOOM, MAX_ZOOM = 0, 20
CELL_PIXELS = 64  # a cluster cell is about this wide on screen (a tile is 256 pixels)
MAX_CELLS = 4096  # a view wider than this many cells at its zoom is refused (a 4K screen is ~2,000)
# The municipality's extent (tickets/data/metepec_municipio_inegi.geojson) with a margin: every
# point is inside it, so a view is clipped to it before anything is read.
CITY = (-99.66, 19.20, -99.50, 19.30)  # west, south, east, north
# The statuses the map shows, as the open data names them (its `estado` column).
MAP_STATUSES = (*OPEN_STATUSES, Status.RESUELTO)
STATUS_LABELS = {status.value: status.label for status in Status}
ANSWER_SECONDS = 300  # entries of an old version are never asked for again; this frees memory


class BadRequest(ValueError):
    """A request the map cannot answer; the message is for the public (Spanish)."""

    def __init__(self, message, field):
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(frozen=True)
class Filters:
    service_id: int | None = None
    status: str | None = None
    colonia_id: int | None = None

    def q(self):
        q = Q()
        if self.service_id is not None:
            q &= Q(service_id=self.service_id)
        if self.status is not None:
            q &= Q(status=self.status)
        if self.colonia_id is not None:
            q &= Q(colonia_id=self.colonia_id)
        return q

    def key(self):
        return f"{self.service_id}:{self.status}:{self.colonia_id}"


def hour():
    """Now, to the hour: the clock of the map's 30 days. A resolution leaves the map within
    the hour after its 30 days, and the kept answers' version moves with it once an hour,
    not every minute: at ten million tickets a city view took 150 ms to build, and a clock by
    the minute rebuilt every view in every process each minute (docs/map.md)."""
    return timezone.now().replace(minute=0, second=0, microsecond=0)


def on_the_map(now=None, where=None):
    """The map's tickets as a condition, written so each arm reads one partial index:
    open with a point, or resolved in the last RESOLVED_DAYS days with a point. `where` (the
    view's box) is repeated inside each arm, where the index can use it."""
    since = (now or hour()) - timedelta(days=RESOLVED_DAYS)
    where = where or Q()
    has_point = Q(latitude__isnull=False)
    open_ = Q(status__in=OPEN_STATUSES) & has_point & where
    resolved = Q(status=Status.RESUELTO, resolved_at__gte=since) & has_point & where
    return open_ | resolved


def map_tickets(filters=None, now=None, where=None):
    return Ticket.objects.filter(on_the_map(now, where)).filter((filters or Filters()).q()).order_by()


# --- the filters, from the query string (the page's form and the JSON share them) ----------


def services():
    """(id, code, name) of every service, from this process's copy of the catalogue."""
    return catalogue.kept(
        "map-services", lambda: list(Service.objects.order_by("name").values_list("pk", "code", "name"))
    )


def colonias():
    """(id, label) of every colonia, from this process's copy of the catalogue."""

    def load():
        from tickets.models import Colonia

        return [(c.pk, f"{c.name} (CP {c.postal_code})") for c in Colonia.objects.order_by("name", "postal_code")]

    return catalogue.kept("map-colonias", load)


def filters_from(params):
    """Filters from `servicio` (code), `estado` (status) and `colonia` (id); BadRequest if unknown."""
    service_id = status = colonia_id = None
    code = (params.get("servicio") or "").strip()
    if code:
        found = [pk for pk, c, _ in services() if c == code]
        if not found:
            raise BadRequest("Ese servicio no existe en el catálogo.", "servicio")
        service_id = found[0]
    status = (params.get("estado") or "").strip() or None
    if status is not None and status not in MAP_STATUSES:
        raise BadRequest(
            "El estado debe ser uno de: "
            + ", ".join(MAP_STATUSES)
            + " (el mapa no muestra reportes cerrados sin atención).",
            "estado",
        )
    value = (params.get("colonia") or "").strip()
    if value:
        if not re.fullmatch(r"[0-9]{1,9}", value) or catalogue.colonia(int(value)) is None:
            raise BadRequest("Esa colonia no está en el catálogo.", "colonia")
        colonia_id = int(value)
    return Filters(service_id, status, colonia_id)


def view_from(params):
    """(west, south, east, north) and zoom from `bbox` and `zoom`; BadRequest when wrong."""
    text = (params.get("bbox") or "").strip()
    try:
        box = [float(part) for part in text.split(",")]
    except ValueError:
        box = []
    if len(box) != 4 or not all(math.isfinite(v) for v in box):
        raise BadRequest(
            "El parámetro bbox debe ser oeste,sur,este,norte en grados, por ejemplo -99.62,19.23,-99.56,19.27.", "bbox"
        )
    west, south, east, north = box
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise BadRequest(
            "El parámetro bbox debe ser oeste,sur,este,norte con oeste < este y sur < norte, "
            "longitudes entre -180 y 180 y latitudes entre -90 y 90.",
            "bbox",
        )
    zoom_text = (params.get("zoom") or "").strip()
    if not re.fullmatch(r"[0-9]{1,2}", zoom_text) or not MIN_ZOOM <= int(zoom_text) <= MAX_ZOOM:
        raise BadRequest(f"El parámetro zoom debe ser un número entero de {MIN_ZOOM} a {MAX_ZOOM}.", "zoom")
    zoom = int(zoom_text)
    size = float(cell_size(zoom))
    clipped = _clip(box)  # the cells that count are those of the city inside the view
    if clipped is not None:
        w, s, e, n = clipped
        if math.ceil((e - w) / size + 1) * math.ceil((n - s) / size + 1) > MAX_CELLS:
            raise BadRequest(
                "El área pedida es demasiado grande para ese acercamiento: pida un área menor o aleje el mapa.", "bbox"
            )
    return clipped, zoom


def _clip(box):
    west, south, east, north = box
    w, s, e, n = max(west, CITY[0]), max(south, CITY[1]), min(east, CITY[2]), min(north, CITY[3])
    return (w, s, e, n) if w < e and s < n else None


def cell_size(zoom):
    """The cluster grid's cell at `zoom`, in degrees (a tile spans 360 / 2^zoom of longitude)."""
    return Decimal(360) / (2**zoom) * CELL_PIXELS / 256


# --- the answer ----------------------------------------------------------------------------


class TooMany(Exception):
    """The caller asked for too many views that had to be built (429)."""


def answer(params, limited=lambda: False):
    """The JSON (bytes) for a view, kept per version of the tickets and hour; BadRequest.
    `limited()` is asked only when the answer must be built (a kept one costs nothing to
    protect): True refuses it with TooMany."""
    box, zoom = view_from(params)
    filters = filters_from(params)
    now = hour()
    if box is None:  # outside the city: nothing there, nothing to read
        return json.dumps(build(box, zoom, filters, now)).encode()
    store = caches["answers"]
    parts = (changes.recent_version(), now.isoformat(), box, zoom, filters.key())
    key = "map:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    content = store.get(key)
    if content is None:
        if limited():
            raise TooMany
        content = json.dumps(build(box, zoom, filters, now), ensure_ascii=False, separators=(",", ":")).encode()
        store.set(key, content, ANSWER_SECONDS)
    return content


def build(box, zoom, filters, now):
    """{"zoom", "reportes", "grupos": [...], "puntos": [...]} for the clipped box."""
    answer = {"zoom": zoom, "reportes": 0, "grupos": [], "puntos": []}
    if box is None:  # outside the city: nothing there
        return answer
    west, south, east, north = box
    inside = Q(
        latitude__gte=_deg(south), latitude__lte=_deg(north), longitude__gte=_deg(west), longitude__lte=_deg(east)
    )
    tickets = map_tickets(filters, now, inside)
    if zoom >= POINTS_FROM_ZOOM:
        rows = list(tickets.values_list("folio", "latitude", "longitude", "service_id", "status")[: MAX_POINTS + 1])
        if len(rows) <= MAX_POINTS:
            rows.sort()
            answer["puntos"] = [_point(*row) for row in rows]
            answer["reportes"] = len(rows)
            return answer
    size = cell_size(zoom)
    step = Value(size, output_field=DecimalField(max_digits=20, decimal_places=12))
    cells = (
        tickets.annotate(cx=Floor(F("longitude") / step), cy=Floor(F("latitude") / step))
        .values("cx", "cy")
        .annotate(
            n=Count("id"),
            lat=Avg(Round("latitude", geo.PUBLIC_PLACES)),
            lon=Avg(Round("longitude", geo.PUBLIC_PLACES)),
            folio=Max("folio"),
            service_id=Max("service_id"),
            status=Max("status"),
        )
        .values_list("n", "lat", "lon", "folio", "service_id", "status")
    )
    for n, lat, lon, folio, service_id, status in sorted(cells, key=lambda c: (-c[0], c[3])):
        answer["reportes"] += n
        if n == 1:  # a cell of one report is that report: its point, linked to its page
            answer["puntos"].append(_point(folio, lat, lon, service_id, status))
        else:
            answer["grupos"].append({"latitud": _public(lat), "longitud": _public(lon), "reportes": n})
    answer["puntos"].sort(key=lambda p: p["folio"])
    return answer


def _deg(value):
    return Decimal(repr(value))


def _public(value):
    """A coordinate as the open data publishes it (a number, 4 decimals)."""
    return float(geo.public_coordinate(Decimal(str(value))))


def _service_names():
    return catalogue.kept("map-service-names", lambda: {pk: (code, name) for pk, code, name in services()})


@functools.cache
def _ticket_url_pattern():
    return reverse("ticket_public", args=["FOLIO"]).replace("FOLIO", "{}")


def ticket_url(folio):
    """The report's public page (reversed once: a few hundred points per answer)."""
    return _ticket_url_pattern().format(folio)


def _point(folio, lat, lon, service_id, status):
    code, name = _service_names().get(service_id, ("", ""))
    return {
        "folio": folio,
        "latitud": _public(lat),
        "longitud": _public(lon),
        "servicio_codigo": code,
        "servicio": name,
        "estado": status,
        "estado_nombre": STATUS_LABELS[status],
        "estado_publico": public_bucket(status).value,
        "url": ticket_url(folio),
    }
