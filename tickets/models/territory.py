"""The territory: delegaciones, colonias (SEPOMEX) and INEGI localities."""

from django.db import models


class Locality(models.Model):
    """An INEGI locality with its polygon (the only public polygons below municipal level)."""

    cvegeo = models.CharField("clave INEGI", max_length=9, unique=True)
    name = models.CharField("nombre", max_length=150)
    ambito = models.CharField("ámbito", max_length=20, blank=True)
    population = models.PositiveIntegerField("población 2020", null=True, blank=True)
    households = models.PositiveIntegerField("viviendas 2020", null=True, blank=True)
    geometry = models.JSONField("geometría (GeoJSON)")

    class Meta:
        ordering = ["name"]
        verbose_name = "localidad INEGI"
        verbose_name_plural = "localidades INEGI"

    def __str__(self):
        return self.name


class Delegacion(models.Model):
    """An auxiliary-authority area of the municipality."""

    key = models.SlugField("clave", max_length=80, unique=True, allow_unicode=True)
    name = models.CharField("nombre", max_length=150)
    settlement_type = models.CharField("tipo", max_length=60, blank=True)
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="localidad INEGI"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "delegación"
        verbose_name_plural = "delegaciones"

    def __str__(self):
        return self.name


class Colonia(models.Model):
    """A SEPOMEX settlement. Its delegación is maintained by staff: no source maps them all."""

    name = models.CharField("nombre", max_length=150)
    postal_code = models.CharField("código postal", max_length=5, db_index=True)
    settlement_type = models.CharField("tipo de asentamiento", max_length=60, blank=True)
    zone = models.CharField("zona", max_length=20, blank=True)
    sepomex_id = models.CharField("id SEPOMEX", max_length=10, blank=True)
    delegacion = models.ForeignKey(
        Delegacion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="colonias",
        verbose_name="delegación",
    )

    class Meta:
        ordering = ["name", "postal_code"]
        constraints = [
            # SEPOMEX has, e.g., a Colonia and a Condominio both called Bellavista in 52172.
            models.UniqueConstraint(fields=["postal_code", "name", "settlement_type"], name="uniq_colonia")
        ]
        verbose_name = "colonia"
        verbose_name_plural = "colonias"

    def __str__(self):
        kind = f"{self.settlement_type.lower()}, " if self.settlement_type else ""
        return f"{self.name} ({kind}CP {self.postal_code})"
