"""/api/v1/ (REST, DRF) and /open311/v2/ (GeoReport v2), with the OpenAPI schema and docs."""

from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api.rest import catalogue, content, errors, reports, staff, tickets

router = SimpleRouter()
router.register("services", catalogue.ServiceViewSet, basename="api-service")
router.register("departments", catalogue.DepartmentViewSet, basename="api-department")
router.register("colonias", catalogue.ColoniaViewSet, basename="api-colonia")
router.register("delegaciones", catalogue.DelegacionViewSet, basename="api-delegacion")
router.register("localities", catalogue.LocalityViewSet, basename="api-locality")
router.register("tickets", tickets.PublicTicketViewSet, basename="api-ticket")
router.register("news", content.ArticleViewSet, basename="api-news")
router.register("staff/tickets", staff.StaffTicketViewSet, basename="api-staff-ticket")

TOKEN = "<str:token>"

v1 = [
    path("stats/banner", content.BannerView.as_view(), name="api_banner"),
    path("stats/", content.StatisticsView.as_view(), name="api-statistics"),
    path("surveys/<slug:slug>/results/", content.SurveyResultsView.as_view(), name="api-survey-results"),
    path("reports/", reports.ReportCreateView.as_view(), name="api-reports"),
    path(f"reports/{TOKEN}/", reports.ResidentReportDetail.as_view(), name="api-report"),
    path(f"reports/{TOKEN}/info/", reports.ResidentAddInfo.as_view(), name="api-report-info"),
    path(f"reports/{TOKEN}/reopen/", reports.ResidentReopen.as_view(), name="api-report-reopen"),
    path(f"reports/{TOKEN}/rating/", reports.ResidentRating.as_view(), name="api-report-rating"),
    path("staff/me/", staff.MeView.as_view(), name="api-staff-me"),
    *router.urls,
]

# Swagger UI comes from drf-spectacular-sidecar's files in our static folder (ReDoc is left
# out: its page loads fonts from Google). Swagger UI styles its widgets inline, which this
# page alone allows.
docs_csp = csp_update({"style-src": ["'unsafe-inline'"], "img-src": ["data:"]})

urlpatterns = [
    path("api/v1/", include(v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", docs_csp(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
    path("open311/v2/", include("api.open311.urls")),
    # Anything else under /api/ is an API 404, in the API's error body (not the HTML page).
    re_path(r"^api/", errors.not_found),
]
