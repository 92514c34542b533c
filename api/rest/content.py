"""Public, no login: the banner and the statistics (from the snapshot, never by counting
tickets in the request), the news, and the results of the surveys."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from api.rest.auth import PublicEndpoint
from api.rest.throttling import AnonymousReads
from news.models import Article
from news.views import body_html
from stats import snapshot
from stats.views import filter_from, statistics_for
from surveys.models import Survey
from surveys.responses import cached_results

UNAVAILABLE = {"detail": "Cifras en preparación; intente en unos minutos.", "code": "unavailable", "errors": {}}


class ServiceCount(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    tickets = serializers.IntegerField()


class BannerSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    en_proceso = serializers.IntegerField()
    resueltos = serializers.IntegerField()
    cerrados_sin_atencion = serializers.IntegerField()
    servicio_mas_demandado = ServiceCount(allow_null=True)
    computed_at = serializers.DateTimeField()


class BannerView(PublicEndpoint, APIView):
    """The banner as JSON, exactly as DESIGN.md defines it, from the latest snapshot."""

    throttle_classes = [AnonymousReads]

    @extend_schema(
        summary="Las cifras del banner",
        tags=["transparencia"],
        responses={200: BannerSerializer, 503: OpenApiTypes.OBJECT},
        examples=[
            OpenApiExample(
                "Banner",
                response_only=True,
                value={
                    "total": 15230,
                    "en_proceso": 812,
                    "resueltos": 13904,
                    "cerrados_sin_atencion": 514,
                    "servicio_mas_demandado": {"code": "bacheo", "name": "Atención de bacheo", "tickets": 3350},
                    "computed_at": "2026-12-07T10:05:00-06:00",
                },
            )
        ],
    )
    def get(self, request):
        banner = snapshot.banner()
        if banner is None:
            return Response(UNAVAILABLE, status=503)
        response = Response(banner)
        response["Cache-Control"] = "public, max-age=60"
        return response


class StatisticsView(PublicEndpoint, APIView):
    """Every table of /estadisticas/ for a filter, from the rollups; the filter's fields and
    messages are the page's (stats/forms.py)."""

    throttle_classes = [AnonymousReads]

    @extend_schema(
        summary="Estadísticas públicas (las tablas de /estadisticas/)",
        description="Sin filtros: la instantánea vigente. Con `desde`/`hasta` (AAAA-MM, mes de creación) o "
        "`servicio`, calculadas de los acumulados mensuales. Tasas con menos de 30 tickets: null.",
        tags=["transparencia"],
        parameters=[
            OpenApiParameter("desde", OpenApiTypes.STR, description="Primer mes, AAAA-MM"),
            OpenApiParameter("hasta", OpenApiTypes.STR, description="Último mes, AAAA-MM"),
            OpenApiParameter("servicio", OpenApiTypes.STR, description="Código del servicio"),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 503: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        form, flt = filter_from(request)
        if form.is_bound and not form.is_valid():
            raise serializers.ValidationError(form.errors)
        stats, computed_at = statistics_for(flt)
        if stats is None:
            return Response(UNAVAILABLE, status=503)
        response = Response({"computed_at": computed_at, **stats})
        response["Cache-Control"] = "public, max-age=60"
        return response


class ArticleSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    cover_url = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "slug",
            "kind",
            "title",
            "summary",
            "url",
            "cover_url",
            "cover_alt",
            "publish_at",
            "starts_at",
            "ends_at",
            "place",
            "updated_at",
        ]

    def get_url(self, article) -> str:
        return self.context["request"].build_absolute_uri(article.get_absolute_url())

    def get_cover_url(self, article) -> str | None:
        return self.context["request"].build_absolute_uri(article.cover.url) if article.cover else None


class ArticleDetailSerializer(ArticleSerializer):
    body_html = serializers.SerializerMethodField(help_text="El texto ya convertido y depurado (HTML seguro).")

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "body", "body_html"]

    def get_body_html(self, article) -> str:
        return str(body_html(article))


@extend_schema_view(
    list=extend_schema(
        summary="Noticias, programas y eventos publicados",
        tags=["noticias"],
        parameters=[OpenApiParameter("kind", OpenApiTypes.STR, enum=Article.Kind.values)],
    ),
    retrieve=extend_schema(summary="Una noticia, programa o evento", tags=["noticias"]),
)
class ArticleViewSet(PublicEndpoint, viewsets.ReadOnlyModelViewSet):
    throttle_classes = [AnonymousReads]
    lookup_field = "slug"
    filterset_fields = ["kind"]

    def get_queryset(self):
        return Article.objects.published()

    def get_serializer_class(self):
        return ArticleDetailSerializer if self.action == "retrieve" else ArticleSerializer

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            response["Cache-Control"] = "public, max-age=60"
        return response


class SurveyResultsView(PublicEndpoint, APIView):
    throttle_classes = [AnonymousReads]

    @extend_schema(
        summary="Resultados de una encuesta (p. ej. encuesta_7311)",
        description="Conteos y porcentajes por pregunta, de quienes la respondieron. Los textos libres nunca "
        "se publican.",
        tags=["encuestas"],
        responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    )
    def get(self, request, slug):
        survey = get_object_or_404(Survey, slug=slug, show_results=True)
        results = cached_results(survey)
        response = Response(
            {
                "slug": survey.slug,
                "title": survey.title,
                "responses": results["total"],
                "first": results["first"],
                "last": results["last"],
                "questions": [
                    {
                        "question": item["question"].text,
                        "kind": item["question"].kind,
                        "answered": item["answered"],
                        "multiple": item["multiple"],
                        "choices": [{"label": r["label"], "count": r["count"], "pct": r["pct"]} for r in item["rows"]],
                    }
                    for item in results["questions"]
                ],
            }
        )
        response["Cache-Control"] = "public, max-age=60"
        return response
