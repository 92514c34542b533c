"""The admin's sidebar menu, kept rendered per menu (metepec7311/templatetags/admin_menu.py),
and the user links of every admin page."""

import re

import pytest

pytestmark = pytest.mark.django_db


def current_links(html):
    """The sidebar's links marked as the page open."""
    return re.findall(r'<a href="([^"]+)" aria-current="page">', html)


def sidebar(html):
    return html[
        html.index('<nav class="sticky" id="nav-sidebar"') : html.index("</nav>", html.index('id="nav-sidebar"'))
    ]


def unmarked(html):
    return re.sub(r' (current-app|current-model|aria-current="page")', "", html)


def test_the_kept_menu_marks_the_page_open_not_the_page_it_was_first_rendered_on(client, supervisor):
    client.force_login(supervisor)
    tickets = client.get("/admin/tickets/ticket/").text
    services = client.get("/admin/tickets/service/").text
    again = client.get("/admin/tickets/ticket/").text
    assert current_links(tickets) == ["/admin/tickets/ticket/"]
    assert current_links(services) == ["/admin/tickets/service/"]
    assert current_links(again) == ["/admin/tickets/ticket/"]
    assert 'class="app-tickets module current-app"' in services
    # The same menu otherwise: the pages' sidebars differ only by the marks.
    assert unmarked(sidebar(tickets)) == unmarked(sidebar(services))


def test_each_user_gets_the_menu_of_their_own_permissions(client, supervisor, obras_staff):
    client.force_login(supervisor)
    assert "/admin/tickets/nonworkingday/" in client.get("/admin/tickets/ticket/").text
    client.force_login(obras_staff)  # the same page, a user who may not see the calendar
    page = client.get("/admin/tickets/ticket/").text
    assert 'id="nav-sidebar"' in page
    assert "/admin/tickets/nonworkingday/" not in page


def test_the_user_links_lead_to_the_two_factor_page_the_password_and_the_logout(client, obras_staff):
    client.force_login(obras_staff)
    page = client.get("/admin/").text
    tools = page[page.index('id="user-tools"') :]
    tools = tools[: tools.index("</div>")]
    assert 'href="/admin/dos-pasos/"' in tools
    assert 'href="/admin/password_change/"' in tools
    assert 'id="logout-form" method="post" action="/admin/logout/"' in tools
    assert "csrfmiddlewaretoken" in tools
    assert '<a href="/">Ver sitio</a>' in tools
