"""Residents' reports from the mobile app, with no account (channel `app`).

POST /api/v1/reports/ files a report (up to three photos, multipart); the answer carries the
folio, the due date and a private token. With that token — the same secret as the private
link of the web — the resident reads their report, adds information, says "no se resolvió"
within the window, and rates the service. The rules, messages and rate limits are the web's:
the lifecycle checks the report, tickets/reporting.py makes a retry create one ticket.
"""

import hashlib
import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.rest import errors
from api.rest.auth import PublicEndpoint
from api.rest.fields import IdRelatedField
from api.rest.throttling import limit_reports
from api.rest.tickets import PublicTicketDetailSerializer, public_detail_queryset
from surveys import satisfaction
from tickets import catalogue, lifecycle, photos, reporting
from tickets.formatting import due_in_words
from tickets.models import Channel, Colonia, Status, Submission

Via = lifecycle.Via
IDEMPOTENCY_KEY_LIMIT = 100
PRIVATE = "private, no-store"


@extend_schema_field(OpenApiTypes.OBJECT)
class AnswersField(serializers.Field):
    """The service's extra questions: an object {code: answer}, or the same as a JSON string
    (multipart forms)."""

    default_error_messages = {"invalid": 'Envíe las respuestas como un objeto JSON: {{"codigo": "respuesta"}}.'}

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else {}
            except ValueError:
                self.fail("invalid")
        if not isinstance(data, dict):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


class PhotoUploads(serializers.ListField):
    """Up to three photos, each checked and re-encoded (metadata and GPS stripped)."""

    child = serializers.FileField()

    def to_internal_value(self, data):
        uploads = super().to_internal_value(data)
        if len(uploads) > photos.MAX_PHOTOS:
            raise serializers.ValidationError(f"Puede agregar hasta {photos.MAX_PHOTOS} fotos.")
        cleaned, problems = [], []
        for upload in uploads:
            try:
                cleaned.append(photos.clean_photo(upload))
            except DjangoValidationError as error:
                problems.extend(error.messages)
        if problems:
            raise serializers.ValidationError(problems)
        return cleaned


@extend_schema_field(OpenApiTypes.STR)
class CatalogueServiceField(serializers.Field):
    """A service by its code, from the catalogue each process keeps (tickets/catalogue.py):
    with its department and questions, and no query."""

    def to_internal_value(self, data):
        service = catalogue.service(str(data))
        if service is None:
            raise serializers.ValidationError(f"No existe el servicio «{data}».")
        return service

    def to_representation(self, value):
        return value.code


class ReportInput(serializers.Serializer):
    """What the app sends. Only types are checked here; the rules (and their messages) are
    the lifecycle's, the same as the web form's."""

    service = CatalogueServiceField(
        help_text="Código del servicio (GET /api/v1/services/?reportable=true).",
        error_messages={"required": "Elija el servicio."},
    )
    description = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    address = serializers.CharField(required=False, allow_blank=True, default="")
    colonia = IdRelatedField(
        queryset=Colonia.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        error_messages={"does_not_exist": "No existe la colonia {pk_value}."},
    )
    latitude = serializers.DecimalField(max_digits=12, decimal_places=8, required=False, allow_null=True, default=None)
    longitude = serializers.DecimalField(max_digits=12, decimal_places=8, required=False, allow_null=True, default=None)
    reporter_name = serializers.CharField(required=False, allow_blank=True, default="", help_text="Privado.")
    reporter_phone = serializers.CharField(required=False, allow_blank=True, default="", help_text="Privado.")
    reporter_email = serializers.CharField(required=False, allow_blank=True, default="", help_text="Privado.")
    attributes = AnswersField(required=False, default=dict)
    photos = PhotoUploads(required=False, default=list)


class ReportReceipt(serializers.Serializer):
    folio = serializers.CharField()
    status = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    due_words = serializers.CharField(help_text="La fecha compromiso en palabras.")
    token = serializers.CharField(help_text="Secreto de quien reporta: guárdelo en el teléfono y no lo comparta.")
    public_url = serializers.URLField()
    private_url = serializers.URLField()
    api_url = serializers.URLField(help_text="GET con el token: el reporte y lo que se puede hacer con él.")


def receipt(request, ticket):
    return ReportReceipt(
        {
            "folio": ticket.folio,
            "status": ticket.status,
            "due_at": ticket.due_at,
            "due_words": due_in_words(ticket.due_at),
            "token": ticket.reporter_token,
            "public_url": request.build_absolute_uri(reverse("ticket_public", args=[ticket.folio])),
            "private_url": request.build_absolute_uri(
                reverse("ticket_private", args=[ticket.folio, ticket.reporter_token])
            ),
            "api_url": request.build_absolute_uri(reverse("api-report", args=[ticket.reporter_token])),
        }
    ).data


def idempotency_key(request):
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if len(key) > IDEMPOTENCY_KEY_LIMIT or (key and not key.isprintable()):
        raise serializers.ValidationError(
            {"Idempotency-Key": [f"Use hasta {IDEMPOTENCY_KEY_LIMIT} caracteres visibles."]}
        )
    return key


def fingerprint(request):
    digest = hashlib.sha256()
    data = request.data
    for name in sorted(data.keys()):
        values = data.getlist(name) if hasattr(data, "getlist") else [data[name]]
        for value in values:
            shown = f"file:{value.name}:{value.size}" if hasattr(value, "read") else json.dumps(value, sort_keys=True)
            digest.update(f"{name}={shown}\x1f".encode())
    return digest.hexdigest()


class ReportCreateView(PublicEndpoint, APIView):
    @extend_schema(
        summary="Levantar un reporte (app de residentes)",
        description="JSON, o multipart con hasta 3 archivos en `photos`. Con `Idempotency-Key`, reenviar la "
        "misma solicitud devuelve el mismo folio (200) en lugar de crear otro; la misma clave con otro "
        "contenido se rechaza con 422. Mismos límites por dirección que el formulario web (429).",
        tags=["residentes"],
        request={"application/json": ReportInput, "multipart/form-data": ReportInput},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, description="Hasta 100 caracteres."
            )
        ],
        responses={201: ReportReceipt, 200: ReportReceipt},
        examples=[
            OpenApiExample(
                "Un bache",
                request_only=True,
                value={
                    "service": "bacheo",
                    "description": "Bache profundo frente a la escuela.",
                    "address": "Av. Tecnológico 100",
                    "colonia": 12,
                    "latitude": 19.2545,
                    "longitude": -99.6053,
                    "reporter_email": "vecina@example.com",
                    "attributes": {"tamano": "mediano"},
                },
            )
        ],
    )
    def post(self, request):
        key = idempotency_key(request)
        data = ReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        scoped_key = f"app:{key}" if key else None
        if not (key and Submission.objects.filter(key=scoped_key).exists()):
            limit_reports(request)  # a retry of a report already received is not counted again
        try:
            ticket, created = reporting.submit_report(
                key=scoped_key,
                fingerprint=fingerprint(request) if key else "",
                photos=values.pop("photos"),
                channel=Channel.APP,
                **values,
            )
        except reporting.KeyReused:
            raise errors.IdempotencyKeyReused() from None
        response = Response(receipt(request, ticket), status=status.HTTP_201_CREATED if created else 200)
        if not created:
            response["Idempotent-Replayed"] = "true"
        response["Cache-Control"] = PRIVATE
        return response


class ResidentReportSerializer(PublicTicketDetailSerializer):
    """The resident's own report: the public page plus what they may do with it now."""

    can_add_info = serializers.SerializerMethodField()
    can_reopen = serializers.SerializerMethodField()
    can_rate = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()

    class Meta(PublicTicketDetailSerializer.Meta):
        fields = [*PublicTicketDetailSerializer.Meta.fields, "can_add_info", "can_reopen", "can_rate", "rating"]

    def get_can_add_info(self, ticket) -> bool:
        return ticket.is_open

    def get_can_reopen(self, ticket) -> bool:
        return lifecycle.may_reopen(ticket)

    def get_can_rate(self, ticket) -> bool:
        return rating_mode(ticket) is not None and satisfaction.existing(ticket) is None

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"rating": {"type": "integer"}, "solved": {"type": "boolean"}},
        }
    )
    def get_rating(self, ticket):
        rated = satisfaction.existing(ticket)
        return {"rating": rated.rating, "solved": rated.solved} if rated else None


def rating_mode(ticket):
    """solved=True for a resolved ticket, False for one the resident reopened, else None."""
    if ticket.status == Status.RESUELTO:
        return True
    if satisfaction.may_rate_unsolved(ticket):
        return False
    return None


class ResidentReportView(PublicEndpoint, APIView):
    """Base of the token endpoints: the ticket behind the token, or 404."""

    def ticket(self, token):
        ticket = public_detail_queryset().filter(reporter_token=token).first() if len(token) <= 64 else None
        if ticket is None:
            raise errors.exceptions.NotFound("No existe un reporte con ese token.")
        return ticket

    def answer(self, request, ticket, status_code=200, message=None):
        ticket = self.ticket(ticket.reporter_token)  # fresh, with its new events
        data = ResidentReportSerializer(ticket, context={"request": request}).data
        if message:
            data = {"message": message, "report": data}
        response = Response(data, status=status_code)
        response["Cache-Control"] = PRIVATE
        response["Referrer-Policy"] = "no-referrer"
        return response


class ResidentReportDetail(ResidentReportView):
    @extend_schema(summary="Mi reporte (con el token)", tags=["residentes"], responses=ResidentReportSerializer)
    def get(self, request, token):
        return self.answer(request, self.ticket(token))


class AddInfoInput(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    photos = PhotoUploads(required=False, default=list)


class ReopenInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", help_text="Es público.")


class RatingInput(serializers.Serializer):
    rating = serializers.IntegerField(
        min_value=1,
        max_value=5,
        error_messages={
            "required": "Elija una calificación del 1 al 5.",
            "min_value": "Elija una calificación del 1 al 5.",
            "max_value": "Elija una calificación del 1 al 5.",
            "invalid": "Elija una calificación del 1 al 5.",
        },
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


MESSAGE = OpenApiResponse(description="`{message, report}`: lo hecho y el reporte como queda.")


class ResidentAddInfo(ResidentReportView):
    @extend_schema(
        summary="Agregar información o fotos a mi reporte abierto",
        tags=["residentes"],
        request={"application/json": AddInfoInput, "multipart/form-data": AddInfoInput},
        responses={200: MESSAGE},
    )
    def post(self, request, token):
        ticket = self.ticket(token)
        data = AddInfoInput(data=request.data)
        data.is_valid(raise_exception=True)
        lifecycle.ticket_add_reporter_info(
            ticket=ticket, text=data.validated_data["text"], photos=data.validated_data["photos"], via=Via.APP
        )
        return self.answer(request, ticket, message="Gracias: agregamos su información al reporte.")


class ResidentReopen(ResidentReportView):
    @extend_schema(
        summary="«No se resolvió»: reabrir mi reporte",
        description="Dentro de los 30 días siguientes a la resolución; después, 409 con el motivo.",
        tags=["residentes"],
        request=ReopenInput,
        responses={200: MESSAGE},
    )
    def post(self, request, token):
        ticket = self.ticket(token)
        data = ReopenInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            lifecycle.ticket_reopen(ticket=ticket, reason=data.validated_data["comment"], actor=None, via=Via.APP)
        except lifecycle.Refused as refusal:
            return errors.refusal_response(refusal, rename={"note": "comment"})
        return self.answer(request, ticket, message="Reabrimos su reporte y avisamos a la dependencia.")


class ResidentRating(ResidentReportView):
    @extend_schema(
        summary="Calificar la atención (una vez por reporte)",
        description="Tras la resolución, o tras reabrirlo porque no se resolvió.",
        tags=["residentes"],
        request=RatingInput,
        responses={200: MESSAGE},
    )
    def post(self, request, token):
        ticket = self.ticket(token)
        data = RatingInput(data=request.data)
        data.is_valid(raise_exception=True)
        solved = rating_mode(ticket)
        if solved is None:
            raise errors.Conflict(
                "Solo se califica un reporte resuelto, o uno que usted reabrió porque no se resolvió."
            )
        try:
            satisfaction.rate(ticket=ticket, solved=solved, **data.validated_data)
        except satisfaction.AlreadyRated:
            raise errors.Conflict("Ya nos había dado su calificación de este reporte: gracias.") from None
        return self.answer(request, ticket, message="Gracias por calificar la atención.")
