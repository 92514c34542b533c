"""Open311 GeoReport v2 at /open311/v2/: thin doors from the spec's HTTP to the lifecycle.

Every resource answers in `.xml` and `.json`; errors use the spec's document with 404
(unknown resource or jurisdiction), 403 (API key) and 400 (anything else). GET needs no
key; POST needs a key of an ApiClient (api/models.py). `api_key` and `jurisdiction_id` may
come in the query string or the form body, and an empty value counts as absent.
"""

import hashlib
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited

from api import caching
from api.models import ApiClient
from api.open311 import resources
from api.open311.formats import Open311Error, Rendered, error_response, render, respond
from metepec7311.security import client_address
from tickets import catalogue, lifecycle, photos, reporting
from tickets.folio import parse_folio
from tickets.models import Channel
from tickets.models.status import OPEN311_CLOSED, OPEN311_OPEN, statuses_for_open311

WINDOW = timedelta(days=90)  # the spec's default span, and the widest a client may ask for
LIMIT = 1000  # "or first 1000 requests returned, whichever is smallest"
IDEMPOTENCY_KEY_LIMIT = 100


def _param(request, name):
    """A parameter from the query string or the form body; empty means absent."""
    value = request.GET.get(name)
    if value in (None, "") and request.method == "POST":
        value = request.POST.get(name)
    value = (value or "").strip()
    if "\x00" in value:
        raise Open311Error(400, f"El parámetro {name} contiene caracteres no válidos.")
    return value or None


def resource(*methods, cache_seconds=None):
    """A resource in both formats, with the jurisdiction check and the spec's errors."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, fmt, **kwargs):
            try:
                if request.method not in methods:
                    raise Open311Error(400, f"Este recurso no admite {request.method}; use {' o '.join(methods)}.")
                jurisdiction = _param(request, "jurisdiction_id")
                if jurisdiction and jurisdiction != settings.OPEN311_JURISDICTION:
                    raise Open311Error(
                        404,
                        f"No existe la jurisdicción «{jurisdiction}»: este servidor atiende "
                        f"{settings.OPEN311_JURISDICTION}.",
                    )
                status, root, value = view(request, fmt, **kwargs)
            except Open311Error as error:
                return error_response(fmt, error.status, error.description, error.headers)
            except RequestDataTooBig:
                return error_response(fmt, 400, "El envío es demasiado grande (fotos de hasta 10 MB cada una).")
            except SuspiciousOperation:
                return error_response(fmt, 400, "La solicitud no se pudo leer.")
            return respond(fmt, root, value, status=status, cache_seconds=cache_seconds if status == 200 else None)

        return wrapper

    return decorator


def throttle_reads(request):
    """Anonymous reads per address (API_READ_RATE), for the answers that make the server work."""
    if request.method == "GET" and is_ratelimited(
        request, group="open311-read", key=client_address, rate=settings.API_READ_RATE, increment=True
    ):
        raise Open311Error(429, "Demasiadas consultas desde su dirección; espere un minuto.", {"Retry-After": "60"})


def not_found(request, fmt="xml", **kwargs):
    """Any other URL under /open311/v2/."""
    return error_response(fmt, 404, "No existe ese recurso de Open311 (consulte discovery.xml).")


@resource("GET", cache_seconds=300)
def discovery(request, fmt):
    throttle_reads(request)
    return 200, "discovery", resources.discovery(request.build_absolute_uri("/open311/v2"))


@resource("GET", cache_seconds=300)
def services(request, fmt):
    def build():
        throttle_reads(request)
        return render(fmt, "services", [resources.service(item) for item in resources.reportable_services()])

    # The same for everyone until the catalogue changes.
    content, _ = caching.cached("open311:services", (fmt,), build, version=catalogue.version)
    return 200, "services", Rendered(content)


@resource("GET", cache_seconds=300)
def service_definition(request, fmt, code):
    def build():
        throttle_reads(request)
        item = resources.reportable_services().filter(code=code).first()
        if item is None:
            raise Open311Error(404, f"No existe el servicio «{code}» (o no se reporta en línea).")
        return render(fmt, "service_definition", resources.service_definition(item))

    content, _ = caching.cached("open311:service", (fmt, code), build, version=catalogue.version)
    return 200, "service_definition", Rendered(content)


# --- GET requests -----------------------------------------------------------------------------


def _moment(request, name):
    """A W3C date or date-time; a date alone is its first moment, in Metepec's time."""
    text = _param(request, name)
    if text is None:
        return None
    try:
        moment = parse_datetime(text.replace(" ", "+"))  # a "+" left unencoded arrives as a space
        if moment is None and (day := parse_date(text)) is not None:
            moment = datetime.combine(day, time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(400, f"{name} debe ser una fecha W3C, por ejemplo 2026-11-27T10:00:00-06:00.")
    # In UTC: PostgreSQL refuses offsets past ±15:59, which Python accepts (a 500 before).
    return (moment if timezone.is_aware(moment) else timezone.make_aware(moment)).astimezone(UTC)


def _positive(request, name, default, most):
    text = _param(request, name)
    if text is None:
        return default
    if not text.isdigit() or not 1 <= int(text) <= most:
        raise Open311Error(400, f"{name} debe ser un número entero de 1 a {most:,}.")
    return int(text)


def _listed(request, name):
    text = _param(request, name)
    return [part.strip() for part in text.split(",") if part.strip()] if text else []


def _window(request):
    """(start, end) of created_at: the client's, else the last 90 days up to the next whole
    minute (so that the same minute's requests share one cached answer)."""
    start, end = _moment(request, "start_date"), _moment(request, "end_date")
    if start and end and end < start:
        raise Open311Error(400, "end_date debe ser posterior a start_date.")
    if start and end and end - start > WINDOW:
        raise Open311Error(400, "start_date y end_date no pueden abarcar más de 90 días.")
    if start is None and end is None:
        end = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    start = start or end - WINDOW
    return start, end or start + WINDOW


def _requests_filter(request):
    """The query a GET requests means, as (description for the cache, queryset filter)."""
    ids = _listed(request, "service_request_id")
    if ids:  # "overrides all other arguments"
        folios = [folio for folio in (parse_folio(i) for i in ids[:LIMIT]) if folio]
        return {"folio__in": folios}, 1, LIMIT
    start, end = _window(request)
    conditions = {"created_at__gte": start, "created_at__lte": end}
    statuses = _listed(request, "status")
    if any(value not in (OPEN311_OPEN, OPEN311_CLOSED) for value in statuses):
        raise Open311Error(400, "status admite open, closed o ambos separados por coma.")
    if statuses and set(statuses) != {OPEN311_OPEN, OPEN311_CLOSED}:
        conditions["status__in"] = statuses_for_open311(statuses[0])
    codes = _listed(request, "service_code")
    if codes:
        conditions["service__code__in"] = codes
    page = _positive(request, "page", 1, 100_000)
    page_size = _positive(request, "page_size", LIMIT, LIMIT)
    return conditions, page, page_size


def _extensions(request):
    return (_param(request, "extensions") or "").lower() in ("true", "1", "yes")


@resource("GET", "POST")
def requests(request, fmt):
    if request.method == "POST":
        return create_request(request, fmt)
    conditions, page, page_size = _requests_filter(request)
    extensions = _extensions(request)
    absolute = request.build_absolute_uri

    def build():
        throttle_reads(request)
        offset = (page - 1) * page_size
        tickets = resources.requests_queryset(extensions=extensions).filter(**conditions)[offset : offset + page_size]
        items = [resources.request_item(t, fmt=fmt, absolute=absolute, extensions=extensions) for t in tickets]
        return render(fmt, "service_requests", items)

    # The same answer for everyone until a ticket changes (api/caching.py).
    parts = (fmt, absolute("/"), sorted((k, str(v)) for k, v in conditions.items()), page, page_size, extensions)
    content, _ = caching.cached("open311:requests", parts, build)
    return 200, "service_requests", Rendered(content)


@resource("GET")
def request_detail(request, fmt, request_id):
    throttle_reads(request)
    folio = parse_folio(request_id)
    ticket = resources.requests_queryset(extensions=_extensions(request)).filter(folio=folio).first() if folio else None
    if ticket is None:
        raise Open311Error(404, f"No existe la solicitud «{request_id}».")
    item = resources.request_item(ticket, fmt=fmt, absolute=request.build_absolute_uri, extensions=_extensions(request))
    return 200, "service_requests", [item]


@resource("GET")
def token_detail(request, fmt, token):
    throttle_reads(request)
    receipt = reporting.receipt_for(f"open311:{token}")
    if receipt is None:
        raise Open311Error(404, f"No existe el token «{token}».")
    return 200, "service_requests", [{"service_request_id": receipt.ticket.folio, "token": token}]


@resource("GET", cache_seconds=60)
def request_updates(request, fmt):
    throttle_reads(request)
    start, end = _window(request)
    page = _positive(request, "page", 1, 100_000)
    page_size = _positive(request, "page_size", LIMIT, LIMIT)
    offset = (page - 1) * page_size
    events = resources.updates_queryset().filter(created_at__gte=start, created_at__lte=end)[
        offset : offset + page_size
    ]
    absolute = request.build_absolute_uri
    return 200, "service_request_updates", [resources.update_item(event, absolute=absolute) for event in events]


# --- POST requests ----------------------------------------------------------------------------


def _client(request):
    key = _param(request, "api_key")
    if key is None:
        raise Open311Error(403, "Falta api_key: enviar reportes requiere una clave de la Gerencia de la Ciudad.")
    client = ApiClient.objects.authenticate(key)
    if client is None:
        raise Open311Error(403, "La api_key no es válida o fue revocada.")
    return client


def _coordinate(request, name):
    text = _param(request, name)
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Open311Error(400, f"{name} debe ser un número (grados WGS84).") from None
    if not value.is_finite() or abs(value) > 180:
        raise Open311Error(400, f"{name} debe ser un número (grados WGS84).")
    return value


def _attributes(request):
    """attribute[CODE]=v and attribute[CODE][]=v1&attribute[CODE][]=v2, as {CODE: v | [v…]}.
    An empty value is an absent one (the spec's rule for every optional parameter)."""
    answers = {}
    for name in request.POST:
        if not (name.startswith("attribute[") and name.endswith("]")):
            continue
        inner = name[len("attribute[") : -1]
        if inner.endswith("]["):
            values = [v for v in request.POST.getlist(name) if v.strip()]
            if values:
                answers[inner[:-2]] = values
        elif request.POST.get(name, "").strip():
            answers[inner] = request.POST.get(name)
    return answers


def _fingerprint(request):
    digest = hashlib.sha256()
    for name in sorted(request.POST):
        if name != "api_key":
            digest.update(f"{name}={request.POST.getlist(name)}\x1f".encode())
    for upload in request.FILES.getlist("media"):
        digest.update(f"media:{upload.name}:{upload.size}\x1f".encode())
    return digest.hexdigest()


def _refusal(refusal):
    messages = [message for field_messages in refusal.errors.values() for message in field_messages]
    return Open311Error(403 if refusal.kind == "forbidden" else 400, " ".join(messages))


def create_request(request, fmt):
    client = _client(request)
    code = _param(request, "service_code")
    if code is None:
        raise Open311Error(400, "Falta service_code.")
    service = catalogue.service(code)
    if service is None:
        raise Open311Error(404, f"No existe el servicio «{code}».")
    latitude, longitude = _coordinate(request, "lat"), _coordinate(request, "long")
    address = _param(request, "address_string") or _param(request, "address_id") or ""
    if latitude is None and longitude is None and not address:
        raise Open311Error(400, "Indique la ubicación: lat y long, o address_string.")
    key = request.headers.get("Idempotency-Key", "").strip() or None
    if key and (len(key) > IDEMPOTENCY_KEY_LIMIT or not key.isprintable()):
        raise Open311Error(400, f"Idempotency-Key admite hasta {IDEMPOTENCY_KEY_LIMIT} caracteres visibles.")
    if is_ratelimited(request, group="open311-post", key=lambda *_: client.prefix, rate=client.rate, increment=True):
        raise Open311Error(429, "Esta clave superó su límite de reportes; espere un momento.", {"Retry-After": "60"})
    uploads = request.FILES.getlist("media")
    if len(uploads) > photos.MAX_PHOTOS:
        raise Open311Error(400, f"Puede enviar hasta {photos.MAX_PHOTOS} fotos (media).")
    try:
        cleaned = [photos.clean_photo(upload) for upload in uploads]
    except ValidationError as error:
        raise Open311Error(400, " ".join(error.messages)) from None
    name = " ".join(part for part in (_param(request, "first_name"), _param(request, "last_name")) if part)
    description = (request.POST.get("description") or "").replace("\r\n", "\n").replace("\r", "\n")
    label = f"{client.name} (Open311)"
    try:
        ticket, created = reporting.submit_report(
            key=f"open311:{key}" if key else None,
            fingerprint=_fingerprint(request),
            photos=cleaned,
            service=service,
            channel=Channel.API,
            description=description,
            address=address,
            latitude=latitude,
            longitude=longitude,
            reporter_name=name,
            reporter_phone=_param(request, "phone") or "",
            reporter_email=_param(request, "email") or "",
            attributes=_attributes(request),
            actor_label=label,
        )
    except reporting.KeyReused:
        raise Open311Error(400, "Esta Idempotency-Key ya se usó con otra solicitud distinta.") from None
    except lifecycle.Refused as refusal:
        raise _refusal(refusal) from None
    if created:
        for url in request.POST.getlist("media_url")[:3]:
            if url.strip():  # never fetched from here: staff open it if they need it
                lifecycle.ticket_add_note(
                    ticket=ticket,
                    actor=None,
                    via=lifecycle.Via.API,
                    actor_label=label,
                    text=f"El cliente envió una foto en: {url.strip()[:500]}",
                )
    notice = "Recibimos el reporte." + (
        f" Fecha compromiso de atención: {timezone.localtime(ticket.due_at):%d/%m/%Y %H:%M}." if ticket.due_at else ""
    )
    item = {"service_request_id": ticket.folio, "service_notice": notice, "account_id": None}
    # 200 whether created or replayed: the spec names no other success status, and clients
    # written against it test for 200.
    return 200, "service_requests", [item]
