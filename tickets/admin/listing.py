"""What keeps the ticket list fast at a million rows: capped counts and indexed filters."""

from datetime import timedelta

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.functional import cached_property

from tickets import catalogue, permissions, queues
from tickets.dashboard import AGE_BUCKETS
from tickets.models import Delegacion, Service, SlaState, Tag
from tickets.models.status import OPEN_STATUSES, RUNNING_STATUSES


class CappedCountPaginator(Paginator):
    """Counts at most CAP + 1 rows ("más de 1,000 tickets", 20 pages of 50): an exact
    count(*) over a million tickets on every page load is the slowest part of a default
    admin list. Past that, a list is narrowed with its filters or the search, not paged, as
    Zendesk's views and search stop at 1,000 too. (10,000 was measured: counting them was
    a tenth of the list's time; a common word in the search matches a fifth of all
    tickets.)

    `cap` lowers the cap for one list: a text search counts only as far as the page after
    the one shown (search_cap()), since each row it counts is a row its words are looked for
    in: «postes» (in a twentieth of the tickets) read 19,000 rows for its first thousand
    matches, a third of the search's time, to print "más de 1,000"."""

    CAP = 1_000

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, cap=None):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.cap = self.CAP if cap is None else min(cap, self.CAP)
        self.lowered = cap is not None  # a search's count (the page's message says so)

    @cached_property
    def count(self):
        # Only which rows match matters to a count: without the list's ORDER BY and its SLA
        # column the database stops at cap + 1 matches in whatever order it finds them.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()


def search_cap(page_number, per_page, floor):
    """How far a text search counts: through the page after `page_number` (1-based), so the
    pages up to there are linked and the next one is always reachable, and never under
    `floor` (TicketAdmin's: what a bulk action takes and "Mostrar todo" shows, 200).
    "más de 200 tickets" on the first four pages of 50, then 250, 300…"""
    return max((max(page_number, 1) + 1) * per_page, floor)


class TicketChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        self.count_cap = self.paginator.cap
        self.count_is_capped = self.result_count > self.count_cap
        self.count_is_search_cap = self.paginator.lowered


class SlaStateFilter(admin.SimpleListFilter):
    title = "estado del plazo"
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return SlaState.choices

    def queryset(self, request, queryset):
        if self.value() in SlaState.values:
            return queryset.in_sla_state(self.value())
        return queryset


class QueueFilter(admin.SimpleListFilter):
    """The staff's queues (tickets/queues.py) as a filter: ?cola=vencidos."""

    title = "cola"
    parameter_name = "cola"

    def lookups(self, request, model_admin):
        return [(queue.slug, queues.label(queue, request.user)) for queue in queues.QUEUES]

    def queryset(self, request, queryset):
        queue = queues.BY_SLUG.get(self.value() or "")
        return queryset.filter(queue.q(request.user)) if queue else queryset


class CatalogueFilter(admin.RelatedFieldListFilter):
    """A filter by service or department whose choices come from the reference data each
    process keeps (tickets/catalogue.py), not from a query on every page of the list.

    Staff who see one department's tickets are offered that department's services only, and
    no department filter at all: a choice that can only ever show an empty list is noise."""

    def field_choices(self, field, request, model_admin):
        everything = catalogue.kept(("admin-choices", field.name), lambda: super(CatalogueFilter, self).field_choices(
            field, request, model_admin
        ))  # fmt: skip
        if request.user.has_perm("tickets.view_all_tickets") or field.name != "service":
            return everything
        own = catalogue.kept(
            ("department-services", permissions.visible_department_id(request.user)),
            lambda: set(
                Service.objects.filter(department_id=permissions.visible_department_id(request.user)).values_list(
                    "pk", flat=True
                )
            ),
        )
        return [(pk, name) for pk, name in everything if pk in own]

    def has_output(self):
        if self.field.name == "department" and not self.request.user.has_perm("tickets.view_all_tickets"):
            return False
        return super().has_output()


class DelegacionFilter(admin.SimpleListFilter):
    title = "delegación"
    parameter_name = "delegacion"

    def lookups(self, request, model_admin):
        return catalogue.kept(
            "admin-delegaciones", lambda: [(str(pk), name) for pk, name in Delegacion.objects.values_list("pk", "name")]
        )

    def queryset(self, request, queryset):
        # A string from the URL, or (counting the facets) a value from lookups(): both str.
        # Only an id that can exist: a 25-digit number overflows the database's integer (a 500).
        value = str(self.value() or "")
        if value.isdigit() and len(value) <= 9:
            return queryset.filter(colonia__delegacion_id=int(value))
        return queryset


class TagFilter(admin.SimpleListFilter):
    """By tag (tickets/routing.py puts them on new reports); the choices are kept with the
    reference data instead of asking which tags a million tickets use."""

    title = "etiqueta"
    parameter_name = "etiqueta"

    def lookups(self, request, model_admin):
        return catalogue.kept(
            "admin-tags", lambda: [(str(pk), name) for pk, name in Tag.objects.values_list("pk", "name")]
        )

    def queryset(self, request, queryset):
        value = str(self.value() or "")
        if value.isdigit() and len(value) <= 9:
            return queryset.filter(tags__id=int(value))
        return queryset


class OpenAgeFilter(admin.SimpleListFilter):
    """Open tickets, all or by age (the dashboard's backlog links here)."""

    title = "abiertos por antigüedad"
    parameter_name = "abiertos"

    def lookups(self, request, model_admin):
        return [("todos", "Todos los abiertos"), *[(slug, label) for slug, label, *_ in AGE_BUCKETS]]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "todos":
            return queryset.filter(status__in=OPEN_STATUSES)
        for slug, _, low, high in AGE_BUCKETS:
            if value == slug:
                now = timezone.now()
                queryset = queryset.filter(status__in=OPEN_STATUSES, created_at__lte=now - timedelta(days=low))
                return queryset.filter(created_at__gt=now - timedelta(days=high)) if high is not None else queryset
        return queryset


class DueTodayFilter(admin.SimpleListFilter):
    title = "vence"
    parameter_name = "vence"

    def lookups(self, request, model_admin):
        return [("hoy", "Hoy")]

    def queryset(self, request, queryset):
        if self.value() == "hoy":
            now = timezone.now()
            end = timezone.localtime(now).replace(hour=23, minute=59, second=59, microsecond=999999)
            return queryset.filter(status__in=RUNNING_STATUSES, due_at__gt=now, due_at__lte=end)
        return queryset
