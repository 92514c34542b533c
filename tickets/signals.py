from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from tickets import catalogue, changes
from tickets.geo import forget_localities
from tickets.models import (
    Colonia,
    Delegacion,
    Department,
    Locality,
    NonWorkingDay,
    RoutingRule,
    SavedView,
    Service,
    ServiceAttribute,
    StaffProfile,
    Tag,
    Ticket,
    TicketEvent,
    TicketPhoto,
    WorkingHours,
)


@receiver([post_save, post_delete], sender=Locality)
def locality_changed(**kwargs):
    forget_localities()


@receiver([post_save, post_delete], sender=WorkingHours)
@receiver([post_save, post_delete], sender=NonWorkingDay)
@receiver([post_save, post_delete], sender=Service)
@receiver([post_save, post_delete], sender=ServiceAttribute)
@receiver([post_save, post_delete], sender=Department)
@receiver([post_save, post_delete], sender=Colonia)
@receiver([post_save, post_delete], sender=Delegacion)
# The routing rules are kept with the reference data, with their assignees: who works where
# (the staff profile, the groups) decides whether a rule may assign to them.
@receiver([post_save, post_delete], sender=RoutingRule)
@receiver([post_save, post_delete], sender=SavedView)
@receiver([post_save, post_delete], sender=Tag)
@receiver([post_save, post_delete], sender=StaffProfile)
@receiver(m2m_changed, sender=RoutingRule.tags.through)
@receiver(m2m_changed, sender=get_user_model().groups.through)
def reference_data_changed(**kwargs):
    catalogue.forget()


@receiver([post_save, post_delete], sender=TicketEvent)
@receiver([post_save, post_delete], sender=TicketPhoto)
def ticket_changed(instance, **kwargs):
    # A new ticket's first event: no page of it can be kept yet.
    new_ticket = isinstance(instance, TicketEvent) and instance.kind == TicketEvent.Kind.CREATED
    changes.changed(None if new_ticket else instance.ticket_id)


@receiver([post_save, post_delete], sender=Ticket)
def ticket_saved(instance, created=False, **kwargs):
    # A new ticket has no page cached yet (and its first event tells the rest); any later
    # save, moderation's included, may change what its page shows.
    if not created:
        changes.changed(instance.pk)
