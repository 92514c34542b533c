"""Addresses no browser sends: refused with a 400 before any view runs.

A NUL byte cannot be stored or compared by PostgreSQL ("A string literal cannot contain NUL
characters"): in a path or a query string it turned public pages, the admin's filters and the
APIs' filters into 500s. It is refused here once for every URL, with the portal's own page
(a JSON answer for the REST API, the spec's error document for Open311); submitted forms
are refused field by field by Django's forms (the form comes back with what was typed).
"""

from urllib.parse import unquote_to_bytes

from django.http import JsonResponse
from django.shortcuts import render

from api.open311.formats import error_response
from api.rest import errors

MESSAGE = "La dirección contiene caracteres no válidos."


class RejectNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _has_nul(request):
            return self.get_response(request)
        if request.path.startswith("/open311/"):  # the spec's error document, in the asked format
            return error_response(request.path.rpartition(".")[2], 400, MESSAGE)
        if request.path.startswith("/api/"):  # the REST API's error body (api/rest/errors.py)
            return JsonResponse(errors.body(MESSAGE, "invalid_characters"), status=400)
        return render(request, "400.html", {"message": MESSAGE}, status=400)


def _has_nul(request):
    return "\x00" in request.path or b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", ""))
