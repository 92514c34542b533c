"""The e-mails of the lifecycle, rendered from the ticket as it is when they are delivered
(tickets/outbox.py sends them). Addresses are read from the ticket then, never copied into
the outbox, so erasing a reporter's data erases them everywhere."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from tickets.formatting import due_in_words
from tickets.models import Notification, Status

Kind = Notification.Kind


def build(notification):
    """The EmailMessage of a notification, or None when there is nobody to tell any more."""
    ticket = notification.ticket
    if notification.kind == Kind.CONFIRMATION:
        message = report_confirmation(ticket)
    elif notification.kind == Kind.RESOLVED:
        message = resolution_notice(ticket)
    else:
        message = reopened_notice(ticket)
    if message is not None:
        # The same id on every attempt: a copy sent twice is recognisable as one message.
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].rstrip(">") or "metepec.gob.mx"
        message.extra_headers["Message-ID"] = f"<aviso-{notification.pk}@{domain}>"
    return message


def staff_recipients(ticket):
    recipients = []
    if ticket.department.email:
        recipients.append(ticket.department.email)
    if ticket.assignee and ticket.assignee.email:
        recipients.append(ticket.assignee.email)
    return recipients


def reopened_notice(ticket):
    recipients = staff_recipients(ticket)
    if not recipients:
        return None
    last = ticket.events.filter(kind="reopened").order_by("-created_at", "-id").first()
    link = settings.SITE_URL + reverse("admin:tickets_ticket_change", args=[ticket.pk])
    body = (
        f"El ticket {ticket.folio} ({ticket.service}) fue reabierto.\n\n"
        f"Motivo: {last.note if last else '—'}\n"
        f"Dirección: {ticket.address or '—'}\n\n"
        f"El plazo se reinició. Atiéndalo en {link}\n"
    )
    return EmailMessage(f"Ticket reabierto: {ticket.folio}", body, None, recipients)


def report_confirmation(ticket):
    if not ticket.reporter_email:
        return None
    context = {
        "ticket": ticket,
        "due_words": due_in_words(ticket.due_at),
        "public_url": settings.SITE_URL + reverse("ticket_public", args=[ticket.folio]),
        "private_url": settings.SITE_URL + reverse("ticket_private", args=[ticket.folio, ticket.reporter_token]),
    }
    body = render_to_string("tickets/email/report_confirmation.txt", context)
    return EmailMessage(f"Recibimos su reporte: folio {ticket.folio}", body, None, [ticket.reporter_email])


def resolution_notice(ticket):
    if not ticket.reporter_email or ticket.status != Status.RESUELTO:  # reopened since: no longer true
        return None
    private = settings.SITE_URL + reverse("ticket_private", args=[ticket.folio, ticket.reporter_token])
    note = ticket.events.filter(kind="status", new_value="Resuelto").order_by("-created_at", "-id").first()
    context = {
        "ticket": ticket,
        "note": note.note if note else "",
        "yes_url": f"{private}?resuelto=si",
        "no_url": f"{private}?resuelto=no",
    }
    body = render_to_string("tickets/email/resolution.txt", context)
    return EmailMessage(f"Su reporte {ticket.folio} fue atendido", body, None, [ticket.reporter_email])
