"""/avisos/feed/ (RSS) and /avisos/feed/atom/ (Atom): the newest reports, or the newest
resolutions, optionally of one colonia (?colonia=<id>) and one service (?servicio=<code>);
?tipo=resueltos for resolutions, new reports otherwise.

Public facts only: folio, service, colonia, status and dates; never who reported, nor any
text a person typed (descriptions, addresses, notes). Bounded queries: the newest ITEMS
tickets on the (colonia | service | all, created_at) indexes, or the public status events
of the last RESOLVED_DAYS on the partial index of public events' time.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from tickets.models import Colonia, Service, Status, Ticket, TicketEvent

ITEMS = 50
RESOLVED_DAYS = 90
KINDS = {"nuevos": "Reportes nuevos", "resueltos": "Reportes resueltos"}


class Selection:
    def __init__(self, request):
        self.kind = request.GET.get("tipo") or "nuevos"
        if self.kind not in KINDS:
            raise Http404("tipo: nuevos o resueltos.")
        self.colonia = self.service = None
        colonia = request.GET.get("colonia")
        if colonia:
            if not colonia.isdigit():
                raise Http404("Colonia desconocida.")
            self.colonia = Colonia.objects.filter(pk=int(colonia)).first()
            if self.colonia is None:
                raise Http404("Colonia desconocida.")
        service = request.GET.get("servicio")
        if service:
            self.service = Service.objects.filter(code=service).first()
            if self.service is None:
                raise Http404("Servicio desconocido.")

    def query(self):
        return "&".join(
            part
            for part in (
                f"colonia={self.colonia.pk}" if self.colonia else "",
                f"servicio={self.service.code}" if self.service else "",
                "tipo=resueltos" if self.kind == "resueltos" else "",
            )
            if part
        )

    def title(self):
        words = KINDS[self.kind]
        if self.service:
            words += f" de {self.service.name.lower()}"
        if self.colonia:
            words += f" en {self.colonia.name}"
        return f"Metepec *7311 · {words}"


class TicketsFeed(Feed):
    language = "es-mx"

    def get_object(self, request):
        return Selection(request)

    def title(self, selection):
        return selection.title()

    def link(self, selection):
        # The page where one subscribes by e-mail to the same thing.
        parts = (
            f"colonia={selection.colonia.pk}" if selection.colonia else "",
            f"servicio={selection.service.code}" if selection.service else "",
        )
        query = "&".join(p for p in parts if p)
        return reverse("alerts_subscribe") + (f"?{query}" if query else "")

    def feed_url(self, selection):
        query = selection.query()
        return reverse(self.url_name) + (f"?{query}" if query else "")

    url_name = "alerts_feed_rss"

    def description(self, selection):
        return (
            f"{selection.title()}: folio, servicio, colonia y estado de cada reporte, del portal de "
            "atención ciudadana del Ayuntamiento de Metepec."
        )

    def items(self, selection):
        if selection.kind == "nuevos":
            tickets = Ticket.objects.all()
            if selection.colonia:
                tickets = tickets.filter(colonia=selection.colonia)
            if selection.service:
                tickets = tickets.filter(service=selection.service)
            tickets = tickets.select_related("service", "colonia").only(
                "folio", "status", "created_at", "updated_at", "service__name", "colonia__name"
            )
            return [(ticket, ticket.created_at, "") for ticket in tickets.order_by("-created_at", "-id")[:ITEMS]]
        events = TicketEvent.objects.filter(
            is_public=True,
            kind=TicketEvent.Kind.STATUS,
            new_value=Status.RESUELTO.label,
            created_at__gte=timezone.now() - timedelta(days=RESOLVED_DAYS),
        )
        if selection.colonia:
            events = events.filter(ticket__colonia=selection.colonia)
        if selection.service:
            events = events.filter(ticket__service=selection.service)
        events = events.select_related("ticket__service", "ticket__colonia").only(
            "created_at", "ticket__folio", "ticket__status", "ticket__created_at", "ticket__updated_at",
            "ticket__service__name", "ticket__colonia__name",
        )  # fmt: skip
        return [(e.ticket, e.created_at, f"#resuelto-{e.pk}") for e in events.order_by("-created_at", "-id")[:ITEMS]]

    def item_title(self, item):
        ticket, at, resolution = item
        place = f" en {ticket.colonia.name}" if ticket.colonia_id else ""
        what = "Resuelto" if resolution else "Nuevo reporte"
        return f"{what}: {ticket.service.name}{place} ({ticket.folio})"

    def item_description(self, item):
        ticket, at, resolution = item
        lines = [f"Folio {ticket.folio}", f"Servicio: {ticket.service.name}"]
        if ticket.colonia_id:
            lines.append(f"Colonia: {ticket.colonia.name}")
        lines.append(f"Estado actual: {ticket.get_status_display()}")
        return " · ".join(lines)

    def item_link(self, item):
        return reverse("ticket_public", args=[item[0].folio])

    def item_guid(self, item):
        # The report's page for a new report; plus the event for a resolution (a report
        # resolved, reopened and resolved again is two items).
        return settings.SITE_URL + reverse("ticket_public", args=[item[0].folio]) + item[2]

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item[1]

    def item_updateddate(self, item):
        return item[1]

    def item_categories(self, item):
        ticket = item[0]
        return [ticket.service.name] + ([ticket.colonia.name] if ticket.colonia_id else [])


class TicketsAtomFeed(TicketsFeed):
    feed_type = Atom1Feed
    url_name = "alerts_feed_atom"

    def subtitle(self, selection):
        return self.description(selection)
