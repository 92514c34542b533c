from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from api.models import ApiClient


@receiver([post_save, post_delete], sender=ApiClient)
def client_changed(instance, **kwargs):
    """A key was revoked, renamed or given another rate: every process sees it at once."""
    key = f"api:client:{instance.prefix}"
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
