"""Suscripciones a avisos, for supervisors: what is followed and in which state. Addresses
are masked ("r•••@example.com"); a supervisor finds a person's subscriptions by typing the
whole address (a resident asking about their data), and only superusers see addresses whole.
Nothing is edited by hand: a subscription belongs to its subscriber (the unsubscribe link)."""

from django.contrib import admin

from alerts.models import Subscription


def mask(email):
    name, _, domain = email.partition("@")
    return f"{name[:1]}•••@{domain}" if domain else "•••"


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "address", "scope", "followed", "state", "confirmed_at", "next_digest_at"]
    list_filter = ["state", "scope"]
    list_select_related = ["ticket", "colonia", "locality", "service"]
    search_fields = ["=email"]  # the whole address only: no browsing by fragments
    search_help_text = "Escriba el correo completo."
    date_hierarchy = "created_at"
    fields = ["address", "scope", "followed", "state", "created_at", "confirmed_at", "ended_at", "covered_until",
              "next_digest_at"]  # fmt: skip
    readonly_fields = fields

    def get_list_display(self, request):
        if request.user.is_superuser:
            return [name if name != "address" else "email" for name in self.list_display]
        return self.list_display

    @admin.display(description="correo")
    def address(self, subscription):
        return mask(subscription.email)

    @admin.display(description="sigue")
    def followed(self, subscription):
        return subscription.describe()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
