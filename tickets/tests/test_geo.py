"""Reported points: inside the municipality, assigned to an INEGI locality."""

from decimal import Decimal

import pytest

from tickets import geo
from tickets.lifecycle import Refused

# Metepec's cabecera (INEGI locality 150540001) and Toluca's centre, just outside.
CABECERA = (Decimal("19.2524"), Decimal("-99.6045"))
TOLUCA = (Decimal("19.2925"), Decimal("-99.6566"))


def test_points_inside_and_outside_the_municipality():
    assert geo.inside_municipality(*CABECERA)
    assert not geo.inside_municipality(*TOLUCA)


def test_a_point_is_placed_in_its_locality(make_ticket, frozen):
    ticket = make_ticket(latitude=CABECERA[0], longitude=CABECERA[1])
    assert ticket.locality.cvegeo == "150540001"
    assert ticket.latitude == Decimal("19.252400")


def test_a_point_outside_the_municipality_is_refused_with_a_clear_message(make_ticket, frozen):
    with pytest.raises(Refused) as refusal:
        make_ticket(latitude=TOLUCA[0], longitude=TOLUCA[1])
    assert refusal.value.field == "location"
    assert "fuera del municipio de Metepec" in refusal.value.message


def test_half_a_point_is_refused(make_ticket, frozen):
    with pytest.raises(Refused, match="latitud y longitud"):
        make_ticket(latitude=CABECERA[0])
