"""E-mails to staff. Sent from Celery tasks after the change is committed."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse


def staff_recipients(ticket):
    recipients = []
    if ticket.department.email:
        recipients.append(ticket.department.email)
    if ticket.assignee and ticket.assignee.email:
        recipients.append(ticket.assignee.email)
    return recipients


def send_reopened_notice(ticket):
    recipients = staff_recipients(ticket)
    if not recipients:
        return 0
    last = ticket.events.filter(kind="reopened").order_by("-created_at", "-id").first()
    link = settings.SITE_URL + reverse("admin:tickets_ticket_change", args=[ticket.pk])
    body = (
        f"El ticket {ticket.folio} ({ticket.service}) fue reabierto.\n\n"
        f"Motivo: {last.note if last else '—'}\n"
        f"Dirección: {ticket.address or '—'}\n\n"
        f"El plazo se reinició. Atiéndalo en {link}\n"
    )
    return send_mail(f"Ticket reabierto: {ticket.folio}", body, None, recipients)


def send_report_confirmation(ticket):
    from django.template.loader import render_to_string

    from tickets.formatting import due_in_words

    context = {
        "ticket": ticket,
        "due_words": due_in_words(ticket.due_at),
        "public_url": settings.SITE_URL + reverse("ticket_public", args=[ticket.folio]),
        "private_url": settings.SITE_URL + reverse("ticket_private", args=[ticket.folio, ticket.reporter_token]),
    }
    body = render_to_string("tickets/email/report_confirmation.txt", context)
    return send_mail(f"Recibimos su reporte: folio {ticket.folio}", body, None, [ticket.reporter_email])


def send_resolution_notice(ticket):
    from django.template.loader import render_to_string

    private = settings.SITE_URL + reverse("ticket_private", args=[ticket.folio, ticket.reporter_token])
    note = ticket.events.filter(kind="status", new_value="Resuelto").order_by("-created_at", "-id").first()
    context = {
        "ticket": ticket,
        "note": note.note if note else "",
        "yes_url": f"{private}?resuelto=si",
        "no_url": f"{private}?resuelto=no",
    }
    body = render_to_string("tickets/email/resolution.txt", context)
    return send_mail(f"Su reporte {ticket.folio} fue atendido", body, None, [ticket.reporter_email])
