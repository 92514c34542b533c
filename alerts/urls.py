from django.urls import path

from alerts import feeds, views

urlpatterns = [
    path("avisos/", views.subscribe, name="alerts_subscribe"),
    path("avisos/revise-su-correo/", views.pending, name="alerts_pending"),
    path("avisos/reporte/<str:folio>/", views.follow_ticket, name="alerts_follow_ticket"),
    path("avisos/confirmar/<str:token>/", views.confirm, name="alerts_confirm"),
    path("avisos/baja/<str:token>/", views.unsubscribe, name="alerts_unsubscribe"),
    path("avisos/feed/", feeds.TicketsFeed(), name="alerts_feed_rss"),
    path("avisos/feed/atom/", feeds.TicketsAtomFeed(), name="alerts_feed_atom"),
]
