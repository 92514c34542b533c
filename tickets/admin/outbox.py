"""Avisos por correo: the outbox as supervisors see it — what was promised, what was sent,
what failed and why — and a way to send failed ones again (tickets/outbox.py)."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from tickets import outbox
from tickets.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "ticket_link",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["state", "kind"]
    search_fields = ["ticket__folio"]
    list_select_related = ["ticket"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    # The record of what the portal promised: nothing here is edited by hand.
    readonly_fields = [field.name for field in Notification._meta.fields]

    @admin.display(description="ticket", ordering="ticket__folio")
    def ticket_link(self, notification):
        if notification.ticket_id is None:  # a department's digest, a resident's alert
            return "—"
        url = reverse("admin:tickets_ticket_change", args=[notification.ticket_id])
        return format_html('<a href="{}">{}</a>', url, notification.ticket.folio)

    @admin.action(description="Enviar de nuevo los avisos seleccionados", permissions=["change"])
    def send_again(self, request, queryset):
        count = outbox.send_again(queryset)
        self.message_user(request, f"{count} aviso(s) en camino de nuevo.", messages.SUCCESS)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
