from django.urls import path

from surveys import views

app_name = "surveys"
urlpatterns = [
    path("encuesta_7311/", views.survey_form, name="encuesta"),
    path("encuesta_7311/gracias/", views.thanks, name="encuesta_thanks"),
    path("encuesta_7311/resultados/", views.survey_results, name="encuesta_results"),
    path("encuestas/<slug:slug>/", views.survey_form, name="survey"),
    path("encuestas/<slug:slug>/gracias/", views.thanks, name="thanks"),
    path("encuestas/<slug:slug>/resultados/", views.survey_results, name="results"),
]
