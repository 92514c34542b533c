"""The messages of the lifecycle and of the staff alerts, rendered from the ticket as it is
when they are delivered (tickets/outbox.py sends them). Addresses are read then, never
copied into the outbox, so erasing a reporter's data erases them everywhere; a staff member
who may no longer see the ticket is not told about it.

`build(notification)` returns something with `.send()` (an EmailMessage, or a text message
for the SMS channel), or None when there is nobody to tell any more: the outbox marks it
"sin destinatario".
"""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tickets import messaging, permissions
from tickets.formatting import due_in_words
from tickets.models import DepartmentAlerts, Notification, Status, TicketEvent
from tickets.timeline import entry

Kind = Notification.Kind
UNSUBSCRIBE_SALT = "tickets.unsubscribe"
# Builders of the kinds other apps own, registered by their AppConfig.ready() (alerts/apps.py):
# the outbox delivers them like its own, and this module needs not know those apps.
EXTRA_BUILDERS = {}


def register(kind, builder):
    EXTRA_BUILDERS[kind] = builder


def build(notification):
    """The message of a notification, or None when there is nobody to tell any more."""
    builder = {
        Kind.CONFIRMATION: report_confirmation,
        Kind.UPDATE: resident_update,
        Kind.RESOLVED: resolution_notice,
        Kind.REOPENED: reopened_notice,
        Kind.ASSIGNED: assigned_notice,
        Kind.DUE_SOON: due_soon_notice,
        Kind.OVERDUE: overdue_notice,
        Kind.DAILY_DIGEST: daily_digest,
    }.get(notification.kind) or EXTRA_BUILDERS[notification.kind]
    message = builder(notification)
    if isinstance(message, EmailMessage):
        # The same id on every attempt: a copy sent twice is recognisable as one message.
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].rstrip(">") or "metepec.gob.mx"
        message.extra_headers["Message-ID"] = f"<aviso-{notification.pk}@{domain}>"
    return message


def link(name, *args):
    return settings.SITE_URL + reverse(name, args=args)


# --- to the resident ---------------------------------------------------------------------


def unsubscribe_url(ticket):
    token = signing.Signer(salt=UNSUBSCRIBE_SALT).sign(ticket.folio).rpartition(":")[2]
    return link("ticket_unsubscribe", ticket.folio, token)


def may_tell_reporter(ticket):
    return bool(ticket.reporter_email) and ticket.reporter_unsubscribed_at is None


def one_click_email(subject, body, to, unsubscribe, says):
    """An e-mail to a resident ending with `says` and its unsubscribe link, which also works
    with one click from the mail client (RFC 8058 headers)."""
    message = EmailMessage(subject, f"{body}{says}: {unsubscribe}\n", None, [to])
    message.extra_headers.update(
        {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    )
    return message


def resident_email(ticket, subject, body):
    """An e-mail to the reporter with the one-click unsubscribe of RFC 8058."""
    return one_click_email(
        subject,
        body,
        ticket.reporter_email,
        unsubscribe_url(ticket),
        "\n\nPara no recibir más avisos de este reporte",
    )


def report_confirmation(notification):
    ticket = notification.ticket
    context = {
        "ticket": ticket,
        "due_words": due_in_words(ticket.due_at),
        "public_url": link("ticket_public", ticket.folio),
        "private_url": link("ticket_private", ticket.folio, ticket.reporter_token),
    }
    if notification.channel == Notification.Channel.SMS:
        if not ticket.reporter_phone or not messaging.enabled():
            return None
        text = (
            f"Metepec *7311: recibimos su reporte de {ticket.service.name.lower()}. Folio {ticket.folio}. "
            f"Siga el avance en {context['public_url']}"
        )
        return messaging.TextMessage(ticket.reporter_phone, text)
    if not ticket.reporter_email:
        return None
    body = render_to_string("tickets/email/report_confirmation.txt", context)
    return resident_email(ticket, f"Recibimos su reporte: folio {ticket.folio}", body)


# Public events the reporter is told about: what staff and the system did. Not the report
# itself (the confirmation says it), not the resolution (its own message asks whether it
# was resolved), not what the reporter did, not imported history.
TOLD_KINDS = (TicketEvent.Kind.STATUS, TicketEvent.Kind.ROUTED, TicketEvent.Kind.NOTE, TicketEvent.Kind.PHOTO,
              TicketEvent.Kind.REOPENED)  # fmt: skip


def tells_reporter(kind, *, actor, via, new=""):
    """Whether a public event of this kind, by this actor, is news for the reporter."""
    if kind not in TOLD_KINDS or via == TicketEvent.Via.IMPORTADO:
        return False
    if actor is None and via != TicketEvent.Via.SISTEMA:  # the reporter (or another resident)
        return False
    return not (kind == TicketEvent.Kind.STATUS and str(new) == Status.RESUELTO.label)


def resident_update(notification):
    """Everything public since the last update the reporter got, in one e-mail."""
    ticket = notification.ticket
    if not may_tell_reporter(ticket):
        return None
    told = (
        Notification.objects.filter(ticket=ticket, kind=Kind.UPDATE, state=Notification.State.SENT)
        .exclude(pk=notification.pk)
        .order_by("-covers_event")
        .values_list("covers_event", flat=True)
        .first()
    ) or 0
    events = [
        event
        for event in ticket.events.filter(is_public=True, pk__gt=told).order_by("created_at", "id")
        if tells_reporter(event.kind, actor=event.actor, via=event.via, new=event.new_value)
    ]
    entries = [e for e in (entry(event, str(ticket.department)) for event in events) if e is not None]
    if not entries:
        return None
    notification.covers_event = events[-1].pk
    context = {
        "ticket": ticket,
        "entries": entries,
        "status": ticket.get_status_display(),
        "due_words": due_in_words(ticket.due_at) if ticket.is_open else "",
        "public_url": link("ticket_public", ticket.folio),
        "private_url": link("ticket_private", ticket.folio, ticket.reporter_token),
    }
    body = render_to_string("tickets/email/update.txt", context)
    return resident_email(ticket, f"Avance de su reporte {ticket.folio}: {context['status']}", body)


def resolution_notice(notification):
    ticket = notification.ticket
    if not may_tell_reporter(ticket) or ticket.status != Status.RESUELTO:  # reopened since: no longer true
        return None
    private = link("ticket_private", ticket.folio, ticket.reporter_token)
    note = ticket.events.filter(kind="status", new_value="Resuelto").order_by("-created_at", "-id").first()
    context = {
        "ticket": ticket,
        "note": note.note if note else "",
        "yes_url": f"{private}?resuelto=si",
        "no_url": f"{private}?resuelto=no",
    }
    body = render_to_string("tickets/email/resolution.txt", context)
    return resident_email(ticket, f"Su reporte {ticket.folio} fue atendido", body)


# --- to staff ------------------------------------------------------------------------------


def staff_may_hear(user, ticket):
    return bool(user and user.is_active and user.email) and (ticket is None or permissions.can_view(user, ticket))


def staff_email(notification, subject, lines):
    recipient = notification.recipient
    if not staff_may_hear(recipient, notification.ticket):
        return None
    body = "\n".join(lines) + "\n\nGerencia de la Ciudad · Metepec *7311\n"
    return EmailMessage(subject, body, None, [recipient.email])


def ticket_lines(ticket):
    place = ", ".join(part for part in (ticket.address, ticket.colonia.name if ticket.colonia_id else "") if part)
    return [
        f"Folio: {ticket.folio} · {ticket.service}",
        f"Lugar: {place or '—'}",
        f"Estado: {ticket.get_status_display()} · Plazo: {due_in_words(ticket.due_at)}",
        f"Atiéndalo en {link('admin:tickets_ticket_change', ticket.pk)}",
    ]


def reopened_notice(notification):
    """To the department's mailbox and the assignee (unless the department turned it off)."""
    ticket = notification.ticket
    alerts = DepartmentAlerts.of(ticket.department)
    recipients = [ticket.department.email] if ticket.department.email else []
    if alerts.assignee_on_reopen and staff_may_hear(ticket.assignee, ticket):
        recipients.append(ticket.assignee.email)
    if not recipients:
        return None
    last = ticket.events.filter(kind="reopened").order_by("-created_at", "-id").first()
    body = (
        f"El ticket {ticket.folio} ({ticket.service}) fue reabierto.\n\n"
        f"Motivo: {last.note if last else '—'}\n"
        f"Dirección: {ticket.address or '—'}\n\n"
        f"El plazo se reinició. Atiéndalo en {link('admin:tickets_ticket_change', ticket.pk)}\n"
    )
    return EmailMessage(f"Ticket reabierto: {ticket.folio}", body, None, recipients)


def assigned_notice(notification):
    ticket = notification.ticket
    return staff_email(
        notification, f"Se le asignó el ticket {ticket.folio}", ["Se le asignó este ticket.", *ticket_lines(ticket)]
    )


def due_soon_notice(notification):
    ticket = notification.ticket
    if not ticket.is_open:
        return None
    return staff_email(
        notification,
        f"Por vencer: {ticket.folio}",
        [f"Al ticket le queda poco del plazo: vence {due_in_words(ticket.due_at)[len('a más tardar '):]}.",
         *ticket_lines(ticket)],
    )  # fmt: skip


def overdue_notice(notification):
    ticket = notification.ticket
    if not ticket.is_open:
        return None
    due = timezone.localtime(ticket.due_at)
    return staff_email(
        notification,
        f"Vencido: {ticket.folio}",
        [f"El ticket venció el {due:%d/%m/%Y a las %H:%M} y sigue abierto.", *ticket_lines(ticket)],
    )


def daily_digest(notification):
    from tickets import alerts

    department, recipient = notification.department, notification.recipient
    if not (recipient and recipient.is_active and recipient.email):
        return None
    if not (
        permissions.visible_department_id(recipient) == department.pk or recipient.has_perm("tickets.view_all_tickets")
    ):
        return None
    context = {"department": department, **alerts.digest_content(department, notification.created_at)}
    context["list_url"] = settings.SITE_URL + reverse("admin:tickets_ticket_changelist")
    body = render_to_string("tickets/email/daily_digest.txt", context)
    day = timezone.localtime(notification.created_at)
    return EmailMessage(f"Resumen del {day:%d/%m/%Y}: {department}", body, None, [recipient.email])
