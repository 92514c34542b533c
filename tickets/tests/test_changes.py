"""The version of all tickets that cached answers are keyed by moves with every change,
whichever way the change is written."""

from tickets import bulk, changes, lifecycle
from tickets.models import TicketEvent


def test_the_version_moves_with_the_lifecycle_and_with_bulk_writes(
    make_ticket, supervisor, frozen, django_assert_num_queries, django_capture_on_commit_callbacks
):
    ticket = make_ticket()
    first = changes.version()
    with django_assert_num_queries(0):
        assert changes.version() == first  # kept in the shared cache
    lifecycle.ticket_add_note(ticket=ticket, actor=supervisor, text="Revisado.")
    assert changes.version() == first  # not committed yet: nobody else can see it
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.ticket_add_note(ticket=ticket, actor=supervisor, text="Revisado otra vez.")
    second = changes.version()
    assert second > first
    pk = TicketEvent.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
    with django_capture_on_commit_callbacks(execute=True):
        bulk.insert_rows(
            TicketEvent,
            [
                {
                    "id": pk,
                    "ticket_id": ticket.pk,
                    "kind": "note",
                    "actor_name": "Importación",
                    "via": "importado",
                    "created_at": ticket.created_at,
                    "is_public": False,
                }
            ],  # fmt: skip
        )
    assert changes.version() == pk > second
