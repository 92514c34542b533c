from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class PortalConfig(AppConfig):
    """The project package as an app: its system checks (metepec7311/checks.py)."""

    name = "metepec7311"
    verbose_name = "Metepec *7311"

    def ready(self):
        # django-otp's own device admins show each device's secret key; staff manage their
        # own app on the two-factor page and administrators reset it from the user list.
        from django.contrib import admin
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from . import checks  # noqa: F401  (registers the checks)

        for model in (TOTPDevice, StaticDevice):
            if admin.site.is_registered(model):
                admin.site.unregister(model)


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with the portal's site (two-factor step for staff)."""

    default_site = "metepec7311.admin_site.PortalAdminSite"
