from django.urls import path

from visits import views

urlpatterns = [
    path("estadisticas/visitas/", views.visits_page, name="visits"),
    path("datos/visitas-diarias.csv", views.daily_csv, name="open_data_visits"),
]
