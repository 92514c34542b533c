from django.urls import path

from stats import map_views, views

urlpatterns = [
    path("estadisticas/", views.statistics_page, name="stats"),
    path("estadisticas/<slug:table>.csv", views.table_csv, name="stats_table_csv"),
    path("mapa/", map_views.map_page, name="map"),
    path("mapa/puntos.json", map_views.points, name="map_points"),
    path("datos/", views.open_data_page, name="open_data"),
    path("datos/tickets.csv", views.tickets_csv, name="open_data_csv"),
    path("datos/tickets.json", views.tickets_json, name="open_data_json"),
    path("datos/tickets.geojson", views.tickets_geojson, name="open_data_geojson"),
    path("datos/agregados-diarios.csv", views.daily_csv, name="open_data_daily"),
    path("datos/calificaciones-mensuales.csv", views.ratings_csv, name="open_data_ratings"),
]
