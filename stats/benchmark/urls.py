"""The project's URLs plus the reference views of the throughput benchmarks."""

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from metepec7311.urls import urlpatterns as project_urls
from tickets.models import Ticket, TicketEvent

CONSTANT = {"ok": True, "service": "Metepec *7311"}


def constant(request):
    """A bare Django view returning constant JSON: the ceiling a page is measured against."""
    return JsonResponse(CONSTANT)


_first_ticket = []
# The reference view's rows, which bench_api deletes before every run.
BENCH_EVENTS = {"actor_name": "bench", "kind": "note"}


@csrf_exempt
def insert(request):
    """A bare view doing one ORM INSERT (a row of the event trail): the ceiling of a POST."""
    if not _first_ticket:
        _first_ticket.append(Ticket.objects.order_by("id").values_list("id", flat=True).first())
    # bulk_create: the same one INSERT as create(), without the project's signals (which would
    # make the reference pay for cache bookkeeping it is not measured for).
    [event] = TicketEvent.objects.bulk_create(
        [
            TicketEvent(
                ticket_id=_first_ticket[0],
                **BENCH_EVENTS,
                via="api",
                note=request.POST.get("description", ""),
            )
        ]
    )
    return JsonResponse({"id": event.pk}, status=201)


urlpatterns = [path("bench/constant", constant), path("bench/insert", insert), *project_urls]
