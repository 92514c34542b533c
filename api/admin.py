"""The Gerencia's supervisors create and revoke API keys (Open311 clients) and staff tokens.
A new key is shown once, in the message after saving; only its hash is stored."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from rest_framework_api_key.models import APIKey

from api.models import ApiClient, StaffToken

# The library's own model is unused: our two credentials subclass its abstract one.
admin.site.unregister(APIKey)


class CredentialAdmin(admin.ModelAdmin):
    readonly_fields = ("prefix", "created", "last_used_at", "revoked", "revoked_at")
    actions = ["revoke"]

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the record says who could post and until when

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None and obj.revoked:
            fields += [f for f in self.get_fields(request, obj) if f not in fields]
        return fields

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        key = type(obj).objects.assign_key(obj)
        self.before_create(request, obj)
        obj.save()
        messages.warning(
            request,
            f"La clave de «{obj.name}» es: {key} — cópiela ahora y entréguela por un medio seguro: no se "
            "volverá a mostrar (solo guardamos una huella de ella).",
        )

    def before_create(self, request, obj):
        pass

    @admin.action(description="Revocar (ya no se podrá usar; no se deshace)")
    def revoke(self, request, queryset):
        count = 0
        for credential in queryset.filter(revoked=False):
            credential.revoke()
            count += 1
        messages.success(request, f"Revocadas: {count}.")


@admin.register(ApiClient)
class ApiClientAdmin(CredentialAdmin):
    list_display = ("name", "prefix", "contact", "rate", "created", "last_used_at", "expiry_date", "revoked")
    list_filter = ("revoked",)
    search_fields = ("name", "prefix", "contact")
    fields = ("name", "contact", "rate", "expiry_date", *CredentialAdmin.readonly_fields)

    def before_create(self, request, obj):
        obj.created_by = request.user


@admin.register(StaffToken)
class StaffTokenAdmin(CredentialAdmin):
    list_display = ("name", "user", "prefix", "created", "last_used_at", "expiry_date", "revoked")
    list_filter = ("revoked",)
    search_fields = ("name", "prefix", "user__username", "user__first_name", "user__last_name")
    list_select_related = ("user",)
    fields = ("user", "name", "expiry_date", *CredentialAdmin.readonly_fields)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
