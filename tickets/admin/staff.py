from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice

from metepec7311.two_factor import enrollment
from tickets.models import StaffProfile


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    verbose_name_plural = "Dependencia donde atiende tickets"


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = (
        "username", "first_name", "last_name", "email", "department", "two_factor", "is_staff", "is_active",
    )  # fmt: skip
    list_select_related = ("staff_profile__department",)
    actions = ["reset_two_factor"]

    def get_queryset(self, request):
        confirmed_app = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_two_factor=Exists(confirmed_app))

    @admin.display(description="dos pasos", boolean=True, ordering="has_two_factor")
    def two_factor(self, obj):
        return obj.has_two_factor

    @admin.action(description="Reiniciar la verificación en dos pasos (perdió su teléfono)", permissions=["change"])
    def reset_two_factor(self, request, queryset):
        # The person sets up a new phone at their next login (required) or when they choose.
        for user in queryset:
            enrollment.turn_off(user)
            self.log_change(request, user, "Verificación en dos pasos reiniciada.")
        self.message_user(request, f"Verificación en dos pasos reiniciada para {queryset.count()} cuenta(s).")

    @admin.display(description="dependencia")
    def department(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return profile.department if profile else "—"
