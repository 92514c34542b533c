"""Reference data: loaded from the project's files, idempotent, and staff edits survive reloads."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from tickets.models import (
    Colonia,
    Delegacion,
    Department,
    Locality,
    NonWorkingDay,
    ReferenceRecord,
    Service,
    WorkingHours,
)
from tickets.permissions import DEPARTMENT_GROUP, OPERATOR_GROUP, SUPERVISOR_GROUP

pytestmark = pytest.mark.django_db


def test_the_catalogue_is_loaded_as_the_file_says():
    assert Service.objects.count() == 37
    assert Service.objects.reportable_by_residents().count() == 27
    assert Service.objects.filter(is_emergency=True).count() == 9
    informativo = Service.objects.get(code="informativo")
    assert not informativo.citizen_reportable and not informativo.is_emergency and informativo.sla_hours is None
    bacheo = Service.objects.get(code="bacheo")
    assert bacheo.department.name == "Dirección de Obras Públicas"
    assert bacheo.sla_hours == 48 and bacheo.group == "Vialidades" and bacheo.legacy_app_id == 1
    assert bacheo.attributes.get(code="tamano").choices[0]["key"] == "chico"
    assert Department.objects.count() == 12


def test_the_territory_is_loaded():
    assert Colonia.objects.count() == 247
    assert Delegacion.objects.count() == 58
    assert Locality.objects.count() == 22
    assert Colonia.objects.filter(delegacion__isnull=False).count() == 58
    # Two SEPOMEX settlements share name and postal code; both are kept.
    assert Colonia.objects.filter(name="Bellavista", postal_code="52172").count() == 2
    metepec = Locality.objects.get(cvegeo="150540001")
    assert metepec.population == 30203 and metepec.geometry["type"] == "MultiPolygon"
    assert Delegacion.objects.get(key="alvaro-obregon").locality.cvegeo == "150540003"


def test_the_calendar_is_loaded_without_projected_days_or_vacations():
    assert WorkingHours.objects.count() == 7
    assert list(NonWorkingDay.objects.order_by("date").values_list("date", flat=True).distinct()) == sorted(
        NonWorkingDay.objects.values_list("date", flat=True)
    )
    dates = {d.isoformat() for d in NonWorkingDay.objects.values_list("date", flat=True)}
    assert dates == {"2025-09-16", "2025-11-03", "2025-11-17", "2025-12-25"}


def test_the_staff_groups_exist_with_their_permissions():
    operator = Group.objects.get(name=OPERATOR_GROUP)
    assert operator.permissions.filter(codename="intake_ticket").exists()
    assert not operator.permissions.filter(codename="work_ticket").exists()
    department = Group.objects.get(name=DEPARTMENT_GROUP)
    assert department.permissions.filter(codename="work_ticket").exists()
    assert not department.permissions.filter(codename="view_all_tickets").exists()
    supervisor = Group.objects.get(name=SUPERVISOR_GROUP)
    assert supervisor.permissions.filter(codename="change_service").exists()
    assert supervisor.permissions.filter(codename="add_nonworkingday").exists()


def test_reloading_changes_nothing():
    before = ReferenceRecord.objects.count(), Service.objects.count(), Colonia.objects.count()
    call_command("load_reference_data", verbosity=0)
    assert (ReferenceRecord.objects.count(), Service.objects.count(), Colonia.objects.count()) == before


def test_a_reload_never_overwrites_staff_edits():
    bacheo = Service.objects.get(code="bacheo")
    bacheo.name = "Bacheo y repavimentación"
    bacheo.sla_hours = 72
    bacheo.save()
    colonia = Colonia.objects.get(name="Arcos del Prado")
    colonia.delegacion = Delegacion.objects.get(key="coaxustenco")
    colonia.save()
    NonWorkingDay.objects.filter(date="2025-11-03").delete()  # staff decided it is worked
    Department.objects.filter(name="OPDAPAS Metepec").update(name="OPDAPAS (Agua de Metepec)")
    WorkingHours.objects.filter(weekday=5).update(opens_at="09:00", closes_at="13:00")
    group = Group.objects.get(name=OPERATOR_GROUP)
    extra = Group.objects.get(name=SUPERVISOR_GROUP).permissions.get(codename="view_locality")
    group.permissions.add(extra)

    call_command("load_reference_data", verbosity=0)

    bacheo.refresh_from_db()
    assert (bacheo.name, bacheo.sla_hours) == ("Bacheo y repavimentación", 72)
    colonia.refresh_from_db()
    assert colonia.delegacion.key == "coaxustenco"
    assert not NonWorkingDay.objects.filter(date="2025-11-03").exists()
    assert not Department.objects.filter(name="OPDAPAS Metepec").exists()
    assert str(WorkingHours.objects.get(weekday=5).closes_at) == "13:00:00"
    assert group.permissions.filter(pk=extra.pk).exists(), "permissions added by hand are kept"


def test_a_new_row_in_a_file_is_loaded_on_the_next_run():
    # As if "topes" had just been added to services.csv.
    Service.objects.filter(code="topes").delete()
    ReferenceRecord.objects.filter(dataset="service", key="topes").delete()
    call_command("load_reference_data", verbosity=0)
    assert Service.objects.filter(code="topes").exists()
