"""encuesta_7311 with exactly the city's questions, in the city's order."""

import csv
from pathlib import Path

from django.db import migrations

SERVICES_CSV = Path(__file__).resolve().parents[2] / "tickets" / "data" / "services.csv"

INTRO = (
    "Nos interesa conocer su opinión sobre el reporte de las solicitudes ingresadas a través del Sistema Integral "
    "\"Metepec *7311\", en relación al número de tickets totales, en proceso y resueltos."
)
QUESTIONS = [
    ("¿Conoce nuestro servicio de reporte a través del Sistema Integral \"Metepec *7311\"?", "yes_no", None),
    ("Basado en su experiencia, ¿Qué servicios públicos se deben atender como prioritarios?", "multiple", "services"),
    (
        "¿Considera la aplicación digital como un vínculo de comunicación eficaz y cercana entre el ciudadano y el "
        "municipio?",
        "yes_no",
        None,
    ),
    (
        "Desde su perspectiva, la información publicada en la página oficial del Ayuntamiento de Metepec, relacionada "
        "a las solicitudes en materia de servicios públicos, ¿Es una práctica de rendición de cuentas?",
        "single",
        [("mucho", "Mucho"), ("poco", "Poco"), ("nada", "Nada")],
    ),
]


def core_services():
    """The 27 services residents report, from the catalogue file shipped with the project."""
    with open(SERVICES_CSV, encoding="utf-8", newline="") as handle:
        return [(row["code"], row["name_es"]) for row in csv.DictReader(handle) if row["core27"] == "yes"]


def create(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    Question = apps.get_model("surveys", "Question")
    Choice = apps.get_model("surveys", "Choice")
    survey = Survey.objects.create(
        slug="encuesta_7311", title="Encuesta Metepec *7311", intro=INTRO, button_label="Guardar"
    )
    for order, (text, kind, options) in enumerate(QUESTIONS, start=1):
        question = Question.objects.create(
            survey=survey, order=order, text=text, kind=kind, required=True,
            other_label="Otro" if options == "services" else "",
        )
        if kind == "yes_no":
            options = [("si", "Sí"), ("no", "No")]
        elif options == "services":
            options = core_services()
        for position, (value, label) in enumerate(options, start=1):
            Choice.objects.create(question=question, order=position, value=value, label=label)


def remove(apps, schema_editor):
    apps.get_model("surveys", "Survey").objects.filter(slug="encuesta_7311").delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
