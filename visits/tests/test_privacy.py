"""The privacy rules: no address, user agent or cookie stored or set; a salt that changes every
day and is then gone; Sec-GPC and DNT honoured."""

import hashlib
from datetime import timedelta

import pytest
from django.core.management import call_command

from conftest import local
from visits import buffer, describe
from visits.models import DailyVisits, FlushedBatch
from visits.tests.conftest import CDMX, IPHONE, MORELIA, WINDOWS_CHROME, flush, visit

pytestmark = pytest.mark.django_db


def test_no_cookie_is_set_or_read_for_counting(client, settings):
    response = visit(client, "/aviso-de-privacidad/")
    counted_cookies = dict(response.cookies)
    settings.VISITS_ENABLED = False
    client.cookies.clear()
    response = visit(client, "/aviso-de-privacidad/")
    assert dict(response.cookies).keys() == counted_cookies.keys() == set()
    # A visitor is recognised without any cookie: the second view of the same person sends none.
    visit(client, "/")
    settings.VISITS_ENABLED = True
    client.cookies.clear()
    visit(client, "/")
    visit(client, "/")
    flush()
    assert DailyVisits.objects.get(dimension="total").visitors == 1


def test_neither_address_nor_user_agent_nor_hash_is_stored(client, tmp_path):
    ips, uas = [CDMX, MORELIA], [IPHONE, WINDOWS_CHROME]
    for ip in ips:
        for ua in uas:
            visit(client, "/", ua, ip)
    flush()
    dump = tmp_path / "dump.json"
    call_command("dumpdata", "visits", output=str(dump))
    text = dump.read_text()
    for secret in ips + uas + ["AppleWebKit", "Mozilla"]:
        assert secret not in text
    # Nothing that looks like a visitor hash either (32 hex digits).
    assert not any(len(row.value) == 32 for row in DailyVisits.objects.all())
    assert FlushedBatch.objects.count() == 0  # the embedded store has no batches
    assert DailyVisits.objects.get(dimension="total").visitors == 4


def test_the_salt_changes_every_day_and_yesterdays_is_gone(client, time_machine):
    time_machine.move_to(local(2026, 12, 7, 23, 50), tick=False)
    visit(client, "/", IPHONE, CDMX)
    store = buffer.current()
    monday = store.salt(local(2026, 12, 7).date())
    monday_hash = describe.visitor_hash(monday, CDMX, IPHONE)

    time_machine.move_to(local(2026, 12, 8, 0, 10), tick=False)
    visit(client, "/", IPHONE, CDMX)
    tuesday = store.salt(local(2026, 12, 8).date())
    assert tuesday != monday and len(tuesday) == 32
    assert list(store.salts) == [local(2026, 12, 8).date()]  # only today's salt exists
    # The same person on Tuesday is another number: days cannot be linked.
    assert describe.visitor_hash(tuesday, CDMX, IPHONE) != monday_hash
    # Monday's hashes went with Monday.
    store.push_now()
    assert set(store.seen) == {"2026-12-08"}
    flush()
    rows = {row.day: (row.pageviews, row.visitors) for row in DailyVisits.objects.filter(dimension="total")}
    assert rows == {local(2026, 12, 7).date(): (1, 1), local(2026, 12, 8).date(): (1, 1)}


def test_the_hash_depends_on_salt_address_and_user_agent_and_is_not_a_plain_digest():
    salt = b"s" * 32
    h = describe.visitor_hash(salt, CDMX, IPHONE)
    assert h != describe.visitor_hash(b"t" * 32, CDMX, IPHONE)
    assert h != describe.visitor_hash(salt, MORELIA, IPHONE)
    assert h != describe.visitor_hash(salt, CDMX, WINDOWS_CHROME)
    assert h != hashlib.sha256(f"{CDMX}{IPHONE}".encode()).hexdigest()[:32]


@pytest.mark.parametrize("header", [{"HTTP_SEC_GPC": "1"}, {"HTTP_DNT": "1"}])
def test_gpc_and_dnt_count_only_as_page_views(client, header):
    visit(client, "/", IPHONE, CDMX, **header)
    visit(client, "/", IPHONE, CDMX, **header)
    visit(client, "/reportar/", WINDOWS_CHROME, MORELIA, **header)
    buffer.current().push_now()
    assert buffer.current().seen == {}  # no hash was even made
    flush()
    totals = {r.dimension: (r.pageviews, r.visitors) for r in DailyVisits.objects.filter(dimension__in=["total"])}
    assert totals == {"total": (3, 0)}
    assert {r.value: r.visitors for r in DailyVisits.objects.filter(dimension="page")} == {"/": 0, "/reportar/": 0}
    # Browser, device and place are still counted as views.
    assert DailyVisits.objects.get(dimension="device", value="móvil").pageviews == 2


def test_gpc_0_is_an_ordinary_visitor(client):
    visit(client, "/", HTTP_SEC_GPC="0", HTTP_DNT="0")
    flush()
    assert DailyVisits.objects.get(dimension="total").visitors == 1


def test_the_hashes_kept_for_today_expire_with_the_day():
    day = local(2026, 12, 7).date()
    end = buffer.end_of_day(day)
    assert end - local(2026, 12, 8, 0, 0).timestamp() == 300
    assert timedelta(seconds=end - local(2026, 12, 7, 0, 0).timestamp()) < timedelta(days=1, minutes=6)
