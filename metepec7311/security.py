"""Content-Security-Policy: our own scripts only; map tiles from the configured server."""

import ipaddress
from urllib.parse import urlsplit

from csp.constants import HEADER, HEADER_REPORT_ONLY, UNSAFE_INLINE
from csp.middleware import CheckableLazyObject, CSPMiddleware
from django.conf import settings
from django.http import HttpResponse


def tile_origin():
    parts = urlsplit(settings.MAP_TILE_URL.replace("{s}", "a"))
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else None


# Data answers (the APIs' JSON, the open data's CSV) are never rendered as pages, so a policy
# on them protects nothing; building it cost more than some of those answers.
DATA_TYPES = ("application/json", "application/geo+json", "text/csv")


# Response attributes through which a view changes its own policy (django-csp's decorators).
_PER_VIEW = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt") + tuple(
    f"{name}_ro" for name in ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt")
)
_POLICIES = {}  # (admin?, tile server, policy settings) → the headers django-csp writes


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith(DATA_TYPES):
            return response
        if not self._same_for_every_request(request, response):
            return super().process_response(request, response)
        # django-csp builds the same header from the settings on every response: a third of
        # a cached page's time. Built once per kind of page instead, then copied.
        key = (
            request.path.startswith("/admin/"),
            settings.MAP_TILE_URL,
            id(getattr(settings, "CONTENT_SECURITY_POLICY", None)),
            id(getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)),
        )
        headers = _POLICIES.get(key)
        if headers is None:
            probe = HttpResponse()
            super().process_response(request, probe)
            headers = _POLICIES[key] = {name: probe[name] for name in (HEADER, HEADER_REPORT_ONLY) if name in probe}
        else:  # as django-csp does once the header is written: a nonce asked for later is an error
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        for name, value in headers.items():
            if name not in response:
                response[name] = value
        return response

    @staticmethod
    def _same_for_every_request(request, response):
        names = ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
        policies = [getattr(settings, name, None) or {} for name in names]
        return (
            getattr(request, "_csp_nonce", None) is None  # no nonce in this page
            and not any(hasattr(response, name) for name in _PER_VIEW)
            and not any(policy.get("EXCLUDE_URL_PREFIXES") for policy in policies)
            and not (settings.DEBUG and response.status_code in (404, 500))
        )

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        update = dict(parts.update or {})
        origin = tile_origin()
        if origin:
            update["img-src"] = [*update.get("img-src", []), origin]
        # Django's admin sets a few style="" attributes; its scripts stay as strict as ours.
        if request.path.startswith("/admin/"):
            update["style-src"] = [*update.get("style-src", []), UNSAFE_INLINE]
        parts.update = update or None
        return parts


def client_address(group, request):
    """The rate limits' key: the client's address, from RATELIMIT_IP_META_KEY behind a proxy.

    django-ratelimit's own "ip" key raises (a 500) when that header is missing, e.g. on a
    request that reached the web server without going through the proxy; such a request is
    counted under REMOTE_ADDR instead, or together with every other one that has neither.
    """
    meta_key = settings.RATELIMIT_IP_META_KEY
    forwarded = request.META.get(meta_key, "") if meta_key else ""
    address = forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")
    return address[:64] or "desconocida"


def login_client_ip(request):
    """django-axes' address of a login attempt: the same one the rate limits use, or None
    when there is none (axes stores addresses in an IP column)."""
    address = client_address(None, request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
