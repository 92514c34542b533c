"""What keeps the ticket list fast at a million rows: capped counts and indexed filters."""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from tickets.models import Delegacion, SlaState


class CappedCountPaginator(Paginator):
    """Counts at most CAP + 1 rows: an exact count(*) over a million tickets on every page
    load is the slowest part of a default admin list, and nobody pages past page 200."""

    CAP = 10_000

    @cached_property
    def count(self):
        # Only which rows match matters to a count: without the list's ORDER BY and its SLA
        # column the database stops at CAP + 1 matches in whatever order it finds them.
        return self.object_list.order_by().values("pk")[: self.CAP + 1].count()


class SearchCountPaginator(CappedCountPaginator):
    """A text search counts at most 1,000 matches ("más de 1,000"): a common word matches a
    fifth of all tickets, and counting ten thousand of them through the trigram index was
    most of the search's time. Past that, a search is refined, not paged."""

    CAP = 1_000


class TicketChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        self.count_cap = self.paginator.CAP
        self.count_is_capped = self.result_count > self.count_cap


class SlaStateFilter(admin.SimpleListFilter):
    title = "estado del plazo"
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return SlaState.choices

    def queryset(self, request, queryset):
        if self.value() in SlaState.values:
            return queryset.in_sla_state(self.value())
        return queryset


class DelegacionFilter(admin.SimpleListFilter):
    title = "delegación"
    parameter_name = "delegacion"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in Delegacion.objects.values_list("pk", "name")]

    def queryset(self, request, queryset):
        # A string from the URL, or (counting the facets) a value from lookups(): both str.
        # Only an id that can exist: a 25-digit number overflows the database's integer (a 500).
        value = str(self.value() or "")
        if value.isdigit() and len(value) <= 9:
            return queryset.filter(colonia__delegacion_id=int(value))
        return queryset
