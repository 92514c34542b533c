"""The staff's side of the portal, in the Django admin. One module per domain area."""

from . import calendar, catalogue, imports, moderation, outbox, staff, territory, tickets, workspace  # noqa: F401
