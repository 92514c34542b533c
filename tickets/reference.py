"""Load the reference data shipped in tickets/data/ (see SOURCES.md there).

Idempotent and respectful of staff edits: every row is recorded in the ReferenceRecord
ledger the first time it is loaded and never touched again, so a service renamed in the
admin, a colonia linked to its delegación, or a state holiday staff deleted stay as staff
left them after any reload.
"""

import csv
import json
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from tickets.models import (
    Colonia,
    Delegacion,
    Department,
    Locality,
    NonWorkingDay,
    ReferenceRecord,
    Service,
    ServiceAttribute,
    SubjectSynonym,
    WorkingHours,
)
from tickets.permissions import ensure_groups

DATA_DIR = Path(__file__).resolve().parent / "data"

# Decisions the catalogue file does not make (docs/decisions.md).
CONTACT_REQUIRED = {"llanta-bache"}  # a damage claim cannot be followed up anonymously
PHOTO_REQUIRED = {"llanta-bache"}
EXTRA_QUESTIONS = {
    "bacheo": [
        {
            "code": "tamano",
            "question": "¿De qué tamaño es el bache?",
            "datatype": ServiceAttribute.DataType.SINGLE,
            "required": False,
            "choices": [
                {"key": "chico", "name": "Chico (menos de 30 cm)"},
                {"key": "mediano", "name": "Mediano (30 cm a 1 m)"},
                {"key": "grande", "name": "Grande (más de 1 m)"},
            ],
        }
    ],
    "alumbrado": [
        {
            "code": "luminarias",
            "question": "¿Cuántas luminarias están fallando?",
            "datatype": ServiceAttribute.DataType.NUMBER,
            "required": False,
            "choices": [],
        }
    ],
}


@dataclass
class LoadReport:
    created: dict = field(default_factory=dict)

    def count(self, dataset):
        self.created[dataset] = self.created.get(dataset, 0) + 1

    def __str__(self):
        if not self.created:
            return "Datos de referencia al día: nada nuevo que cargar."
        return "Cargado: " + ", ".join(f"{n} {name}" for name, n in sorted(self.created.items()))


class Loader:
    def __init__(self):
        self.report = LoadReport()
        self.seen = {
            (dataset, key): object_id
            for dataset, key, object_id in ReferenceRecord.objects.values_list("dataset", "key", "object_id")
        }

    def first_time(self, dataset, key, object_id=None):
        """True (and recorded) if this row has never been loaded before."""
        if (dataset, key) in self.seen:
            return False
        ReferenceRecord.objects.create(dataset=dataset, key=key, object_id=object_id)
        self.seen[(dataset, key)] = object_id
        return True

    def department(self, name):
        """The department loaded for `name`, even if staff renamed it since."""
        if ("department", name) in self.seen:
            return Department.objects.filter(pk=self.seen[("department", name)]).first()
        department, created = Department.objects.get_or_create(name=name, defaults={"slug": slugify(name)[:80]})
        self.first_time("department", name, object_id=department.pk)
        if created:
            self.report.count("dependencias")
        return department

    def read_csv(self, name):
        with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    def departments_and_services(self):
        for row in self.read_csv("services.csv"):
            department = self.department(row["dependencia"])
            if not self.first_time("service", row["code"]):
                continue
            if department is None or Service.objects.filter(code=row["code"]).exists():
                continue
            service = Service.objects.create(
                code=row["code"],
                legacy_app_id=int(row["app_id_servicio"]) if row["app_id_servicio"] else None,
                name=row["name_es"],
                description=row["description"],
                group=row["group_es"],
                open311_group=row["open311_group"],
                department=department,
                sla_hours=int(row["sla_business_hours"]) if row["sla_business_hours"] else None,
                citizen_reportable=row["core27"] == "yes",
                is_emergency=row["emergency"] == "yes",
                contact_required=row["code"] in CONTACT_REQUIRED,
                photo_required=row["code"] in PHOTO_REQUIRED,
            )
            for order, question in enumerate(EXTRA_QUESTIONS.get(service.code, [])):
                ServiceAttribute.objects.create(service=service, order=order, **question)
            self.report.count("servicios")

    def localities(self):
        with open(DATA_DIR / "metepec_localidades_inegi.geojson", encoding="utf-8") as handle:
            features = json.load(handle)["features"]
        for feature in features:
            props = feature["properties"]
            if not self.first_time("locality", props["cvegeo"]):
                continue
            geometry = {k: v for k, v in feature["geometry"].items() if k != "crs"}
            Locality.objects.get_or_create(
                cvegeo=props["cvegeo"],
                defaults={
                    "name": props["nom_loc"],
                    "ambito": props.get("ambito", ""),
                    "population": int(props["pob"]) if props.get("pob") else None,
                    "households": int(props["viv"]) if props.get("viv") else None,
                    "geometry": geometry,
                },
            )
            self.report.count("localidades")

    def delegaciones(self):
        localities = dict(Locality.objects.values_list("cvegeo", "pk"))
        for row in self.read_csv("delegaciones_metepec.csv"):
            key = row["delegacion_key"]
            if not self.first_time("delegacion", key):
                continue
            Delegacion.objects.get_or_create(
                key=slugify(key, allow_unicode=True),
                defaults={
                    "name": row["name_sgam_2016"] or row["name_list52_2019_2021"].title(),
                    "settlement_type": row["type"],
                    "locality_id": localities.get(row["inegi_localidad_cvegeo"]),
                },
            )
            self.report.count("delegaciones")

    def colonias(self):
        delegaciones = dict(Delegacion.objects.values_list("key", "pk"))
        for row in self.read_csv("colonias_metepec.csv"):
            key = f"{row['postal_code']}:{row['id_asenta_cpcons']}"
            if not self.first_time("colonia", key):
                continue
            delegacion_key = slugify(row["delegacion"], allow_unicode=True) if row["delegacion"] else None
            Colonia.objects.get_or_create(
                postal_code=row["postal_code"],
                name=row["name"],
                settlement_type=row["settlement_type"],
                defaults={
                    "zone": row["zone"],
                    "sepomex_id": row["id_asenta_cpcons"],
                    "delegacion_id": delegaciones.get(delegacion_key),
                },
            )
            self.report.count("colonias")

    def calendar(self):
        if self.first_time("working_hours", "default"):
            for weekday in range(7):
                worked = weekday < 5
                WorkingHours.objects.get_or_create(
                    weekday=weekday,
                    defaults={"opens_at": time(9) if worked else None, "closes_at": time(18) if worked else None},
                )
            self.report.count("horario hábil")
        for row in self.read_csv("holidays_mx_edomex_2025_2027.csv"):
            # Only single state days whose status is law or confirmed: not projected rows,
            # not vacation ranges (operative crews keep working). Federal days come from the
            # holidays package in tickets/sla.py.
            if "/" in row["date"] or not row["level"].startswith("edomex"):
                continue
            if not row["status"].startswith(("law", "confirmed")):
                continue
            if not self.first_time("non_working_day", row["date"]):
                continue
            NonWorkingDay.objects.get_or_create(
                date=date.fromisoformat(row["date"]),
                defaults={"name": row["name"], "source": NonWorkingDay.Source.STATE},
            )
            self.report.count("días inhábiles")

    def import_synonyms(self):
        from tickets.imports.matching import normalize

        for row in self.read_csv("import_synonyms.csv"):
            if not self.first_time("import_synonym", normalize(row["text"])):
                continue
            service = Service.objects.filter(code=row["service_code"]).first()
            if service and not SubjectSynonym.objects.filter(normalized=normalize(row["text"])).exists():
                SubjectSynonym.objects.create(text=row["text"], service=service)
                self.report.count("sinónimos de asunto")


@transaction.atomic
def load_reference_data():
    """Load every dataset that has rows not loaded before; returns a LoadReport."""
    loader = Loader()
    loader.departments_and_services()
    loader.localities()
    loader.delegaciones()
    loader.colonias()
    loader.calendar()
    loader.import_synonyms()
    ensure_groups()
    return loader.report
