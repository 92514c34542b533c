"""Who is calling the REST API: a staff member by personal token (a tablet) or by their
admin session (the browsable docs), or nobody (public and residents' endpoints)."""

from django.conf import settings
from django_ratelimit.core import is_ratelimited
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from api.models import StaffToken
from metepec7311.security import client_address
from metepec7311.two_factor import policy


class StaffTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>` (or `Bearer <key>`): the key shown once in the admin."""

    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        keyword, _, key = header.partition(" ")
        if keyword.lower() not in self.keywords:
            return None
        # Guessing tokens: after STAFF_TOKEN_FAILURE_RATE wrong ones from an address, every
        # token from it is refused for a while, the right one included (as the admin's login).
        if _token_failures(request, count=False):
            raise exceptions.Throttled(
                detail="Demasiados tokens inválidos desde esta conexión; espere unos minutos e intente de nuevo."
            )
        token = StaffToken.objects.authenticate(key)
        if token is None or not (token.user.is_active and token.user.is_staff):
            _token_failures(request, count=True)
            raise exceptions.AuthenticationFailed("Token inválido, vencido o revocado.")
        return token.user, token

    def authenticate_header(self, request):
        return 'Token realm="api"'


def _token_failures(request, *, count):
    return is_ratelimited(
        request._request,
        group="staff-token-failures",
        key=client_address,
        rate=settings.STAFF_TOKEN_FAILURE_RATE,
        increment=count,
    )


class IsStaff(permissions.BasePermission):
    """Active staff who may see tickets; what they see is narrowed per department later."""

    message = "Esta parte de la API es para el personal del Ayuntamiento."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_staff and user.has_perm("tickets.view_ticket")):
            return False
        # A personal token was issued by a supervisor who gave their second factor; an admin
        # session counts only once its own second step is done, as in the admin.
        return isinstance(request.auth, StaffToken) or policy.session_may_work(user)


class StaffEndpoint:
    """Mixin: a personal token or the admin session; active staff only."""

    authentication_classes = [StaffTokenAuthentication, authentication.SessionAuthentication]
    permission_classes = [IsStaff]


class PublicEndpoint:
    """Mixin: anyone, and no credential is even read (a public answer is the same for all)."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]


class StaffTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the staff token."""

    target_class = StaffTokenAuthentication
    name = "tokenDePersonal"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <clave>`: la clave que un supervisor crea en el admin (se muestra una vez).",
        }
