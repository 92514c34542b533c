"""Fields shared by the REST API's filters and serializers."""

from datetime import UTC

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tickets import geo

BIGGEST_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A database id: a whole number in the column's range (a huge or fractional number is a
    400, not an overflow in the database driver)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGGEST_ID)
        super().__init__(*args, **kwargs)


class InstantFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time, compared in UTC: Python accepts offsets up to ±23:59, PostgreSQL
    only up to ±15:59, so `…-20:33` reached the database as a DataError (a 500)."""

    def filter(self, qs, value):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return super().filter(qs, value)


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A related row by id; a number past the column's range is "not found", never a driver
    overflow (a 500)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not str(data).strip().isdigit() or int(str(data).strip()) > BIGGEST_ID:
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.DOUBLE)
class PublicCoordinate(serializers.Field):
    """A coordinate rounded as in the open data (4 decimals, about 10 m)."""

    def to_representation(self, value):
        return float(geo.public_coordinate(value))
