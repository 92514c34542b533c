"""Whole public pages that are the same for every visitor until something they show changes.

A page is kept rendered in each process's memory (CACHES["pages"]) under versions read from
the shared cache, never under a time alone:

- the public numbers' snapshot (the banner every page carries, the statistics): its
  `computed_at`, checked at most once a second per process, so a new snapshot shows within a
  second;
- for a ticket's page, the ticket's own version: a token in the shared cache, deleted (now
  and at commit) whenever the ticket, its trail or its photos change (tickets/changes.py, from the
  signals). The next reader draws a new token, so a page rendered from the old state is
  stored under a token nobody asks for again.

Each process checks the versions at most once a second, so a kept page costs no round trip:
a change shows at once in the process that made it and within a second in the others.
Without Redis (or when it is down) there is no token to trust and tracking pages are rendered
every time; pages keyed by the snapshot alone keep the last snapshot the process saw.
Visitors who carry something personal (a pending flash message, a session) and answers that
set a cookie or used the CSRF token are never served from, nor stored in, this cache.
"""

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse

from stats import snapshot
from tickets import changes

SECONDS = 600  # an upper bound; versions decide freshness, this only frees memory


def _pages():
    return caches["pages"]


def personal(request):
    return "messages" in request.COOKIES or settings.SESSION_COOKIE_NAME in request.COOKIES


def versions(*ticket_ids):
    """(snapshot stamp, {ticket id: token}), or None when the shared cache cannot vouch for
    them. Each is checked at most once a second per process (stats/snapshot.py,
    tickets/changes.py)."""
    current = snapshot.stamp()
    if current is None:
        return None
    tokens = changes.page_tokens(ticket_ids) if ticket_ids else {}
    if tokens is None:
        return None
    return current, tokens


def serve(request, key, build, *, seconds=SECONDS):
    """`build()`'s response, or the copy stored under `key` (None: do not cache this one).

    `seconds` may be a function of the fresh response, for a page that changes by itself at
    a known moment (a deadline passing)."""
    if key is None or request.method not in ("GET", "HEAD") or personal(request):
        return build()
    pages = _pages()
    stored = pages.get(key)
    if stored is not None:
        content, content_type = stored
        return HttpResponse(content, content_type=content_type)
    response = build()
    if _storable(request, response):
        timeout = seconds(response) if callable(seconds) else seconds
        if timeout > 0:
            pages.set(key, (response.content, response["Content-Type"]), timeout)
    return response


def _storable(request, response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_USED")
    )
