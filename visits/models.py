"""Daily aggregates of the portal's page views: nothing finer than a day is ever stored.

One row per day, dimension and value: how many page views and how many unique visitors that
day had, in total, per page, browser, operating system, device type, country, city and
referring site. No address, user agent, hash or cookie is kept (docs/visits.md).
"""

from django.db import models


class Dimension(models.TextChoices):
    TOTAL = "total", "Total"
    PAGE = "page", "Página"
    BROWSER = "browser", "Navegador"
    OS = "os", "Sistema operativo"
    DEVICE = "device", "Tipo de dispositivo"
    COUNTRY = "country", "País"
    CITY = "city", "Ciudad"
    REFERRER = "referrer", "Sitio de origen"


class DailyVisits(models.Model):
    day = models.DateField("día")
    dimension = models.CharField("dimensión", max_length=16, choices=Dimension.choices)
    value = models.CharField("valor", max_length=255, blank=True)
    pageviews = models.PositiveIntegerField("vistas de página", default=0)
    visitors = models.PositiveIntegerField("visitantes únicos", default=0)

    class Meta:
        verbose_name = "visitas de un día"
        verbose_name_plural = "visitas por día"
        constraints = [models.UniqueConstraint(fields=["day", "dimension", "value"], name="visits_one_row_per_value")]
        indexes = [models.Index(fields=["dimension", "day"], name="visits_dimension_day")]

    def __str__(self):
        return f"{self.day} {self.dimension} {self.value}: {self.pageviews}"


class VisitReport(DailyVisits):
    """The admin's report page (a proxy: the same rows)."""

    class Meta:
        proxy = True
        verbose_name = "reporte de visitas"
        verbose_name_plural = "reporte de visitas"


class FlushedBatch(models.Model):
    """A batch of counts taken out of Redis and written: written again (a worker killed between
    the write and the deletion of the batch) it is recognised and skipped."""

    key = models.CharField(max_length=100, unique=True)
    written_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.key
