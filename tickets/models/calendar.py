"""The business calendar staff edit: weekly working hours and non-working days.

Federal rest days are not stored: the `holidays` package computes them for any year
(see tickets/sla.py).
"""

from django.core.exceptions import ValidationError
from django.db import models

WEEKDAYS = [
    (0, "lunes"),
    (1, "martes"),
    (2, "miércoles"),
    (3, "jueves"),
    (4, "viernes"),
    (5, "sábado"),
    (6, "domingo"),
]


class WorkingHours(models.Model):
    """Working hours of one weekday; no opening time means the day is not worked."""

    weekday = models.PositiveSmallIntegerField("día", choices=WEEKDAYS, unique=True)
    opens_at = models.TimeField("abre", null=True, blank=True)
    closes_at = models.TimeField("cierra", null=True, blank=True)

    class Meta:
        ordering = ["weekday"]
        verbose_name = "horario hábil"
        verbose_name_plural = "horario hábil"

    def __str__(self):
        if self.opens_at is None:
            return f"{self.get_weekday_display()}: inhábil"
        return f"{self.get_weekday_display()}: {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"

    def clean(self):
        if (self.opens_at is None) != (self.closes_at is None):
            raise ValidationError("Indique la hora de apertura y la de cierre, o ninguna para un día inhábil.")
        if self.opens_at is not None and self.opens_at >= self.closes_at:
            raise ValidationError("La hora de cierre debe ser posterior a la de apertura.")


class NonWorkingDay(models.Model):
    """A state or municipal day off, added by the reference data or by staff."""

    class Source(models.TextChoices):
        STATE = "estatal", "Estado de México"
        MUNICIPAL = "municipal", "Municipio"

    date = models.DateField("fecha", unique=True)
    name = models.CharField("motivo", max_length=150)
    source = models.CharField("origen", max_length=20, choices=Source.choices, default=Source.MUNICIPAL)

    class Meta:
        ordering = ["-date"]
        verbose_name = "día inhábil"
        verbose_name_plural = "días inhábiles"

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"
