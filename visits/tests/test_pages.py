"""What is shown: /estadisticas/visitas/ for a period (charts' numbers equal the tables'), the
open data file, the admin report with its CSV, and the privacy notice."""

import csv
import io
import re
from datetime import date

import pytest

from visits.models import DailyVisits, Dimension
from visits.tests.conftest import ANDROID_TABLET, CDMX, IPHONE, MORELIA, USA, WINDOWS_CHROME, flush, visit

pytestmark = pytest.mark.django_db


def rows(day, dimension, values):
    DailyVisits.objects.bulk_create(
        DailyVisits(day=day, dimension=dimension, value=value, pageviews=p, visitors=v)
        for value, (p, v) in values.items()
    )


@pytest.fixture
def week(db):
    """Monday 30 Nov to Monday 7 Dec 2026, with a quiet Sunday (no row at all)."""
    for n, day in enumerate([date(2026, 11, 30 + i) for i in range(1)] + [date(2026, 12, d) for d in range(1, 8)]):
        if day == date(2026, 12, 6):
            continue
        rows(day, Dimension.TOTAL, {"": (10 + n, 5 + n)})
        rows(day, Dimension.COUNTRY, {"México": (8 + n, 4 + n), "Estados Unidos": (2, 1)})
        rows(day, Dimension.DEVICE, {"móvil": (7 + n, 3 + n), "escritorio": (3, 2)})
        rows(day, Dimension.PAGE, {"/": (6 + n, 4), "/reportar/": (4, 3)})
    return date(2026, 12, 7)


def numbers_of(html, table):
    """{label: visitors} from a table and from its chart."""
    section = html.split(f'data-table="{table}"')[1].split("</table>")[0]
    from_table = dict(re.findall(r'<th scope="row">([^<]+)</th><td data-series="visitors">(\d+)</td>', section))
    chart = html.split(f'data-chart="{table}"')[1].split("</svg>")[0]
    labels = re.findall(r'class="label"[^>]*>([^<]+)</text>', chart)
    values = re.findall(r'data-value="(\d+)"', chart)
    return from_table, dict(zip(labels, values, strict=True))


def test_the_default_period_is_the_last_seven_days_with_a_zero_for_a_day_without_visits(client, week, frozen):
    html = client.get("/estadisticas/visitas/").content.decode()
    days = re.findall(r'<tr data-day="([\d-]+)"><th scope="row">[^<]+</th><td data-series="visitors">(\d+)</td>', html)
    assert [d for d, _ in days] == [f"2026-12-0{d}" for d in range(1, 8)]
    assert dict(days)["2026-12-06"] == "0"
    # Totals: Tuesday 1 … Monday 7 without Sunday (n = 1..7, n = 6 missing).
    assert 'data-total="visitors">' + str(sum(5 + n for n in (1, 2, 3, 4, 5, 7))) in html
    assert 'data-total="pageviews">' + str(sum(10 + n for n in (1, 2, 3, 4, 5, 7))) in html


def test_the_charts_numbers_are_the_tables_numbers(client, week, frozen):
    html = client.get("/estadisticas/visitas/?desde=2026-11-30&hasta=2026-12-07").content.decode()
    for table in ("paises", "dispositivos"):
        from_table, from_chart = numbers_of(html, table)
        assert from_table == from_chart and from_table
    from_table, _ = numbers_of(html, "paises")
    assert from_table == {"México": str(sum(4 + n for n in (0, 1, 2, 3, 4, 5, 7))), "Estados Unidos": "7"}
    # The line's dots carry the daily table's numbers.
    dots = dict(re.findall(r'data-series="visitors" data-day="([\d-]+)" data-value="(\d+)"', html))
    days = dict(re.findall(r'<tr data-day="([\d-]+)"><th scope="row">[^<]+</th><td data-series="visitors">(\d+)', html))
    assert dots == days and len(dots) == 8


def test_a_breakdown_longer_than_ten_folds_the_rest_into_otros_in_chart_and_table(client, frozen):
    rows(date(2026, 12, 7), Dimension.CITY, {f"Ciudad {i:02d} (México)": (i, i) for i in range(1, 16)})
    html = client.get("/estadisticas/visitas/").content.decode()
    from_table, from_chart = numbers_of(html, "ciudades")
    assert from_table == from_chart
    assert len(from_table) == 10
    assert from_table["Otros (6)"] == str(sum(range(1, 7)))


def test_the_most_visited_pages(client, week, frozen):
    html = client.get("/estadisticas/visitas/").content.decode()
    section = html.split('data-table="paginas"')[1].split("</table>")[0]
    assert re.findall(r"<code>([^<]+)</code>", section) == ["/", "/reportar/"]


def test_visits_recorded_now_show_on_the_page_at_once_without_a_worker(client, frozen):
    visit(client, "/", IPHONE, CDMX)
    visit(client, "/reportar/", ANDROID_TABLET, MORELIA)
    html = client.get("/estadisticas/visitas/", HTTP_USER_AGENT=WINDOWS_CHROME, REMOTE_ADDR=USA).content.decode()
    assert 'data-total="visitors">2<' in html
    assert "Morelia (México)" in html and "tableta" in html


def test_a_bad_or_reversed_period_falls_back_sensibly(client, week, frozen):
    assert client.get("/estadisticas/visitas/?desde=basura").status_code == 200
    html = client.get("/estadisticas/visitas/?desde=2026-12-07&hasta=2026-12-01").content.decode()
    assert re.findall(r'<tr data-day="([\d-]+)"', html) == ["2026-12-01"]
    html = client.get("/estadisticas/visitas/?desde=2000-01-01").content.decode()
    assert len(re.findall(r'<tr data-day="', html)) == 366


def test_the_open_data_file_has_every_daily_row_and_the_page_links_it(client, week, frozen):
    response = client.get("/datos/visitas-diarias.csv")
    body = b"".join(response.streaming_content).decode()
    table = list(csv.reader(io.StringIO(body)))
    assert table[0] == ["dia", "dimension", "valor", "vistas", "visitantes"]
    assert len(table) - 1 == DailyVisits.objects.count()
    assert ["2026-12-07", "country", "México", "15", "11"] in table
    page = client.get("/datos/").content.decode()
    assert 'href="/datos/visitas-diarias.csv"' in page


def test_the_open_data_download_is_not_itself_a_page_view(client, week):
    before = DailyVisits.objects.count()
    client.get("/datos/visitas-diarias.csv", HTTP_USER_AGENT=WINDOWS_CHROME)
    flush()
    assert DailyVisits.objects.count() == before


def test_the_admin_report_and_its_csv_for_supervisors_only(client, supervisor, operator, week, frozen):
    client.force_login(supervisor)
    page = client.get("/admin/visits/visitreport/")
    assert page.status_code == 200
    assert "Visitas al portal" in page.content.decode()
    response = client.get("/admin/visits/visitreport/csv/?desde=2026-12-01&hasta=2026-12-07")
    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0] == ["seccion", "valor", "visitantes", "vistas"]
    assert ["paises", "Estados Unidos", "6", "12"] in table
    assert ["dia", "2026-12-06", "0", "0"] in table
    assert 'href="/admin/visits/visitreport/"' in client.get("/admin/").content.decode()
    client.force_login(operator)
    assert 'href="/admin/visits/visitreport/"' not in client.get("/admin/").content.decode()
    assert client.get("/admin/visits/visitreport/").status_code == 403
    assert client.get("/admin/visits/visitreport/csv/").status_code == 403


def test_the_privacy_notice_says_how_visits_are_counted(client):
    html = client.get("/aviso-de-privacidad/").content.decode()
    section = html.split('id="visitas"')[1].split("<h2")[0]
    for words in ("sin cookies", "cambia cada día", "No guardamos su dirección IP", "Sec-GPC: 1", "DNT: 1", "robots"):
        assert words in section


def test_the_statistics_and_open_data_pages_link_the_visits(client):
    assert 'href="/estadisticas/visitas/"' in client.get("/estadisticas/").content.decode()
    assert 'href="/estadisticas/visitas/"' in client.get("/datos/").content.decode()
