"""Counts each public page view after its response is made (outside every page cache, so the
home page, kept whole for a minute, is counted too). Never sets or reads a cookie; never lets a
failure of its own reach the page."""

import logging

from django.conf import settings

from visits import buffer, describe

logger = logging.getLogger(__name__)


class VisitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.VISITS_ENABLED:
            try:
                record(request, response)
            except Exception:  # a count is never worth a page
                logger.exception("visits: a page view could not be counted")
        return response


def record(request, response):
    if not describe.counted(request, response):
        return
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    client = describe.client(user_agent)
    if client.bot:
        return
    store = buffer.current()
    day = buffer.today()
    visitor = ""
    address = describe.address(request)
    if not describe.opted_out(request):
        salt = store.salt(day)
        if salt is not None:
            visitor = describe.visitor_hash(salt, address, user_agent)
    country, city = describe.place(address)
    store.add(
        (
            day.isoformat(),
            buffer.end_of_day(day),
            visitor,
            describe.page(request),
            describe.referrer(request),
            client.browser,
            client.os,
            client.device,
            country,
            city,
            "",
        )
    )
    store.maybe_flush()
