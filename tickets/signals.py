from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tickets.geo import forget_localities
from tickets.models import Locality


@receiver([post_save, post_delete], sender=Locality)
def locality_changed(**kwargs):
    forget_localities()
