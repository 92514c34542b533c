from .calendar import NonWorkingDay, WorkingHours
from .catalogue import Department, Service, ServiceAttribute
from .reference import ReferenceRecord
from .staff import StaffProfile
from .territory import Colonia, Delegacion, Locality
from .ticket import Channel, FolioCounter, Priority, SlaState, Status, Ticket, TicketEvent, TicketPhoto

__all__ = [
    "Channel",
    "Colonia",
    "Delegacion",
    "Department",
    "FolioCounter",
    "Locality",
    "NonWorkingDay",
    "Priority",
    "ReferenceRecord",
    "Service",
    "ServiceAttribute",
    "SlaState",
    "StaffProfile",
    "Status",
    "Ticket",
    "TicketEvent",
    "TicketPhoto",
    "WorkingHours",
]
