"""The portal's own open data imported into an empty database reproduces the public numbers;
and after any import the banner, /estadisticas/ and the open data agree with a recount."""

import csv
import io
from collections import Counter

import pytest
from django.core.management import call_command

from stats import rollups, snapshot
from stats.models import Rollup, RollupChange
from surveys.models import TicketSatisfaction
from tickets.models import Channel, FolioCounter, Ticket
from tickets.tests.importing import SAMPLES, run_command, write

pytestmark = pytest.mark.django_db


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode()


def table(client, name, key):
    return {row[key]: row for row in csv.DictReader(io.StringIO(download(client, f"/estadisticas/{name}.csv")))}


COUNTS = ("tickets", "en_proceso", "resueltos", "cerrados_sin_atencion")


def public_numbers(client):
    """The banner, and the counts of the statistics by service, month, area and locality."""
    banner = client.get("/api/v1/stats/banner").json()
    banner.pop("computed_at")
    numbers = {"banner": banner}
    for name, key in (("servicios", "servicio_codigo"), ("meses", "mes"), ("delegaciones", "delegacion")):
        numbers[name] = {k: {c: row.get(c) for c in COUNTS if c in row} for k, row in table(client, name, key).items()}
    numbers["localidades"] = {k: row["tickets"] for k, row in table(client, "localidades", "localidad_cvegeo").items()}
    numbers["colonias"] = sorted(row["tickets"] for row in table(client, "colonias", "colonia").values())
    return numbers


def test_export_then_import_into_an_empty_database_reproduces_the_public_numbers(client, tmp_path, time_machine):
    from conftest import local

    time_machine.move_to(local(2026, 11, 20, 12), tick=False)
    call_command("seed_demo", tickets=300, days=200, no_practice=True, verbosity=0)
    snapshot.recompute()
    before = public_numbers(client)
    exported = download(client, "/datos/tickets.csv")
    path = write(tmp_path, "tickets.csv", exported)

    # Importing the file into the database it came from adds nothing: those are its own tickets.
    same = run_command(path)
    assert "Ya existían (mismo número anterior): 300" in same and Ticket.objects.count() == 300

    TicketSatisfaction.objects.all().delete()
    Ticket.objects.all().delete()
    FolioCounter.objects.all().delete()
    Rollup.objects.all().delete()
    RollupChange.objects.all().delete()

    report = run_command(path)

    assert "formato datos_abiertos, origen «portal»" in report and "Rechazados: 0" in report
    assert Ticket.objects.count() == 300 and set(Ticket.objects.values_list("channel", flat=True)) == {"importado"}
    after = public_numbers(client)
    assert after["banner"] == before["banner"]
    for name in ("servicios", "meses", "delegaciones", "localidades", "colonias"):
        assert after[name] == before[name], name
    # The old folio is kept as the legacy number; in an empty database the same folios come back.
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert set(Ticket.objects.values_list("legacy_folio", flat=True)) == {row["folio"] for row in rows}
    assert set(Ticket.objects.values_list("folio", flat=True)) == {row["folio"] for row in rows}


def test_after_an_import_the_banner_statistics_and_open_data_agree_with_a_recount(client, make_ticket, tmp_path):
    make_ticket("bacheo")  # a report of this portal, in the same numbers
    run_command(*sorted(SAMPLES.glob("*.xlsx")))

    recount = Counter(Ticket.objects.values_list("service__code", flat=True))
    banner = client.get("/api/v1/stats/banner").json()
    assert banner["total"] == Ticket.objects.count() == 1148
    assert banner["resueltos"] == Ticket.objects.filter(status="resuelto").count() == 1147
    top, top_count = min(recount.items(), key=lambda item: (-item[1], item[0]))
    assert banner["servicio_mas_demandado"]["code"] == top and banner["servicio_mas_demandado"]["tickets"] == top_count

    services = table(client, "servicios", "servicio_codigo")
    assert {code: int(row["tickets"]) for code, row in services.items() if int(row["tickets"])} == dict(recount)
    months = table(client, "meses", "mes")
    per_month = Counter(t.strftime("%Y-%m") for t in Ticket.objects.values_list("created_at", flat=True))
    assert sum(int(row["tickets"]) for row in months.values()) == sum(per_month.values())
    channels = table(client, "canales", "canal_codigo")
    assert int(channels[Channel.IMPORTADO]["tickets"]) == 1147
    # Imported history is not measured against the 48 hours.
    assert channels[Channel.IMPORTADO]["pct_en_plazo"] in ("", None)

    opendata = list(csv.DictReader(io.StringIO(download(client, "/datos/tickets.csv"))))
    assert len(opendata) == 1148
    assert Counter(row["servicio_codigo"] for row in opendata) == recount
    assert rollups.reconcile(repair=False).cells_drifted == 0
