"""/mapa/ (the map with the list of the same reports beside it) and /mapa/puntos.json."""

import json
import re

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

from metepec7311 import pagecache
from metepec7311.security import client_address
from stats import publicmap
from tickets import changes
from tickets.models import Ticket

PER_PAGE = 20
MAX_PAGES = 50  # past 1,000 reports a list is narrowed with the filters, not paged


def points(request):
    """Clusters or points for a view: ?bbox=w,s,e,n&zoom=z[&servicio=&estado=&colonia=]."""

    def limited():  # anonymous reads per address, as the APIs count them (API_READ_RATE)
        return is_ratelimited(
            request, group="map-read", key=client_address, rate=settings.API_READ_RATE, increment=True
        )

    try:
        content = publicmap.answer(request.GET, limited)
    except publicmap.BadRequest as problem:
        return _error(400, problem.message, "invalid", {problem.field: [problem.message]})
    except publicmap.TooMany:
        response = _error(429, "Demasiadas solicitudes desde su conexión; espere un minuto.", "throttled")
        response["Retry-After"] = "60"
        return response
    # No Cache-Control: the server keeps the answer until a ticket changes; a browser asking
    # again must hear of a new report at once.
    return HttpResponse(content, content_type="application/json")


def _error(status, detail, code, errors=None):
    """The REST API's error body (docs/api.md), in Spanish."""
    body = {"detail": detail, "code": code, "errors": errors or {}}
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type="application/json")


def map_page(request):
    """The same for every visitor until a ticket changes (or the hour turns: a resolution
    ages out after 30 days): kept whole per version, snapshot and query string."""
    found = pagecache.versions()
    key = None
    if found:
        tickets = f"{changes.recent_version()}:{publicmap.hour().isoformat()}"
        key = f"page:mapa:{found[0]}:{tickets}:{request.GET.urlencode()}"
    return pagecache.serve(request, key, lambda: _map_page(request))


def _page_number(value):
    return int(value) if re.fullmatch(r"[0-9]{1,3}", value) and 1 <= int(value) <= MAX_PAGES else None


def _map_page(request):
    problem, filters = None, publicmap.Filters()
    try:
        filters = publicmap.filters_from(request.GET)
    except publicmap.BadRequest as refused:
        problem = refused
    number = _page_number(request.GET.get("pagina") or "1")
    if number is None:
        problem = problem or publicmap.BadRequest(
            f"La lista llega hasta la página {MAX_PAGES}; use los filtros.", "pagina"
        )
        number = 1
    reports, more = [], False
    if problem is None:
        rows = list(
            publicmap.map_tickets(filters)
            .select_related("service", "colonia")
            .only(
                "folio",
                "status",
                "created_at",
                "resolved_at",
                "service__name",
                "colonia__name",
                "latitude",
                "longitude",
            )
            .order_by("-created_at", "-id")[(number - 1) * PER_PAGE : number * PER_PAGE + 1]
        )
        more = len(rows) > PER_PAGE
        reports = [_item(ticket) for ticket in rows[:PER_PAGE]]
    query = request.GET.copy()
    query.pop("pagina", None)
    selected = {name: (request.GET.get(name) or "").strip() for name in ("servicio", "estado", "colonia")}
    context = {
        "reports": reports,
        "problem": problem,
        "page": number,
        "previous_page": number - 1 if number > 1 else None,
        "next_page": number + 1 if more and number < MAX_PAGES else None,
        "query": query.urlencode(),
        "filtered": any(selected.values()),
        "selected": selected,
        "services": [(code, name) for _, code, name in publicmap.services()],
        "statuses": [(s, publicmap.STATUS_LABELS[s]) for s in publicmap.MAP_STATUSES],
        "colonias": [(str(pk), label) for pk, label in publicmap.colonias()],
        "resolved_days": publicmap.RESOLVED_DAYS,
        "map_tiles": settings.MAP_TILE_URL,
        "map_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    return render(request, "stats/map.html", context, status=400 if problem else 200)


def _item(ticket: Ticket):
    return {
        "folio": ticket.folio,
        "url": publicmap.ticket_url(ticket.folio),
        "service": ticket.service.name,
        "status": ticket.status,
        "status_label": publicmap.STATUS_LABELS[ticket.status],
        "bucket": ticket.public_bucket.value,
        "colonia": ticket.colonia.name if ticket.colonia_id else "",
        "created_at": ticket.created_at,
        "resolved_at": ticket.resolved_at if ticket.status == "resuelto" else None,
    }
