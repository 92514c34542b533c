"""The admin's menu of models (the sidebar of every admin page), rendered once per menu.

Its markup is Django's (admin/nav_sidebar.html with admin/app_list.html), but rendering it
through the template engine on every page was a sixth of the ticket list's time: about 40
models, each with its links and a test of whether it is the page open. The menu depends only
on the models the user may see (metepec7311/admin_site.py keeps that list per user and
permission set), the language and which of its links the page is under, so its HTML is kept
per process under exactly those. A change of permissions gives another menu, hence another
key: nothing to invalidate.
"""

from urllib.parse import quote

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from metepec7311.process_memo import ProcessMemo

register = template.Library()

_kept = ProcessMemo(limit=1_000)  # distinct (language, menu, page) triples


@register.simple_tag(takes_context=True)
def kept_nav_sidebar(context):
    apps = context.get("available_apps") or []
    request = context.get("request")
    menu = tuple(
        (
            app["app_label"],
            str(app["name"]),
            app["app_url"],
            tuple(
                (m["object_name"], str(m["name"]), m.get("admin_url"), m.get("add_url"), m.get("view_only"))
                for m in app["models"]
            ),
        )
        for app in apps
    )
    # What app_list.html tests per link: `url in request.path|urlencode`.
    path = quote(request.path, safe="/") if request is not None else ""
    current = tuple(url for app in menu for url in (app[2], *(m[2] for m in app[3])) if url and url in path)
    key = (get_language(), menu, current)
    html = _kept.get(
        key, lambda: render_to_string("admin/nav_sidebar_menu.html", {"available_apps": apps, "request": request})
    )
    return mark_safe(html)
