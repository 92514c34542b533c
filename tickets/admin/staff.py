from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from tickets.models import StaffProfile


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    verbose_name_plural = "Dependencia donde atiende tickets"


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ("username", "first_name", "last_name", "email", "department", "is_staff", "is_active")
    list_select_related = ("staff_profile__department",)

    @admin.display(description="dependencia")
    def department(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return profile.department if profile else "—"
