"""The OpenAPI document's shared parts: the one error body, listed under every status an
operation may answer with (docs/api.md, errors)."""

ERROR = {
    "type": "object",
    "description": "El mismo cuerpo en todos los errores: `detail` dice qué pasó, `code` lo nombra para "
    "programas, `errors` da los mensajes por campo (`__all__`: los que no son de un campo).",
    "required": ["detail", "code", "errors"],
    "properties": {
        "detail": {"type": "string", "example": "Revise los datos enviados."},
        "code": {"type": "string", "example": "invalid"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "example": {"description": ["Describa el problema."]},
        },
    },
}
MEANING = {
    "400": "Datos no válidos (mensajes por campo en `errors`).",
    "401": "Falta el token o no es válido.",
    "403": "No tiene permiso para esto.",
    "404": "No existe (o no es de los que usted puede ver).",
    "405": "Método no admitido.",
    "406": "Formato de respuesta no disponible.",
    "409": "El estado del ticket no permite ese movimiento (el motivo en `detail`).",
    "413": "Envío demasiado grande.",
    "415": "Tipo de contenido no admitido.",
    "422": "Esa Idempotency-Key ya se usó con otra solicitud.",
    "429": "Demasiadas solicitudes; vea Retry-After.",
    "503": "Cifras en preparación.",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the error body under every error status."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            codes = ["400", "404", "405", "406", "415", "429"]
            if method in ("post", "patch", "put"):
                codes += ["409", "413"]
            if path.startswith("/api/v1/staff/"):
                codes += ["401", "403"]
            if path == "/api/v1/reports/":
                codes += ["422"]
            if path.startswith("/api/v1/stats/"):
                codes += ["503"]
            for code in codes:
                responses.setdefault(code, {"description": MEANING[code], "content": reference})
    return result
