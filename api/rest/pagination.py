"""Pagination of the REST API: cursors for tickets (stable and fast at a million rows,
walking the (created_at, id) index), pages for the small collections."""

from rest_framework.pagination import CursorPagination, PageNumberPagination


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    page_query_param = "page"
    invalid_page_message = "Esa página no existe."


class TicketCursor(CursorPagination):
    """`?cursor=` from the `next` / `previous` links; newest first."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-created_at", "-id")
    invalid_cursor_message = "Cursor no válido: use los enlaces next y previous tal como llegan."
