"""What is counted and how: a scripted set of visits with known browsers, devices and
addresses, and what is never counted."""

from datetime import date

import pytest

from visits import describe
from visits.models import DailyVisits
from visits.tests.conftest import (
    ANDROID_PHONE,
    ANDROID_TABLET,
    CDMX,
    GOOGLEBOT,
    IPAD,
    IPHONE,
    LOCAL,
    MAC_FIREFOX,
    MORELIA,
    USA,
    WINDOWS_CHROME,
    flush,
    visit,
)

pytestmark = pytest.mark.django_db


def counts(dimension):
    """{value: (pageviews, visitors)} of today's rows of one dimension."""
    return {r.value: (r.pageviews, r.visitors) for r in DailyVisits.objects.filter(dimension=dimension)}


def test_a_scripted_morning_of_visits_is_counted_per_page_browser_device_and_place(client, frozen):
    script = [
        ("/", IPHONE, CDMX),
        ("/reportar/", IPHONE, CDMX),
        ("/", IPHONE, CDMX),  # the same person again: a view, not a visitor
        ("/", ANDROID_PHONE, MORELIA),
        ("/", ANDROID_TABLET, MORELIA),  # same address, another device: another visitor
        ("/reportar/", IPAD, USA),
        ("/", WINDOWS_CHROME, LOCAL),
        ("/noticias/", MAC_FIREFOX, CDMX),
    ]
    for path, ua, ip in script:
        assert visit(client, path, ua, ip).status_code == 200
    assert DailyVisits.objects.count() == 0  # nothing written until the flush
    assert flush() == 8

    assert counts("total") == {"": (8, 6)}
    assert counts("page") == {"/": (5, 4), "/reportar/": (2, 2), "/noticias/": (1, 1)}
    assert counts("device") == {"móvil": (4, 2), "tableta": (2, 2), "escritorio": (2, 2)}
    assert counts("browser") == {
        "Mobile Safari": (4, 2),
        "Chrome Mobile": (1, 1),
        "Chrome": (2, 2),
        "Firefox": (1, 1),
    }
    assert counts("os") == {"iOS": (4, 2), "Android": (2, 2), "Windows": (1, 1), "Mac OS X": (1, 1)}
    assert counts("country") == {"México": (6, 4), "Estados Unidos": (1, 1), "desconocido": (1, 1)}
    assert counts("city") == {
        "Ciudad de México (México)": (4, 2),
        "Morelia (México)": (2, 2),
        "desconocido": (2, 2),
    }
    assert counts("referrer") == {"ninguno": (8, 6)}
    assert {row.day for row in DailyVisits.objects.all()} == {date(2026, 12, 7)}


def test_the_cached_home_page_is_counted_every_time(client):
    for _ in range(3):
        assert visit(client, "/").status_code == 200  # the 2nd and 3rd come from the page cache
    flush()
    assert counts("page") == {"/": (3, 1)}


def test_the_referring_site_is_kept_as_a_domain_and_this_site_is_no_referrer(client):
    visit(client, "/", HTTP_REFERER="https://www.facebook.com/groups/metepec/posts/123?fbclid=abc")
    visit(client, "/reportar/", HTTP_REFERER="http://testserver/")
    flush()
    assert counts("referrer") == {"facebook.com": (1, 1), "ninguno": (1, 1)}


def test_pages_with_a_private_token_are_kept_as_their_pattern(client, make_ticket):
    ticket = make_ticket()
    path = f"/seguimiento/{ticket.folio}/{ticket.reporter_token}/"
    assert visit(client, path).status_code == 200
    assert visit(client, f"/seguimiento/{ticket.folio}/").status_code == 200
    flush()
    assert set(counts("page")) == {"/seguimiento/<folio>/<token>/", f"/seguimiento/{ticket.folio}/"}


@pytest.mark.parametrize(
    "path, ua, headers",
    [
        ("/", GOOGLEBOT, {}),
        ("/", "", {}),
        ("/", "curl/8.5.0", {}),
        ("/", "python-requests/2.32", {}),
        ("/admin/login/", WINDOWS_CHROME, {}),
        ("/static/css/site.css", WINDOWS_CHROME, {}),
        ("/api/v1/stats/banner", WINDOWS_CHROME, {}),
        ("/open311/v2/services.json", WINDOWS_CHROME, {}),
        ("/no-existe/", WINDOWS_CHROME, {}),
        ("/reportar/bacheo/", WINDOWS_CHROME, {"HTTP_SEC_FETCH_DEST": "empty"}),  # the app caching a form
        ("/", WINDOWS_CHROME, {"HTTP_SEC_PURPOSE": "prefetch"}),
    ],
)
def test_bots_the_admin_files_apis_errors_and_background_fetches_are_not_counted(client, path, ua, headers):
    visit(client, path, ua, **headers)
    flush()
    assert DailyVisits.objects.count() == 0


def test_a_navigation_that_says_so_is_counted(client):
    visit(client, "/", HTTP_SEC_FETCH_DEST="document", HTTP_SEC_FETCH_MODE="navigate")
    flush()
    assert counts("total") == {"": (1, 1)}


def test_device_types():
    assert describe.client(IPHONE).device == "móvil"
    assert describe.client(ANDROID_PHONE).device == "móvil"
    assert describe.client(ANDROID_TABLET).device == "tableta"
    assert describe.client(IPAD).device == "tableta"
    assert describe.client(WINDOWS_CHROME).device == "escritorio"
    assert describe.client(MAC_FIREFOX).device == "escritorio"
    assert describe.client(GOOGLEBOT).bot


def test_without_an_ip_database_every_place_is_unknown(client, settings):
    settings.VISITS_GEOIP_DATABASE = ""
    describe._reader.clear()
    visit(client, "/", ip=CDMX)
    flush()
    assert counts("country") == {"desconocido": (1, 1)}
    assert counts("city") == {"desconocido": (1, 1)}


def test_a_configured_database_path_that_is_missing_means_unknown_not_an_error(client, settings, tmp_path):
    settings.VISITS_GEOIP_DATABASE = str(tmp_path / "GeoLite2-City.mmdb")
    describe._reader.clear()
    assert visit(client, "/", ip=CDMX).status_code == 200
    flush()
    assert counts("country") == {"desconocido": (1, 1)}


def test_recording_off_counts_nothing(client, settings):
    settings.VISITS_ENABLED = False
    visit(client, "/")
    flush()
    assert DailyVisits.objects.count() == 0


def test_without_redis_a_visit_is_written_by_a_later_request_once_the_minute_is_up(client, settings):
    settings.VISITS_FLUSH_SECONDS = 3600
    visit(client, "/")
    visit(client, "/reportar/")
    assert DailyVisits.objects.count() == 0  # waiting in the process
    settings.VISITS_FLUSH_SECONDS = 0  # "a minute later"
    visit(client, "/noticias/")
    assert counts("total") == {"": (3, 1)}


def test_the_flush_task_writes_the_embedded_buffer(client):
    from visits.tasks import flush_visits

    visit(client, "/")
    flush_visits.delay()
    assert counts("total") == {"": (1, 1)}


def test_flushes_add_up_on_the_same_day(client):
    visit(client, "/", ip=CDMX)
    flush()
    visit(client, "/", ip=CDMX)  # the same visitor later today: still one visitor
    visit(client, "/", ip=MORELIA)
    flush()
    assert counts("total") == {"": (3, 2)}


def test_a_view_counts_on_its_local_day_across_midnight_and_back(time_machine):
    """The day is kept until local midnight (visits.buffer.today), never past it, and a clock
    set back is followed too."""
    from conftest import local
    from visits.buffer import today

    for moment, day in (
        (local(2026, 12, 7, 23, 59, 59), date(2026, 12, 7)),
        (local(2026, 12, 8, 0, 0, 0), date(2026, 12, 8)),
        (local(2026, 12, 8, 17, 59), date(2026, 12, 8)),  # 23:59 UTC: still the 8th in Metepec
        (local(2026, 12, 8, 18, 1), date(2026, 12, 8)),  # 00:01 UTC on the 9th
        (local(2026, 12, 7, 12, 0), date(2026, 12, 7)),  # the clock set back a day
    ):
        time_machine.move_to(moment, tick=False)
        assert today() == day


def test_a_burst_of_views_of_one_page_by_one_visitor_counts_each_view_and_one_visitor(client):
    for _ in range(7):
        visit(client, "/", IPHONE, CDMX)
    visit(client, "/", WINDOWS_CHROME, CDMX)
    flush()
    assert counts("total") == {"": (8, 2)}
    assert counts("page") == {"/": (8, 2)}
    assert counts("browser") == {"Mobile Safari": (7, 1), "Chrome": (1, 1)}
