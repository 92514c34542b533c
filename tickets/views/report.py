"""/reportar/: choose a service, describe the problem, get a folio.

Nothing a resident typed is lost: a form with errors comes back filled in, photos already
sent are kept (PendingPhoto) and shown, and sending twice creates one ticket.
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from tickets import catalogue, geo, lifecycle, photos, reporting
from tickets.formatting import due_in_words
from tickets.forms import ReportForm
from tickets.models import Channel, PendingPhoto, Service, Submission, Ticket


def service_list(request):
    """Step 1: the services residents report, grouped as the catalogue groups them."""
    groups = {}
    for service in Service.objects.reportable_by_residents().order_by("group", "name"):
        groups.setdefault(service.group, []).append(service)
    return render(request, "tickets/report_services.html", {"groups": groups})


def _pending_for(request):
    """Photos kept from an earlier attempt that the resident left ticked."""
    values = request.POST.getlist("pending_photos")[:3]
    if not values:  # the usual first send: nothing kept, no query to build
        return []
    keys = []
    for value in values:
        try:
            keys.append(uuid.UUID(value))
        except ValueError:
            continue  # a mangled key is ignored; the rest of the form still counts
    return list(PendingPhoto.objects.filter(key__in=keys))


def report_form(request, code):
    """Step 2: where, what, photos, contact. POST creates the ticket (or follows one)."""
    service = catalogue.reportable(code)  # with its department and questions, cached
    if service is None:
        raise Http404("No existe ese servicio en el formulario ciudadano.")
    if request.method != "POST":
        form = ReportForm(service=service, initial={"submission_key": ReportForm.new_key()})
        return _render(request, service, form)

    # A double click, reload or retry is answered with what the first send did. A valid form
    # is not looked up first: the receipt's unique key refuses a resend inside the report's
    # own statement (tickets/reporting.py), which saves a query on nearly every report.
    form = ReportForm(request.POST, request.FILES, service=service, pending=_pending_for(request))
    if not form.is_valid():
        previous = reporting.receipt_for(request.POST.get("submission_key", ""))
        if previous:  # e.g. its kept photos went with the first send
            return _answer(request, previous.ticket, previous.action)
        return _render_kept(request, service, form, status=400)

    data = form.cleaned_data
    if "follow" in request.POST:
        return _follow(request, service, form)

    nearby = []
    if not request.POST.get("confirm_new"):
        nearby = reporting.find_nearby(
            service=service, colonia=data["colonia"], latitude=data["latitude"], longitude=data["longitude"]
        )
    if nearby:
        # The "nearby" ticket may be this very form's, committed by a simultaneous send of it
        # (ticket and receipt commit together, so the receipt is visible now if so).
        previous = reporting.receipt_for(data["submission_key"])
        if previous:
            return _answer(request, previous.ticket, previous.action)
        return _render_kept(request, service, form, nearby=nearby)

    if reporting.rate_limited(request):
        return _resent(request, data["submission_key"]) or _render_kept(
            request, service, form, status=429, limited=True
        )

    try:
        ticket, created = reporting.submit_report(
            key=data["submission_key"],
            looked_up=True,  # not looked up: the key's unique index tells a resend
            photos=data["photos"],
            pending_keys=[p.key for p in form.pending],
            service=service,
            description=data["description"],
            channel=Channel.WEB,
            address=data["address"],
            colonia=data["colonia"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            reporter_name=data["reporter_name"],
            reporter_phone=data["reporter_phone"],
            reporter_email=data["reporter_email"],
            attributes=form.attributes(),
            checked=form.checked,  # the form's own check of this report, not made twice
        )
    except lifecycle.Refused as refusal:
        form.add_refusal(refusal)
        return _render_kept(request, service, form, status=400)
    if not created:  # a resend that came in while the first was being saved, or just after
        return _resent(request, data["submission_key"]) or redirect("ticket_public", folio=ticket.folio)
    if getattr(ticket, "photos_not_stored", 0):
        messages.warning(
            request,
            "Su reporte quedó registrado, pero sus fotos no se pudieron guardar por una falla de nuestro lado. "
            "Puede agregarlas en unos minutos desde su enlace privado (abajo).",
        )
    return _answer(request, ticket, Submission.Action.CREATED)


def _resent(request, key):
    """The answer to a form sent again (None if it was not): what the first send did, and
    this send's count against the limits given back. Its receipt says what that was: a
    report, or a resident added to someone else's (whose private link is never given)."""
    previous = reporting.receipt_for(key)
    if previous is None:
        return None
    reporting.not_counted(request)
    return _answer(request, previous.ticket, previous.action)


def _follow(request, service, form):
    data = form.cleaned_data
    nearby = reporting.find_nearby(
        service=service, colonia=data["colonia"], latitude=data["latitude"], longitude=data["longitude"]
    )
    ticket = next((t for t in nearby if str(t.pk) == request.POST.get("follow")), None)
    if ticket is None:
        form.add_error(None, "Ese reporte ya no está abierto. Revise la lista o envíe el suyo.")
        return _render_kept(request, service, form, nearby=nearby, status=400)
    # "Es el mismo: sumarme" counts as a report for the limits (it writes a note and moves a
    # public count); the same form sent again is answered from its receipt, not counted.
    previous = reporting.receipt_for(data["submission_key"])
    if previous:
        return _answer(request, previous.ticket, previous.action)
    if reporting.rate_limited(request):
        return _render_kept(request, service, form, nearby=nearby, status=429, limited=True)
    try:
        reporting.follow_report(key=data["submission_key"], ticket=ticket, note=data["description"])
    except lifecycle.Refused as refusal:
        form.add_error(None, refusal.message)
        return _render_kept(request, service, form, nearby=nearby, status=400)
    return _answer(request, ticket, Submission.Action.FOLLOWED)


def _answer(request, ticket, action):
    if action == Submission.Action.FOLLOWED:
        messages.success(request, f"Gracias: sumamos su reporte al folio {ticket.folio}. Ya lo puede seguir aquí.")
        return redirect("ticket_public", folio=ticket.folio)
    return redirect("report_done", token=ticket.reporter_token)


def _render_kept(request, service, form, *, status=200, **extra):
    """Re-render with everything typed. Photos that passed their checks are stored and
    listed as already attached, because a browser never refills a file input."""
    cleaned = getattr(form, "cleaned_data", {})
    pending = list(form.pending)
    if cleaned.get("photos"):
        # Kept photos are shown back on the form: cleaned first (a form sent with errors is
        # the exception, so its photos' cost stays in this request).
        keys = reporting.keep_pending(_cleaned(cleaned["photos"]))
        if keys is None:
            form.add_error(None, "No pudimos conservar sus fotos por una falla de nuestro lado: vuelva a elegirlas.")
        else:
            pending += list(PendingPhoto.objects.filter(key__in=keys))
    return _render(request, service, form, status=status, pending=pending, **extra)


def _cleaned(received):
    kept = []
    for photo in received:
        try:
            kept.append(photos.clean_photo(photo) if getattr(photo, "needs_cleaning", False) else photo)
        except ValidationError:
            continue  # its pixels do not decode: not kept, the resident picks it again
    return kept


def _render(request, service, form, status=200, pending=(), **extra):
    context = {
        "pending": pending,
        "service": service,
        "form": form,
        "map_tiles": settings.MAP_TILE_URL,
        "map_attribution": settings.MAP_TILE_ATTRIBUTION,
        **extra,
    }
    return render(request, "tickets/report_form.html", context, status=status)


def report_done(request, token):
    """The confirmation: folio, due date in words, the public and the private link."""
    ticket = Ticket.objects.select_related("service", "department", "colonia").filter(reporter_token=token).first()
    if ticket is None:
        raise Http404("No existe ese reporte.")
    private_url = request.build_absolute_uri(reverse("ticket_private", args=[ticket.folio, token]))
    response = render(
        request,
        "tickets/report_done.html",
        {
            "ticket": ticket,
            "due_words": due_in_words(ticket.due_at),
            "private_url": private_url,
            "photos_processing": ticket.incoming_photos.count(),
        },
    )
    # The app's worker sends offline reports with fetch(): the folio it keeps comes from here.
    response["X-Folio"] = ticket.folio
    return response


@require_GET
def place(request):
    """Where a point lies, for the report form: its INEGI locality and that locality's
    colonias, which the form lists first (the resident still chooses)."""
    try:
        latitude = float(request.GET["lat"])
        longitude = float(request.GET["lon"])
    except (KeyError, ValueError):
        return JsonResponse({"error": "Indique lat y lon como números."}, status=400)
    if not geo.inside_municipality(latitude, longitude):
        return JsonResponse({"locality": None, "colonias": [], "inside": False})
    locality = catalogue.locality_colonias(geo.locality_id_for(latitude, longitude))
    response = JsonResponse({"inside": True, **locality})
    response["Cache-Control"] = "public, max-age=3600"
    return response
