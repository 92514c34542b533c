"""The service catalogue: departments and the services residents report."""

from django.db import models


class Department(models.Model):
    """A municipal office responsible for services (Dirección de Obras Públicas, OPDAPAS…)."""

    name = models.CharField("nombre", max_length=150, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    email = models.EmailField(
        "correo de avisos", blank=True, help_text="Recibe los avisos de reaperturas y vencimientos."
    )
    is_active = models.BooleanField("activa", default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "dependencia"
        verbose_name_plural = "dependencias"

    def __str__(self):
        return self.name


class ServiceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def reportable_by_residents(self):
        """The services offered on the citizen form: never emergencies."""
        return self.active().filter(citizen_reportable=True, is_emergency=False)


class Service(models.Model):
    """One entry of the catalogue. Editable in the admin; a reload never overwrites it."""

    code = models.SlugField("código", max_length=50, unique=True)
    legacy_app_id = models.PositiveIntegerField("id en la app anterior", null=True, blank=True, unique=True)
    name = models.CharField("nombre", max_length=200)
    description = models.TextField("descripción", blank=True)
    group = models.CharField("grupo", max_length=100)
    open311_group = models.SlugField("grupo Open311", max_length=50, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="services", verbose_name="dependencia"
    )
    sla_hours = models.PositiveIntegerField(
        "plazo (horas hábiles)",
        null=True,
        blank=True,
        default=48,
        help_text="Vacío: sin plazo (emergencias canalizadas, información).",
    )
    citizen_reportable = models.BooleanField(
        "se reporta en la web", default=True, help_text="Uno de los servicios del formulario ciudadano."
    )
    is_emergency = models.BooleanField(
        "emergencia", default=False, help_text="Nunca aparece en el formulario: se indica llamar al 911."
    )
    photo_required = models.BooleanField("foto obligatoria", default=False)
    contact_required = models.BooleanField("datos de contacto obligatorios", default=False)
    is_active = models.BooleanField("activo", default=True)
    # Open311 discovery's changeset: clients refresh their copy of the catalogue when it moves.
    updated_at = models.DateTimeField("actualizado", auto_now=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["group", "name"]
        verbose_name = "servicio"
        verbose_name_plural = "servicios"

    def __str__(self):
        return self.name


class ServiceAttribute(models.Model):
    """An extra question of a service (Open311 "attribute"), e.g. the size of a pothole."""

    class DataType(models.TextChoices):
        STRING = "string", "Texto corto"
        TEXT = "text", "Texto largo"
        NUMBER = "number", "Número"
        DATETIME = "datetime", "Fecha y hora"
        SINGLE = "singlevaluelist", "Una opción"
        MULTI = "multivaluelist", "Varias opciones"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="attributes")
    code = models.SlugField("código", max_length=50)
    question = models.CharField("pregunta", max_length=250)
    datatype = models.CharField("tipo", max_length=20, choices=DataType.choices, default=DataType.STRING)
    required = models.BooleanField("obligatoria", default=False)
    choices = models.JSONField(
        "opciones",
        default=list,
        blank=True,
        help_text='Para listas: [{"key": "chico", "name": "Chico (menos de 30 cm)"}, …]',
    )
    order = models.PositiveSmallIntegerField("orden", default=0)
    updated_at = models.DateTimeField("actualizado", auto_now=True)

    class Meta:
        ordering = ["service", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["service", "code"], name="uniq_service_attribute")]
        verbose_name = "pregunta adicional"
        verbose_name_plural = "preguntas adicionales"

    def __str__(self):
        return self.question
