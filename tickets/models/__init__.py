from .calendar import NonWorkingDay, WorkingHours
from .catalogue import Department, Service, ServiceAttribute
from .imports import ImportRun, SubjectSynonym
from .moderation import Moderation
from .outbox import DepartmentAlerts, Notification
from .reference import ReferenceRecord
from .staff import StaffProfile
from .status import PublicBucket
from .territory import Colonia, Delegacion, Locality
from .ticket import (
    Channel,
    FolioCounter,
    IncomingPhoto,
    PendingPhoto,
    Priority,
    SlaState,
    Status,
    Submission,
    Ticket,
    TicketEvent,
    TicketPhoto,
)
from .workspace import Macro, RoutingRule, SavedView, Tag

__all__ = [
    "Channel",
    "Colonia",
    "Delegacion",
    "Department",
    "DepartmentAlerts",
    "FolioCounter",
    "ImportRun",
    "Locality",
    "Macro",
    "Moderation",
    "NonWorkingDay",
    "Notification",
    "IncomingPhoto",
    "PendingPhoto",
    "PublicBucket",
    "Priority",
    "ReferenceRecord",
    "RoutingRule",
    "SavedView",
    "Service",
    "ServiceAttribute",
    "SlaState",
    "StaffProfile",
    "SubjectSynonym",
    "Tag",
    "Submission",
    "Status",
    "Ticket",
    "TicketEvent",
    "TicketPhoto",
    "WorkingHours",
]
