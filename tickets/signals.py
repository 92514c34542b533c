from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tickets import catalogue, changes
from tickets.geo import forget_localities
from tickets.models import (
    Department,
    Locality,
    NonWorkingDay,
    Service,
    ServiceAttribute,
    TicketEvent,
    WorkingHours,
)
from tickets.sla import forget_calendar


@receiver([post_save, post_delete], sender=Locality)
def locality_changed(**kwargs):
    forget_localities()


@receiver([post_save, post_delete], sender=WorkingHours)
@receiver([post_save, post_delete], sender=NonWorkingDay)
def calendar_changed(**kwargs):
    forget_calendar()


@receiver([post_save, post_delete], sender=Service)
@receiver([post_save, post_delete], sender=ServiceAttribute)
@receiver([post_save, post_delete], sender=Department)
def catalogue_changed(**kwargs):
    catalogue.forget()


@receiver([post_save, post_delete], sender=TicketEvent)
def ticket_changed(**kwargs):
    changes.changed()
