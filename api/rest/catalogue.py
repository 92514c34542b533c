"""Public, no login: the service catalogue (with its extra questions), the departments and
the territory (colonias, delegaciones, INEGI localities). Small and slow-changing, so not
paginated and cacheable for five minutes."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from api.rest.auth import PublicEndpoint
from api.rest.fields import IdFilter
from api.rest.throttling import AnonymousReads
from tickets.models import Colonia, Delegacion, Department, Locality, Service, ServiceAttribute

CATALOGUE_CACHE = "public, max-age=300"


class CachedReads(PublicEndpoint):
    throttle_classes = [AnonymousReads]
    pagination_class = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            response["Cache-Control"] = CATALOGUE_CACHE
        return response


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["slug", "name"]


class ChoiceSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()


class AttributeSerializer(serializers.ModelSerializer):
    choices = ChoiceSerializer(many=True, help_text="Opciones de las preguntas de lista.")

    class Meta:
        model = ServiceAttribute
        fields = ["code", "question", "datatype", "required", "order", "choices"]


class ServiceSerializer(serializers.ModelSerializer):
    department = DepartmentSerializer()
    attributes = AttributeSerializer(many=True, help_text="Preguntas adicionales del servicio.")
    reportable = serializers.SerializerMethodField(help_text="Si los residentes lo reportan en línea (web, app, API).")

    class Meta:
        model = Service
        fields = [
            "code",
            "name",
            "description",
            "group",
            "department",
            "sla_hours",
            "photo_required",
            "contact_required",
            "is_emergency",
            "reportable",
            "attributes",
        ]

    def get_reportable(self, service) -> bool:
        return service.citizen_reportable and not service.is_emergency and service.is_active


class ServiceFilter(django_filters.FilterSet):
    reportable = django_filters.BooleanFilter(method="filter_reportable", label="Solo los que se reportan en línea")
    department = django_filters.CharFilter(field_name="department__slug", label="Dependencia (slug)")

    class Meta:
        model = Service
        fields = ["reportable", "department"]

    def filter_reportable(self, queryset, name, value):
        reportable = Service.objects.reportable_by_residents()
        return queryset.filter(pk__in=reportable) if value else queryset.exclude(pk__in=reportable)


@extend_schema_view(
    list=extend_schema(summary="Servicios del catálogo", tags=["catálogo"]),
    retrieve=extend_schema(summary="Un servicio, con sus preguntas adicionales", tags=["catálogo"]),
)
class ServiceViewSet(CachedReads, viewsets.ReadOnlyModelViewSet):
    """The 37 services of the catalogue; `reportable=true` gives the 27 residents report online."""

    serializer_class = ServiceSerializer
    filterset_class = ServiceFilter
    lookup_field = "code"
    queryset = (
        Service.objects.active().select_related("department").prefetch_related("attributes").order_by("group", "name")
    )


@extend_schema_view(
    list=extend_schema(summary="Dependencias", tags=["catálogo"]),
    retrieve=extend_schema(summary="Una dependencia", tags=["catálogo"]),
)
class DepartmentViewSet(CachedReads, viewsets.ReadOnlyModelViewSet):
    serializer_class = DepartmentSerializer
    lookup_field = "slug"
    queryset = Department.objects.filter(is_active=True).order_by("name")


class DelegacionSerializer(serializers.ModelSerializer):
    locality = serializers.SlugRelatedField(
        slug_field="cvegeo", read_only=True, allow_null=True, help_text="Clave INEGI"
    )

    class Meta:
        model = Delegacion
        fields = ["id", "key", "name", "settlement_type", "locality"]


@extend_schema_view(
    list=extend_schema(summary="Delegaciones", tags=["territorio"]),
    retrieve=extend_schema(summary="Una delegación", tags=["territorio"]),
)
class DelegacionViewSet(CachedReads, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = r"[0-9]{1,18}"
    serializer_class = DelegacionSerializer
    queryset = Delegacion.objects.select_related("locality").order_by("name")


class ColoniaSerializer(serializers.ModelSerializer):
    delegacion = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="id de la delegación; null si el personal aún no la vincula"
    )

    class Meta:
        model = Colonia
        fields = ["id", "name", "postal_code", "settlement_type", "delegacion"]


class ColoniaFilter(django_filters.FilterSet):
    postal_code = django_filters.CharFilter(label="Código postal (5 dígitos)")
    name = django_filters.CharFilter(lookup_expr="icontains", label="Parte del nombre")
    delegacion = IdFilter(field_name="delegacion_id", label="id de la delegación")

    class Meta:
        model = Colonia
        fields = ["postal_code", "name", "delegacion"]


@extend_schema_view(
    list=extend_schema(summary="Colonias (SEPOMEX)", tags=["territorio"]),
    retrieve=extend_schema(summary="Una colonia", tags=["territorio"]),
)
class ColoniaViewSet(CachedReads, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = r"[0-9]{1,18}"
    serializer_class = ColoniaSerializer
    filterset_class = ColoniaFilter
    queryset = Colonia.objects.order_by("name", "postal_code")


class LocalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Locality
        fields = ["cvegeo", "name", "ambito", "population", "households"]


class LocalityDetailSerializer(LocalitySerializer):
    geometry = serializers.JSONField(help_text="Polígono GeoJSON (INEGI, lon/lat).")

    class Meta(LocalitySerializer.Meta):
        fields = [*LocalitySerializer.Meta.fields, "geometry"]


@extend_schema_view(
    list=extend_schema(summary="Localidades INEGI (sin polígono)", tags=["territorio"]),
    retrieve=extend_schema(summary="Una localidad INEGI, con su polígono", tags=["territorio"]),
)
class LocalityViewSet(CachedReads, viewsets.ReadOnlyModelViewSet):
    lookup_field = "cvegeo"
    queryset = Locality.objects.order_by("name")

    def get_serializer_class(self):
        return LocalityDetailSerializer if self.action == "retrieve" else LocalitySerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset if self.action == "retrieve" else queryset.defer("geometry")
