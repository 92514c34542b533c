"""Public tickets: what the tracking page shows, as data. No login.

The serializers list their fields one by one: the reporter's name, phone and e-mail, the
private token and internal notes are not among them (staff.py adds them for staff who may
see the ticket). Lists walk the (created_at, id) index with a cursor and are cached per
version of the tickets (api/caching.py); a single ticket answers with ETag / Last-Modified.
"""

import django_filters
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils.http import http_date, quote_etag
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api import caching
from api.rest.auth import PublicEndpoint
from api.rest.fields import IdFilter, InstantFilter, PublicCoordinate
from api.rest.pagination import TicketCursor
from api.rest.throttling import AnonymousReads
from tickets.folio import parse_folio
from tickets.models import Channel, PublicBucket, SlaState, Status, Ticket, TicketEvent, TicketPhoto
from tickets.models.status import statuses_in
from tickets.timeline import PUBLIC_KINDS, public_timeline

# --- filters ------------------------------------------------------------------------------------


class TicketFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label="Estado (uno o varios)")
    bucket = django_filters.ChoiceFilter(choices=PublicBucket.choices, method="filter_bucket", label="Cifra pública")
    service = django_filters.CharFilter(field_name="service__code", label="Código del servicio")
    department = django_filters.CharFilter(field_name="department__slug", label="Dependencia (slug)")
    colonia = IdFilter(field_name="colonia_id", label="id de la colonia")
    delegacion = IdFilter(field_name="colonia__delegacion_id", label="id de la delegación")
    locality = django_filters.CharFilter(field_name="locality__cvegeo", label="Clave INEGI de la localidad")
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label="Canal de entrada")
    sla = django_filters.ChoiceFilter(choices=SlaState.choices, method="filter_sla", label="Estado del plazo")
    created_after = InstantFilter(field_name="created_at", lookup_expr="gte", label="Creado desde")
    created_before = InstantFilter(field_name="created_at", lookup_expr="lt", label="Creado antes de")
    resolved_after = InstantFilter(field_name="resolved_at", lookup_expr="gte", label="Resuelto desde")
    resolved_before = InstantFilter(field_name="resolved_at", lookup_expr="lt", label="Resuelto antes de")

    class Meta:
        model = Ticket
        fields = []

    def filter_bucket(self, queryset, name, value):
        return queryset.filter(status__in=statuses_in(value))

    def filter_sla(self, queryset, name, value):
        return queryset.in_sla_state(value)


# --- serializers --------------------------------------------------------------------------------


class NamedServiceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class NamedDepartmentSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class PlaceColoniaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    postal_code = serializers.CharField()


class PlaceLocalitySerializer(serializers.Serializer):
    cvegeo = serializers.CharField()
    name = serializers.CharField()


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    title = serializers.CharField()
    text = serializers.CharField(allow_blank=True)
    by = serializers.CharField(help_text="«Ciudadano» o la dependencia: el personal habla como una sola voz.")


class PhotoSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)

    def get_url(self, photo) -> str:
        request = self.context.get("request")
        url = photo.image.url
        return request.build_absolute_uri(url) if request else url


class PublicTicketSerializer(serializers.ModelSerializer):
    """One ticket as anyone may see it."""

    url = serializers.SerializerMethodField(help_text="Su página pública de seguimiento.")
    service = NamedServiceSerializer()
    department = NamedDepartmentSerializer()
    status_label = serializers.CharField(source="get_status_display")
    bucket = serializers.SerializerMethodField(help_text="en_proceso, resuelto o cerrado_sin_atencion.")
    sla_state = serializers.SerializerMethodField()
    colonia = PlaceColoniaSerializer(allow_null=True)
    locality = PlaceLocalitySerializer(allow_null=True)
    latitude = PublicCoordinate(allow_null=True)
    longitude = PublicCoordinate(allow_null=True)
    parent = serializers.SerializerMethodField(help_text="Folio principal si es duplicado.")

    class Meta:
        model = Ticket
        fields = [
            "folio",
            "url",
            "service",
            "department",
            "status",
            "status_label",
            "bucket",
            "channel",
            "description",
            "address",
            "colonia",
            "locality",
            "latitude",
            "longitude",
            "created_at",
            "updated_at",
            "due_at",
            "sla_state",
            "resolved_at",
            "closed_at",
            "affected_count",
            "parent",
        ]

    def get_url(self, ticket) -> str:
        request = self.context.get("request")
        path = f"/seguimiento/{ticket.folio}/"
        return request.build_absolute_uri(path) if request else path

    def get_parent(self, ticket) -> str | None:
        return ticket.parent.folio if ticket.parent_id else None

    def get_bucket(self, ticket) -> str:
        return ticket.public_bucket.value

    def get_sla_state(self, ticket) -> str:
        return ticket.sla_state_at().value


class PublicTicketDetailSerializer(PublicTicketSerializer):
    timeline = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    class Meta(PublicTicketSerializer.Meta):
        fields = [*PublicTicketSerializer.Meta.fields, "timeline", "photos"]

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, ticket):
        entries = public_timeline(ticket, events=getattr(ticket, "public_events", None))
        return TimelineEntrySerializer(entries, many=True).data

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, ticket):
        photos = getattr(ticket, "public_photos", None)
        photos = ticket.photos.filter(is_public=True) if photos is None else photos
        return PhotoSerializer(photos, many=True, context=self.context).data


def public_detail_queryset():
    return Ticket.objects.select_related("service", "department", "colonia", "locality", "parent").prefetch_related(
        Prefetch(
            "events",
            queryset=TicketEvent.objects.filter(is_public=True, kind__in=PUBLIC_KINDS).order_by("created_at", "id"),
            to_attr="public_events",
        ),
        Prefetch("photos", queryset=TicketPhoto.objects.filter(is_public=True), to_attr="public_photos"),
    )


def ticket_by_folio(queryset, folio):
    canonical = parse_folio(folio)
    return queryset.filter(folio=canonical).first() if canonical else None


def conditional(request, response, ticket, *, version=""):
    """ETag and Last-Modified from the ticket's last change (and `version`: what else the
    answer shows, such as its newest event); 304 when the client already has it."""
    etag = quote_etag(f"{ticket.folio}.{ticket.updated_at.timestamp():.6f}.{version}")
    if request.headers.get("If-None-Match") == etag:
        response = Response(status=304)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(ticket.updated_at.timestamp())
    return response


@extend_schema_view(
    list=extend_schema(
        summary="Reportes públicos",
        description="Del más reciente al más antiguo, 50 por página (`page_size` hasta 200), con cursor en "
        "`next`/`previous`. Nunca incluye datos de quien reporta.",
        tags=["reportes públicos"],
    ),
    retrieve=extend_schema(
        summary="Un reporte público por folio",
        tags=["reportes públicos"],
        examples=[
            OpenApiExample(
                "Bache en proceso",
                response_only=True,
                value={
                    "folio": "7311-2026-000123",
                    "url": "https://7311.metepec.gob.mx/seguimiento/7311-2026-000123/",
                    "service": {"code": "bacheo", "name": "Atención de bacheo"},
                    "department": {"slug": "obras-publicas", "name": "Dirección de Obras Públicas"},
                    "status": "en_proceso",
                    "status_label": "En proceso",
                    "bucket": "en_proceso",
                    "channel": "web",
                    "description": "Bache profundo frente a la escuela.",
                    "address": "Av. Tecnológico 100",
                    "colonia": {"id": 12, "name": "Coaxustenco", "postal_code": "52140"},
                    "locality": {"cvegeo": "151060001", "name": "Metepec"},
                    "latitude": 19.2545,
                    "longitude": -99.6053,
                    "created_at": "2026-12-07T10:00:00-06:00",
                    "updated_at": "2026-12-07T12:30:00-06:00",
                    "due_at": "2026-12-11T13:00:00-06:00",
                    "sla_state": "a_tiempo",
                    "resolved_at": None,
                    "closed_at": None,
                    "affected_count": 2,
                    "parent": None,
                    "timeline": [
                        {
                            "at": "2026-12-07T10:00:00-06:00",
                            "title": "Reporte recibido",
                            "text": "Por web.",
                            "by": "Ciudadano",
                        }
                    ],
                    "photos": [],
                },
            )
        ],
    ),
)
class PublicTicketViewSet(PublicEndpoint, viewsets.ReadOnlyModelViewSet):
    throttle_classes = [AnonymousReads]
    filterset_class = TicketFilter
    pagination_class = TicketCursor
    lookup_field = "folio"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        if self.action == "retrieve":
            return public_detail_queryset()
        return Ticket.objects.select_related("service", "department", "colonia", "locality", "parent")

    def get_serializer_class(self):
        return PublicTicketDetailSerializer if self.action == "retrieve" else PublicTicketSerializer

    def get_throttles(self):
        return [] if self.action == "list" else super().get_throttles()  # list: counted in build()

    def list(self, request, *args, **kwargs):
        # Every visitor asking the same page gets the same answer until a ticket changes.
        def build():
            for throttle in super(PublicTicketViewSet, self).get_throttles():
                if not throttle.allow_request(request, self):
                    self.throttled(request, throttle.wait())
            data = super(PublicTicketViewSet, self).list(request, *args, **kwargs).data
            return JSONRenderer().render(data)

        content, etag = caching.cached("api:tickets", (request.build_absolute_uri(),), build)
        if request.headers.get("If-None-Match") == etag:
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(content, content_type="application/json")
        response["ETag"] = etag
        response["Cache-Control"] = "public, max-age=60"
        return response

    def retrieve(self, request, *args, **kwargs):
        ticket = ticket_by_folio(self.get_queryset(), kwargs["folio"])
        if ticket is None:
            return Response({"detail": "No existe ese folio.", "code": "not_found", "errors": {}}, status=404)
        response = Response(self.get_serializer(ticket).data)
        response["Cache-Control"] = "public, max-age=0, must-revalidate"
        newest = max((event.pk for event in ticket.public_events), default=0)
        return conditional(request, response, ticket, version=f"{newest}.{len(ticket.public_photos)}")
