"""Generic surveys (encuesta_7311 is one of them) and the satisfaction survey of tickets.

No survey asks for personal data, and responses store none: not the address, not a
cookie. Rate limits count in the cache only.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Survey(models.Model):
    slug = models.SlugField("dirección", max_length=60, unique=True)
    title = models.CharField("título", max_length=200)
    intro = models.TextField("introducción", blank=True)
    button_label = models.CharField("texto del botón", max_length=40, default="Enviar")
    is_open = models.BooleanField("recibe respuestas", default=True)
    show_results = models.BooleanField("resultados públicos", default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "encuesta"
        verbose_name_plural = "encuestas"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self._url("surveys:encuesta", "surveys:survey")

    def _url(self, own, generic):
        # encuesta_7311 lives at the stable URLs of DESIGN.md; other surveys under /encuestas/.
        return reverse(own) if self.slug == "encuesta_7311" else reverse(generic, args=[self.slug])

    def get_results_url(self):
        return self._url("surveys:encuesta_results", "surveys:results")

    def get_thanks_url(self):
        return self._url("surveys:encuesta_thanks", "surveys:thanks")


class Question(models.Model):
    class Kind(models.TextChoices):
        YES_NO = "yes_no", "Sí / No"
        SINGLE = "single", "Una opción"
        MULTIPLE = "multiple", "Varias opciones"
        TEXT = "text", "Texto libre"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField("orden")
    text = models.TextField("pregunta")
    kind = models.CharField("tipo", max_length=10, choices=Kind.choices)
    required = models.BooleanField("obligatoria", default=True)
    other_label = models.CharField(
        "opción «otro»",
        max_length=60,
        blank=True,
        help_text="Si se llena (por ejemplo «Otro»), agrega esa opción con un campo de texto.",
    )

    class Meta:
        ordering = ["survey", "order"]
        constraints = [models.UniqueConstraint(fields=["survey", "order"], name="uniq_question_order")]
        verbose_name = "pregunta"
        verbose_name_plural = "preguntas"

    def __str__(self):
        return f"{self.order}. {self.text[:60]}"

    def clean(self):
        if self.other_label and self.kind not in (self.Kind.SINGLE, self.Kind.MULTIPLE):
            raise ValidationError({"other_label": "Solo las preguntas de opciones pueden tener «otro»."})


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    order = models.PositiveSmallIntegerField("orden")
    label = models.CharField("texto", max_length=200)
    value = models.SlugField("clave", max_length=60, help_text="Estable: la usan la exportación y los resultados.")

    class Meta:
        ordering = ["question", "order"]
        constraints = [models.UniqueConstraint(fields=["question", "value"], name="uniq_choice_value")]
        verbose_name = "opción"
        verbose_name_plural = "opciones"

    def __str__(self):
        return self.label


class Response(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = "respuesta"
        verbose_name_plural = "respuestas"

    def __str__(self):
        return f"{self.survey} · {self.submitted_at:%Y-%m-%d %H:%M}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choices = models.ManyToManyField(Choice, blank=True, related_name="answers")
    other = models.BooleanField("eligió «otro»", default=False)
    text = models.TextField("texto", blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="uniq_answer")]

    def __str__(self):
        return f"{self.question_id}: {self.text[:40]}"


class TicketSatisfaction(models.Model):
    """The reporter's verdict on a resolved ticket: once per ticket.

    Service, department and creation month are copied from the ticket so that the public
    statistics group ratings without reading the tickets table.
    """

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="satisfaction")
    service = models.ForeignKey("tickets.Service", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("tickets.Department", on_delete=models.PROTECT, related_name="+")
    ticket_month = models.DateField("mes de creación del ticket")
    solved = models.BooleanField(
        "¿se resolvió?", default=True, help_text="Lo que respondió quien reportó antes de calificar."
    )
    rating = models.PositiveSmallIntegerField("calificación", validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField("comentario", blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["service", "ticket_month"], name="satisfaction_service_idx")]
        verbose_name = "satisfacción"
        verbose_name_plural = "satisfacción de los ciudadanos"

    def __str__(self):
        return f"{self.ticket_id}: {self.rating}/5"
