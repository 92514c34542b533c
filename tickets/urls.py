from django.urls import path

from tickets.views import my_reports, report, tracking, unsubscribe

urlpatterns = [
    path("reportar/", report.service_list, name="report"),
    path("reportar/recibido/<str:token>/", report.report_done, name="report_done"),
    path("reportar/lugar/", report.place, name="report_place"),
    path("reportar/<slug:code>/", report.report_form, name="report_form"),
    path("mis-reportes/", my_reports.my_reports, name="my_reports"),
    path("seguimiento/", tracking.lookup, name="tracking"),
    path("seguimiento/<str:folio>/", tracking.ticket_public, name="ticket_public"),
    path("seguimiento/<str:folio>/avisos/<str:token>/", unsubscribe.unsubscribe, name="ticket_unsubscribe"),
    path("seguimiento/<str:folio>/<str:token>/", tracking.ticket_private, name="ticket_private"),
]
