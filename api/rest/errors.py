"""One error body for the whole REST API, in Spanish:

    {"detail": "<what went wrong>", "code": "<machine word>", "errors": {"<field>": ["<message>", …]}}

`errors` is always present ({} when the problem is not about a field). Statuses: 400 bad
input, 401 no or bad token, 403 not allowed, 404 not found, 405 wrong method, 409 a move the
lifecycle refuses in the ticket's current state, 413 too large, 415 wrong content type,
422 an Idempotency-Key reused for another request, 429 too many requests. Never 500 for bad
input: anything a client can send ends in one of these.
"""

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from tickets.lifecycle import Refused

FIELDLESS = "__all__"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "El cambio no es posible en el estado actual."
    default_code = "conflict"


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "El envío es demasiado grande: fotos de hasta 10 MB cada una, textos de hasta 4,000 caracteres."
    default_code = "too_large"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = 422
    default_detail = "Esta clave Idempotency-Key ya se usó con otra solicitud distinta."
    default_code = "idempotency_key_reused"


def body(detail, code, errors=None):
    return {"detail": str(detail), "code": code, "errors": errors or {}}


def _field_name(field, rename):
    if field is None:
        return FIELDLESS
    if field.startswith("attribute_"):
        return f"attributes.{field.removeprefix('attribute_')}"
    return (rename or {}).get(field, field)


def refusal_response(refusal, rename=None):
    """A lifecycle refusal: bad input (400) when it names a field, else a conflict with the
    ticket's state (409) — or 403 when it is about permissions. `rename` maps the
    lifecycle's field names to the endpoint's."""
    errors = {_field_name(field, rename): messages for field, messages in refusal.errors.items()}
    if refusal.kind == "forbidden":
        return Response(body(refusal.message, "permission_denied", errors), status=403)
    if refusal.field is None:
        return Response(body(refusal.message, "conflict", errors), status=409)
    return Response(body("Revise los datos enviados.", "invalid", errors), status=400)


def _flatten(detail):
    """DRF's nested ValidationError detail as {field: [messages]}."""
    if isinstance(detail, dict):
        errors = {}
        for field, value in detail.items():
            key = FIELDLESS if field in ("non_field_errors", FIELDLESS) else str(field)
            if isinstance(value, dict):
                for inner, messages in _flatten(value).items():
                    errors[f"{key}.{inner}"] = messages
            else:
                errors[key] = [str(m) for m in (value if isinstance(value, list) else [value])]
        return errors
    return {FIELDLESS: [str(m) for m in (detail if isinstance(detail, list) else [detail])]}


def not_found(request, *args, **kwargs):
    """A URL under /api/ that names no resource."""
    return JsonResponse(body("No existe ese recurso de la API (vea /api/docs/).", "not_found"), status=404)


def exception_handler(exc, context):
    if isinstance(exc, Refused):
        set_rollback()
        return refusal_response(exc)
    if isinstance(exc, RequestDataTooBig):
        exc = TooLarge()
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError("La solicitud no se pudo leer.")
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: Django's 500 handling and logging
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        first = next(iter(errors.values()))[0] if errors else ""
        detail = first if list(errors) == [FIELDLESS] else "Revise los datos enviados."
        return Response(body(detail, "invalid", errors), status=400, headers=headers)
    detail = exc.detail if not isinstance(exc.detail, list | dict) else exc.default_detail
    code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
    return Response(body(detail, code), status=exc.status_code, headers=headers)
