"""The ticket lifecycle: the one place where tickets are created and change.

The admin, the citizen pages, Open311, the REST API, imports and Celery tasks all call these
functions, so the rules of a new report, the allowed moves, the permissions, the SLA clock,
the rollups and the event trail hold whichever door a change comes through.

- `report`: the rules of a new report, its creation, photos added later
- `moves`: status moves (assign, start, wait, resolve, close, duplicate, reopen), overdue marks
- `details`: notes, more residents affected, the reporter's additions, staff corrections
- `moderation`: hiding or redacting a description, a note or a photo (original kept)
- `retention`: the reporter's contact data erased a set time after the ticket closed
"""

from tickets.lifecycle.common import (
    CHANNEL_VIA,
    Refused,
    Via,
    changes_since,
    conflict_message,
    newest_event_id,
    unchanged_since,
)
from tickets.lifecycle.details import (
    EDITABLE_DETAILS,
    ticket_add_affected,
    ticket_add_note,
    ticket_add_reporter_info,
    ticket_set_tags,
    ticket_unsubscribe_reporter,
    ticket_update_details,
)
from tickets.lifecycle.moderation import ticket_hide_photo, ticket_moderate_text
from tickets.lifecycle.moves import (
    may_reopen,
    reopen_refusal,
    ticket_assign,
    ticket_close_no_procede,
    ticket_mark_duplicate,
    ticket_reopen,
    ticket_resolve,
    ticket_start,
    ticket_wait,
    tickets_mark_overdue,
)
from tickets.lifecycle.report import (
    DESCRIPTION_LIMIT,
    Checked,
    check_report,
    checked,
    normalize_phone,
    ticket_add_photos,
    ticket_create,
)
from tickets.lifecycle.retention import tickets_erase_personal_data

__all__ = [
    "tickets_erase_personal_data",
    "CHANNEL_VIA",
    "DESCRIPTION_LIMIT",
    "EDITABLE_DETAILS",
    "Refused",
    "changes_since",
    "conflict_message",
    "newest_event_id",
    "unchanged_since",
    "Via",
    "check_report",
    "checked",
    "Checked",
    "may_reopen",
    "normalize_phone",
    "reopen_refusal",
    "ticket_add_affected",
    "ticket_add_note",
    "ticket_add_photos",
    "ticket_add_reporter_info",
    "ticket_assign",
    "ticket_close_no_procede",
    "ticket_create",
    "ticket_hide_photo",
    "ticket_mark_duplicate",
    "ticket_moderate_text",
    "ticket_reopen",
    "ticket_resolve",
    "ticket_start",
    "ticket_set_tags",
    "ticket_unsubscribe_reporter",
    "ticket_update_details",
    "ticket_wait",
    "tickets_mark_overdue",
]
