"""Test clients whose `force_login` signs staff in as they really are once in: with their
password and, for those who use one, their second factor (metepec7311/two_factor)."""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from metepec7311.two_factor import policy


def authenticator_app(user):
    """The user's confirmed app, set up now if they have none (as they would at first login)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Aplicación de prueba", confirmed=True)


class BothFactorsMixin:
    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        if policy.second_factor_required(user) or policy.has_second_factor(user):
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = authenticator_app(user).persistent_id
            session.save()

    def password_only_login(self, user):
        """Signed in with the password, the second step not yet done."""
        super().force_login(user)


class StaffClient(BothFactorsMixin, Client):
    pass


class StaffAPIClient(BothFactorsMixin, APIClient):
    pass
