"""The e-mails of residents' alerts, built by the outbox when it delivers them
(tickets/notifications.py calls these through its registry; alerts/apps.py registers them).

The address is read from the subscription then: an ended or deleted subscription gets
nothing ("sin destinatario"), and a digest lists only events that are still public.
"""

from collections import OrderedDict

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from alerts.digests import MAX_EVENTS
from alerts.models import AlertMessage, Subscription
from tickets.models import TicketEvent
from tickets.notifications import one_click_email
from tickets.timeline import entry


def link(name, *args):
    return settings.SITE_URL + reverse(name, args=args)


def _alert(notification):
    try:
        return AlertMessage.objects.select_related(
            "subscription__ticket", "subscription__colonia", "subscription__locality", "subscription__service"
        ).get(pk=notification.pk)
    except AlertMessage.DoesNotExist:  # the subscription was deleted (and the address with it)
        return None


def _email(subscription, subject, body):
    """One e-mail to the subscriber, with the one-click unsubscribe of RFC 8058."""
    return one_click_email(
        subject,
        body,
        subscription.email,
        link("alerts_unsubscribe", subscription.token),
        "\nPara dejar de recibir estos avisos (un clic, sin contraseña)",
    )


def confirmation(notification):
    alert = _alert(notification)
    if alert is None or alert.subscription.state != Subscription.State.PENDING:
        return None
    subscription = alert.subscription
    context = {
        "subscription": subscription,
        "what": subscription.of_what(),
        "confirm_url": link("alerts_confirm", subscription.token),
        "days": settings.ALERTS_CONFIRM_DAYS,
        "hours": settings.ALERTS_DIGEST_HOURS,
    }
    body = render_to_string("alerts/email/confirm.txt", context)
    return _email(subscription, "Confirme sus avisos de Metepec *7311", body)


def digest(notification):
    alert = _alert(notification)
    if alert is None or alert.subscription.state != Subscription.State.ACTIVE:
        return None
    subscription = alert.subscription
    events = list(
        TicketEvent.objects.filter(pk__in=alert.events[:MAX_EVENTS], is_public=True)
        .select_related("ticket__service", "ticket__colonia", "ticket__department")
        .order_by("created_at", "id")
    )
    if not events:
        return None
    follows_ticket = subscription.scope == Subscription.Scope.TICKET
    tickets = OrderedDict()
    for event in events:
        told = entry(event, str(event.ticket.department))
        if told is None:
            continue
        if not follows_ticket:  # an area hears what happened, not the staff's notes
            told.text = ""
        tickets.setdefault(event.ticket_id, (event.ticket, []))[1].append(told)
    if not tickets:
        return None
    context = {
        "subscription": subscription,
        "what": subscription.of_what(),
        "tickets": [
            {"ticket": ticket, "entries": entries, "url": link("ticket_public", ticket.folio)}
            for ticket, entries in tickets.values()
        ],
        "more": max(0, len(alert.events) - MAX_EVENTS),
        "feed_url": feed_url(subscription),
        "hours": settings.ALERTS_DIGEST_HOURS,
    }
    body = render_to_string("alerts/email/digest.txt", context)
    count = len(alert.events)
    subject = f"Avisos {context['what']}: {count} cambio{'s' if count != 1 else ''}"
    return _email(subscription, subject[:150], body)


def feed_url(subscription):
    """The public feed nearest to what the subscription follows (colonia, service), if any."""
    params = []
    if subscription.colonia_id:
        params.append(f"colonia={subscription.colonia_id}")
    if subscription.service_id:
        params.append(f"servicio={subscription.service.code}")
    if not params:
        return ""
    return link("alerts_feed_rss") + "?" + "&".join(params)
