"""News, programs and events of the Ayuntamiento, written by staff in Markdown."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


def cover_path(instance, filename):
    suffix = PurePath(filename).suffix.lower() or ".jpg"
    return f"noticias/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """What the public may see: published, and its publication time has come."""
        return self.filter(status=Article.Status.PUBLISHED, publish_at__lte=now or timezone.now())

    def upcoming_events(self, now=None):
        now = now or timezone.now()
        return (
            self.published(now)
            .filter(kind=Article.Kind.EVENTO)
            .filter(Q(ends_at__gte=now) | Q(ends_at__isnull=True, starts_at__gte=now))
            .order_by("starts_at")
        )


class Article(models.Model):
    class Kind(models.TextChoices):
        NOTICIA = "noticia", "Noticia"
        PROGRAMA = "programa", "Programa"
        EVENTO = "evento", "Evento"

    class Status(models.TextChoices):
        DRAFT = "borrador", "Borrador"
        PUBLISHED = "publicado", "Publicado"

    kind = models.CharField("tipo", max_length=10, choices=Kind.choices, default=Kind.NOTICIA)
    title = models.CharField("título", max_length=200)
    slug = models.SlugField("dirección", max_length=120, unique=True, help_text="Parte final de la dirección web.")
    summary = models.CharField("resumen", max_length=300, help_text="Una o dos frases; se usa al compartir.")
    body = models.TextField("texto", help_text="Markdown: **negritas**, _cursivas_, [enlaces](https://…), listas.")
    cover = models.ImageField("imagen de portada", upload_to=cover_path, blank=True)
    cover_alt = models.CharField(
        "descripción de la imagen", max_length=200, blank=True, help_text="Qué muestra, para quien no puede verla."
    )
    status = models.CharField("estado", max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        "publicar a partir de", default=timezone.now, help_text="Una fecha futura la programa."
    )
    starts_at = models.DateTimeField("inicio del evento", null=True, blank=True)
    ends_at = models.DateTimeField("fin del evento", null=True, blank=True)
    place = models.CharField("lugar del evento", max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-id"]
        indexes = [models.Index(fields=["status", "-publish_at"], name="article_published_idx")]
        verbose_name = "noticia, programa o evento"
        verbose_name_plural = "noticias, programas y eventos"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("news:detail", args=[self.slug])

    def clean(self):
        if self.kind == self.Kind.EVENTO:
            errors = {}
            if not self.starts_at:
                errors["starts_at"] = "Un evento necesita fecha y hora de inicio."
            if not self.place:
                errors["place"] = "Un evento necesita lugar."
            if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
                errors["ends_at"] = "El fin debe ser posterior al inicio."
            if errors:
                raise ValidationError(errors)
        if self.cover and not self.cover_alt:
            raise ValidationError({"cover_alt": "Describa la imagen para quien no puede verla."})

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED and self.publish_at <= timezone.now()
