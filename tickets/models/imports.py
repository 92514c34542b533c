"""Imports of history from other systems (tickets/imports/): the runs and the subject synonyms."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class SubjectSynonym(models.Model):
    """A subject as another system wrote it, and the catalogue service it means.

    Subjects are first matched to services by name (accents, case and the words "atención a"
    aside); staff add a synonym here when a file uses other words ("BACHES", "LUMINARIA").
    """

    text = models.CharField("asunto en el archivo", max_length=200)
    # The text as the matcher compares it (tickets/imports/matching.py), unique.
    normalized = models.CharField(max_length=200, unique=True, editable=False)
    service = models.ForeignKey(
        "tickets.Service", on_delete=models.CASCADE, related_name="import_synonyms", verbose_name="servicio"
    )

    class Meta:
        ordering = ["normalized"]
        verbose_name = "sinónimo de asunto (importación)"
        verbose_name_plural = "sinónimos de asunto (importación)"

    def __str__(self):
        return f"{self.text} → {self.service}"

    def save(self, *args, **kwargs):
        from tickets.imports.matching import normalize

        self.normalized = normalize(self.text)
        super().save(*args, **kwargs)


class ImportRun(models.Model):
    """One upload in the admin, imported by a Celery task (tickets/tasks.py).

    The file is kept in the database, not in the media storage: it may hold data that must not
    be public, and any worker on any host can read it. It is dropped once the run is done.
    """

    class State(models.TextChoices):
        PENDING = "pendiente", "En espera de un trabajador"
        RUNNING = "en_curso", "Importando"
        DONE = "terminado", "Terminado"
        FAILED = "fallido", "Falló"

    filename = models.CharField("archivo", max_length=200)
    content = models.BinaryField(editable=False)
    format = models.CharField("formato", max_length=20, blank=True, help_text="Vacío: se reconoce por el archivo.")
    source = models.CharField("sistema de origen", max_length=20, blank=True)
    dry_run = models.BooleanField("solo revisar (no guardar nada)", default=False)
    state = models.CharField("estado", max_length=10, choices=State.choices, default=State.PENDING)
    rows_total = models.PositiveIntegerField("filas", default=0)
    rows_done = models.PositiveIntegerField("filas procesadas", default=0)
    report = models.JSONField("informe", default=dict, blank=True)
    error = models.TextField("error", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="subido por"
    )
    created_at = models.DateTimeField("subido", default=timezone.now)
    # Written with every batch: a run whose heartbeat stops (its worker died) is started again
    # by the sweep, and picks up where it stopped (rows already imported are skipped).
    heartbeat_at = models.DateTimeField(null=True, editable=False)
    attempts = models.PositiveSmallIntegerField("intentos", default=0)
    finished_at = models.DateTimeField("terminado", null=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "importación"
        verbose_name_plural = "importaciones"
        permissions = [("import_tickets", "Puede importar historial de tickets")]

    def __str__(self):
        return f"{self.filename} ({self.get_state_display()})"

    @property
    def percent(self):
        if self.state == self.State.DONE:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
