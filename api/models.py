"""Credentials of the APIs: keys of the systems that post reports through Open311, and
tokens of the staff who work tickets from a tablet. Both are stored hashed (sha512, by
djangorestframework-api-key), shown once, revocable, with their last use recorded."""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

# Writing the last use on every request would turn each read into a write; once a minute
# is precise enough to tell whether a key is still in use.
LAST_USE_PRECISION = timedelta(minutes=1)


class CredentialManager(BaseAPIKeyManager):
    def authenticate(self, key):
        """The usable credential for a presented key, or None; records its use."""
        key = (key or "").strip()
        if not key or "." not in key or len(key) > 100:
            return None
        try:
            credential = self.get_from_key(key)
        except self.model.DoesNotExist:
            return None
        if credential.has_expired:
            return None
        credential.record_use()
        return credential


class ApiClientManager(CredentialManager):
    """Every Open311 report presents its key: the client's row is kept in the shared cache by
    prefix (forgotten when the row changes, api/signals.py — revoking included), and only the
    hash check runs per request."""

    def get_from_key(self, key):
        prefix = key.partition(".")[0]
        cache_key = f"api:client:{prefix}"
        credential = cache.get(cache_key)
        if credential is None:
            credential = self.get_usable_keys().filter(prefix=prefix).first()
            if credential is None:
                raise self.model.DoesNotExist("No such key.")
            cache.set(cache_key, credential, 300)
        if credential.revoked or not credential.is_valid(key):
            raise self.model.DoesNotExist("Key is not valid.")
        return credential


class Credential(AbstractAPIKey):
    last_used_at = models.DateTimeField("último uso", null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField("revocada", null=True, blank=True, editable=False)

    objects = CredentialManager()

    class Meta(AbstractAPIKey.Meta):
        abstract = True

    def record_use(self, now=None):
        now = now or timezone.now()
        if self.last_used_at is None or now - self.last_used_at >= LAST_USE_PRECISION:
            type(self).objects.filter(pk=self.pk).update(last_used_at=now)  # no signal: stays cached
            self.last_used_at = now
            if isinstance(self, ApiClient):
                cache.set(f"api:client:{self.prefix}", self, 300)

    def revoke(self, now=None):
        if not self.revoked:
            self.revoked, self.revoked_at = True, now or timezone.now()
            self.save(update_fields=["revoked", "revoked_at"])


class ApiClient(Credential):
    """A system that posts reports through Open311: the municipal app, FixMyStreet…
    Its name appears in each ticket's trail ("Recibido por API: <name>")."""

    objects = ApiClientManager()

    contact = models.CharField("contacto", max_length=200, blank=True, help_text="Quién responde por este cliente.")
    rate = models.CharField(
        "límite de reportes",
        max_length=20,
        default="60/m",
        help_text="Reportes aceptados por periodo, p. ej. 60/m o 1000/h.",
        validators=[RegexValidator(r"^[1-9]\d*/\d*[smhd]$", "Use la forma 60/m, 1000/h o 5000/d.")],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False, related_name="+"
    )

    class Meta(Credential.Meta):
        verbose_name = "clave de API (Open311)"
        verbose_name_plural = "claves de API (Open311)"
        permissions = [("manage_api_keys", "Puede crear y revocar claves de API y tokens de personal")]


class StaffTokenManager(CredentialManager):
    def get_usable_keys(self):
        return super().get_usable_keys().select_related("user")


class StaffToken(Credential):
    """A staff member's token for the REST API (a field crew's tablet); acts as that user,
    with exactly that user's permissions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="persona"
    )

    objects = StaffTokenManager()

    class Meta(Credential.Meta):
        verbose_name = "token de personal (API)"
        verbose_name_plural = "tokens de personal (API)"
