"""/seguimiento/: look a ticket up by folio; its public page; the reporter's private page."""

from django.contrib import messages
from django.core.cache import caches
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from metepec7311 import pagecache
from surveys import satisfaction
from surveys.forms import SatisfactionForm
from tickets import lifecycle
from tickets.folio import legacy_candidates, parse_folio
from tickets.formatting import due_in_words
from tickets.forms import AddInfoForm, LookupForm, ReopenForm
from tickets.models import Status, Ticket
from tickets.timeline import public_timeline


def lookup(request):
    """The folio box. Tolerates spaces, lower case and a missing "7311-" prefix, and takes the
    number a ticket had in the system before this portal (imported history)."""
    form = LookupForm(request.GET or None)
    status, matches = 200, []
    if form.is_bound and form.is_valid():
        typed = form.cleaned_data["folio"]
        matches = folios_for(typed)
        if len(matches) == 1:
            return redirect("ticket_public", folio=matches[0])
        if not matches:
            form.add_error(
                "folio",
                f"No encontramos el folio «{typed}». Revise que esté completo, "
                "por ejemplo 7311-2026-000123, o escriba el número de su reporte anterior.",
            )
            status = 404
    return render(request, "tickets/track_lookup.html", {"form": form, "matches": matches}, status=status)


def folios_for(typed):
    """The folios a typed text may mean: the folio itself, or the tickets whose number in an
    earlier system (the legacy folio) it is — several when two systems used the same number."""
    folio = parse_folio(typed)
    if folio and Ticket.objects.filter(folio=folio).exists():
        return [folio]
    candidates = legacy_candidates(typed)
    if not candidates:
        return []
    return list(
        Ticket.objects.with_legacy_folio(candidates).order_by("created_at").values_list("folio", flat=True)[:10]
    )


def _ticket_or_404(folio):
    canonical = parse_folio(folio)
    ticket = (
        Ticket.objects.select_related("service", "department", "colonia", "colonia__delegacion", "locality", "parent")
        .filter(folio=canonical)
        .first()
        if canonical
        else None
    )
    if ticket is None:
        raise Http404("No existe ese folio.")
    return canonical, ticket


def ticket_public(request, folio):
    """The same for every visitor until the ticket changes, a deadline passes or the numbers
    are recomputed: served whole from memory in between (metepec7311/pagecache.py)."""
    pages = caches["pages"]
    ticket_id = None
    if parse_folio(folio) == folio:  # only a folio as written canonically is kept
        ticket_id = pages.get(f"folio:{folio}")  # folio → id, kept by each process
        if ticket_id is None:
            ticket_id = Ticket.objects.filter(folio=folio).values_list("pk", flat=True).first()
    # The versions are read before the ticket: a change committed in between is then stored
    # under a token that is already gone.
    found = pagecache.versions(ticket_id) if ticket_id else None
    key = f"page:ticket:{ticket_id}:{found[1][ticket_id]}:{found[0]}" if found else None
    fresh_for = [pagecache.SECONDS]

    def build():
        canonical, ticket = _ticket_or_404(folio)
        if canonical != folio:
            return redirect("ticket_public", folio=canonical, permanent=True)
        if ticket_id is not None:
            pages.set(f"folio:{folio}", ticket.pk, None)
        boundary = next_change_by_itself(ticket)
        if boundary is not None:
            fresh_for[0] = min(fresh_for[0], int((boundary - timezone.now()).total_seconds()))
        return render(request, "tickets/track_ticket.html", _context(ticket))

    return pagecache.serve(request, key, build, seconds=lambda response: fresh_for[0])


def next_change_by_itself(ticket, now=None):
    """When the page of an unchanged ticket still changes: its SLA state moving to "por
    vencer" or "vencido" (open tickets), or the year turning (dates then show their year)."""
    now = now or timezone.now()
    moments = [timezone.localtime(now).replace(month=12, day=31, hour=23, minute=59, second=59)]
    if ticket.is_open:
        moments += [m for m in (ticket.due_soon_at, ticket.due_at) if m is not None and m > now]
    return min(moments)


def _context(ticket, **extra):
    return {
        "ticket": ticket,
        "sla_state": ticket.sla_state_at(),
        "due_words": due_in_words(ticket.due_at),
        "timeline": public_timeline(ticket),
        "photos": ticket.photos.filter(is_public=True),
        **extra,
    }


def ticket_private(request, folio, token):
    """The reporter's page: add information while open; once resolved, "¿Se resolvió el
    problema?" — "No" reopens it (within the window), "Sí" asks for a 1–5 rating, once."""
    canonical, ticket = _ticket_or_404(folio)
    if ticket.reporter_token != token:
        raise Http404("Enlace no válido.")
    info_form, reopen_form = AddInfoForm(prefix="info"), ReopenForm(prefix="reopen")
    rating_form = SatisfactionForm(prefix="rate")
    answer = request.POST.get("resuelto") or request.GET.get("resuelto")
    # "No" reopened it: the rating that follows records an unsolved problem.
    unsolved = answer == "no" and ticket.status != Status.RESUELTO and satisfaction.may_rate_unsolved(ticket)
    status = 200
    if request.method == "POST":
        if "add_info" in request.POST and ticket.is_open:
            info_form = AddInfoForm(request.POST, request.FILES, prefix="info")
            if info_form.is_valid():
                try:
                    lifecycle.ticket_add_reporter_info(
                        ticket=ticket, text=info_form.cleaned_data["text"], photos=info_form.cleaned_data["photos"]
                    )
                except lifecycle.Refused as refusal:
                    info_form.add_error(None, refusal.message)
                else:
                    messages.success(request, "Gracias: agregamos su información al reporte.")
                    return redirect(request.path)
        elif "reopen" in request.POST and lifecycle.may_reopen(ticket):
            reopen_form = ReopenForm(request.POST, prefix="reopen")
            if reopen_form.is_valid():
                try:
                    lifecycle.ticket_reopen(ticket=ticket, reason=reopen_form.cleaned_data["comment"], actor=None)
                except lifecycle.Refused as refusal:
                    reopen_form.add_error(None, refusal.message)
                else:
                    messages.success(request, "Reabrimos su reporte y avisamos a la dependencia.")
                    return redirect(f"{request.path}?resuelto=no")  # then the rating
        elif "rate" in request.POST and (ticket.status == Status.RESUELTO or unsolved):
            rating_form = SatisfactionForm(request.POST, prefix="rate")
            if rating_form.is_valid():
                try:
                    satisfaction.rate(
                        ticket=ticket,
                        rating=rating_form.cleaned_data["rating"],
                        comment=rating_form.cleaned_data["comment"],
                        solved=not unsolved,
                    )
                except satisfaction.AlreadyRated:
                    messages.info(request, "Ya nos había dado su calificación de este reporte: gracias.")
                else:
                    messages.success(request, "Gracias por calificar la atención.")
                return redirect(request.path)
        status = 400
    resolved = ticket.status == Status.RESUELTO
    rated = satisfaction.existing(ticket) if resolved or unsolved else None
    wants_rating = (resolved and answer == "si") or unsolved
    context = _context(
        ticket,
        private=True,
        info_form=info_form if ticket.is_open else None,
        ask_resolved=resolved and rated is None and answer not in ("si", "no"),
        rating_form=rating_form if wants_rating and rated is None else None,
        rating_answer="no" if unsolved else "si",
        reopen_form=reopen_form if lifecycle.may_reopen(ticket) and answer == "no" else None,
        too_late_to_reopen=resolved and answer == "no" and not lifecycle.may_reopen(ticket),
        rated=rated,
        public_url=reverse("ticket_public", args=[ticket.folio]),
    )
    response = render(request, "tickets/track_ticket.html", context, status=status)
    # A private link must not leak to other sites through the Referer header, nor stay in
    # shared caches. ("no-referrer" would also make browsers send "Origin: null" on this
    # page's own forms, which CSRF protection rightly refuses.)
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response
