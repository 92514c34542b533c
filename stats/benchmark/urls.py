"""The project's URLs plus the reference views of the throughput benchmarks."""

from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import ListView

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


class UncountedPaginator(Paginator):
    """Pages without counting: the reference does less than any list that says how many."""

    def validate_number(self, number):
        return int(number)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        page = self._get_page(rows[: self.per_page], number, self)
        page.has_next = lambda: len(rows) > self.per_page
        return page


class TicketList(ListView):
    """The staff list's reference: a plain ListView of the same 50 rows with the same filters
    (department, SLA state, the same text search), newest first, and no count at all."""

    paginate_by = 50
    paginator_class = UncountedPaginator
    template_name = "bench/ticket_list.html"

    def get_queryset(self):
        tickets = Ticket.objects.select_related("service", "colonia").order_by("-created_at", "-id")
        if "department__id__exact" in self.request.GET:
            tickets = tickets.filter(department_id=self.request.GET["department__id__exact"])
        if "sla" in self.request.GET:
            tickets = tickets.in_sla_state(self.request.GET["sla"])
        if self.request.GET.get("q"):
            term = self.request.GET["q"]
            tickets = tickets.filter(Q(address__icontains=term) | Q(description__icontains=term))
        return tickets


urlpatterns = [
    path("bench/constant", constant),
    path("bench/insert", insert),
    path("bench/tickets/", staff_member_required(TicketList.as_view())),
    *project_urls,
]
