"""/avisos/: residents follow an area or a report by e-mail (double opt-in), confirm, and
unsubscribe with one click (docs/alerts.md)."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited

from alerts import subscriptions
from alerts.forms import AreaForm, FollowTicketForm
from alerts.models import Subscription
from metepec7311.security import client_address
from tickets.folio import parse_folio
from tickets.models import Service, Ticket


def rate_limited(request):
    """Too many subscription requests from one address (ALERTS_RATE_LIMITS), as the report
    form's limits count (tickets/reporting.py)."""
    return any(
        is_ratelimited(request, group=f"alerts-{rate}", key=client_address, rate=rate, increment=True)
        for rate in settings.ALERTS_RATE_LIMITS
    )


def _initial(request):
    """Links from elsewhere may choose the target: ?colonia=<id>, ?servicio=<code>,
    ?lat=&lon= (a point: a circle around it)."""
    initial = {}
    if request.GET.get("colonia", "").isdigit():
        initial.update(scope=Subscription.Scope.COLONIA, colonia=request.GET["colonia"])
    if request.GET.get("servicio"):
        service = Service.objects.filter(code=request.GET["servicio"], is_active=True).first()
        if service:
            initial["service"] = service.code
    if request.GET.get("lat") and request.GET.get("lon"):
        initial.update(scope=Subscription.Scope.CIRCLE, latitude=request.GET["lat"], longitude=request.GET["lon"])
    return initial


def subscribe(request):
    """Follow a colonia, a locality or a circle, optionally one service."""
    if request.method == "POST":
        form = AreaForm(request.POST)
        if form.is_valid():
            if rate_limited(request):
                return render(request, "alerts/subscribe.html", {"form": form, "limited": True}, status=429)
            subscriptions.subscribe(email=form.cleaned_data["email"], **form.target())
            return redirect("alerts_pending")
        return render(request, "alerts/subscribe.html", {"form": form}, status=400)
    return render(request, "alerts/subscribe.html", {"form": AreaForm(initial=_initial(request))})


# The form comes from the public page of the report, which is kept whole and served to every
# visitor alike (metepec7311/pagecache.py): a CSRF token would make it personal. A forged
# request can do no more than the form itself: ask for a confirmation e-mail, at most one a
# day per address and target, within the rate limits; nothing is sent until its owner confirms.
@csrf_exempt
def follow_ticket(request, folio):
    ticket = Ticket.objects.select_related("service", "colonia").filter(folio=parse_folio(folio) or "").first()
    if ticket is None:
        raise Http404("No existe ese folio.")
    form = FollowTicketForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        if rate_limited(request):
            return render(request, "alerts/follow.html", {"form": form, "ticket": ticket, "limited": True}, status=429)
        subscriptions.subscribe(email=form.cleaned_data["email"], scope=Subscription.Scope.TICKET, ticket=ticket)
        return redirect("alerts_pending")
    status = 400 if form.is_bound else 200
    return render(request, "alerts/follow.html", {"form": form, "ticket": ticket}, status=status)


def pending(request):
    """The same answer whether or not the address was known (nothing about a subscriber is
    revealed to whoever types an address)."""
    return render(request, "alerts/pending.html", {"days": settings.ALERTS_CONFIRM_DAYS})


def confirm(request, token):
    """GET shows a button (mail scanners open links; they must not subscribe anyone), POST
    confirms."""
    subscription = subscriptions.by_token(token)
    if subscription is None or subscription.state == Subscription.State.ENDED:
        return render(request, "alerts/link_gone.html", status=404)
    if request.method == "POST":
        subscription = subscriptions.confirm(subscription)
    context = {
        "subscription": subscription,
        "what": subscription.of_what(),
        "hours": settings.ALERTS_DIGEST_HOURS,
        "expired": subscription.state == Subscription.State.PENDING and subscriptions.expired(subscription),
    }
    return render(request, "alerts/confirm.html", context)


@csrf_exempt
def unsubscribe(request, token):
    """As the report's unsubscribe (tickets/views/unsubscribe.py): GET shows a button, POST
    ends the subscription, including the one-click POST of RFC 8058 that mail programs send
    without a CSRF token: the token in the link is the authority, and it can only stop e-mails."""
    subscription = subscriptions.by_token(token)
    if subscription is None:
        return render(request, "alerts/link_gone.html", status=404)
    if request.method == "POST":
        subscription = subscriptions.end(subscription)
    context = {
        "subscription": subscription,
        "what": subscription.of_what(),
        "done": subscription.state == Subscription.State.ENDED,
    }
    return render(request, "alerts/unsubscribe.html", context)
