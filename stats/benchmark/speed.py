"""The speed table of docs/performance.md: every public page, API, export and the staff list,
each against a reference measured in the same run on the same data and server, the pair
interleaved round after round (the median of the per-round ratios is kept).

Run through `make bench` (1 M and 10 M tickets) or `make bench-quick` (100,000).
"""

import io
import statistics
import subprocess
import time
import urllib.request
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import Q
from PIL import Image

from stats import opendata, rollups, snapshot
from stats.benchmark import load, wrk_scripts
from stats.benchmark.urls import BENCH_EVENTS
from tickets.lifecycle import incoming_photos
from tickets.models import Colonia, IncomingPhoto, Ticket, TicketEvent
from tickets.models.status import OPEN_STATUSES

CSRF = "benchcsrftoken0123456789abcdefgh"  # 32 characters: an unmasked CSRF secret
REPORT_DESCRIPTION = "Bache de medio metro frente a la panadería; ya se ponchó una llanta."
OPEN311_DESCRIPTION = "Bache de prueba de carga "  # followed by the request's own key


@dataclass
class Row:
    name: str
    numerator: float
    reference: float
    unit: str
    reference_name: str
    ratio: float
    goal: str  # "≥ 0.5", "≤ 0.1"

    @property
    def met(self):
        if self.goal == "—":  # for the record
            return None
        bound = float(self.goal.split()[-1])
        return self.ratio >= bound if self.goal.startswith("≥") else self.ratio <= bound


def interleaved(measure, reference, rounds, settle=lambda: None):
    """(median numerator, median reference, median of the per-round ratios numerator/reference).
    `settle()` runs before each measurement (Speed.settle: the server idle again)."""
    got, refs, ratios = [], [], []
    for _ in range(rounds):
        settle()
        r = reference()
        settle()
        g = measure()
        got.append(g)
        refs.append(r)
        if not r:
            raise RuntimeError("the reference answered nothing: the server was still busy with an earlier load")
        ratios.append(g / r)
    return statistics.median(got), statistics.median(refs), statistics.median(ratios)


# --- request bodies --------------------------------------------------------------------


def phone_photo(megabytes=1.0):
    """A JPEG the size of a phone photo (4032 × 3024, about `megabytes`), with EXIF and GPS."""
    w, h = 4032, 3024
    base = Image.effect_noise((w // 16, h // 16), 60).convert("L").resize((w, h), Image.Resampling.BICUBIC)
    picture = Image.merge("RGB", (base, base.rotate(180), Image.linear_gradient("L").resize((w, h))))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (19.0, 15.0, 8.0), 3: "W", 4: (99.0, 36.0, 16.0)}
    for quality in (80, 70, 60, 50, 40):
        output = io.BytesIO()
        picture.save(output, format="JPEG", quality=quality, exif=exif.tobytes())
        if output.tell() <= megabytes * 1.1 * 1024 * 1024:
            break
    return output.getvalue()


def report_fields(colonia_id):
    return {
        "csrfmiddlewaretoken": CSRF,
        "submission_key": wrk_scripts.PLACEHOLDER.decode(),
        "colonia": str(colonia_id),
        "address": "Calle Hidalgo 12, frente a la panadería",
        "description": REPORT_DESCRIPTION,
        "attribute_tamano": "mediano",
        "reporter_email": "vecina@example.com",
        # The resident saw the nearby reports (if any) and says this one is new.
        "confirm_new": "1",
    }


def multipart(fields, photo=None):
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    if photo is not None:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="bache.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n".encode()
        )
        out.write(photo)
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


# --- the measurements --------------------------------------------------------------------


class Speed:
    def __init__(self, base, *, seconds, rounds, out):
        self.base, self.seconds, self.rounds, self.out = base, seconds, rounds, out
        self.rows = []
        self.run_id = uuid.uuid4().hex[:12]
        self.runs = iter(range(10**6))

    def add(self, name, numerator, reference, unit, reference_name, ratio, goal):
        row = Row(name, numerator, reference, unit, reference_name, ratio, goal)
        self.rows.append(row)
        self.out(f"  {name}: {numerator:,.1f} / {reference:,.1f} {unit} = {ratio:.2f} ({goal})")
        return row

    def rps(self, path):
        return load.requests_per_second(f"{self.base}{path}", seconds=self.seconds)[0]

    def settle(self, quick=0.1, patience=600):
        """Wait until the server answers the constant view within `quick` seconds: the requests
        a finished load left queued (wrk stops waiting, gunicorn's threads do not) must not be
        counted against the next measurement. At 10 M a warm-up of the map's 100 views left
        minutes of them, and the next reference measured 0 req/s."""
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                urllib.request.urlopen(f"{self.base}/bench/constant", timeout=patience).read()
            except OSError:
                time.sleep(0.5)
                continue
            if time.monotonic() - started < quick:
                return
            time.sleep(0.5)
        raise RuntimeError(f"the server at {self.base} stayed busy for {patience} s")

    def get_pair(self, name, path, goal, reference="/bench/constant", reference_name="constant JSON"):
        measured = interleaved(lambda: self.rps(path), lambda: self.rps(reference), self.rounds, self.settle)
        return self.add(name, *measured[:2], "req/s", reference_name, measured[2], goal)

    def paths_pair(self, name, paths, goal, warm_up=0):
        if warm_up:  # every page rendered once in each server process before the measurement
            wrk_scripts.get_paths_per_second(self.base, paths, seconds=warm_up)
        measured = interleaved(
            lambda: wrk_scripts.get_paths_per_second(self.base, paths, seconds=self.seconds),
            lambda: self.rps("/bench/constant"),
            self.rounds,
            self.settle,
        )
        return self.add(name, *measured[:2], "req/s", "constant JSON", measured[2], goal)

    def post_pair(self, name, path, body, content_type, goal, *, cookie=None, reference_name="one ORM INSERT"):
        def post(target):
            # Unique in the whole run: a key sent again is answered from its receipt.
            run = f"{self.run_id}{next(self.runs):06d}"
            return wrk_scripts.post_per_second(
                f"{self.base}{target}", body, content_type, run=run, cookie=cookie, seconds=self.seconds
            )

        measured = interleaved(lambda: post(path), lambda: post("/bench/insert"), self.rounds, self.settle)
        return self.add(name, *measured[:2], "req/s", reference_name, measured[2], goal)

    # ---

    def public_pages(self):
        # Folios as the portal writes them (the synthetic tickets beyond the first million carry
        # placeholder numbers that no tracking page accepts).
        real = Ticket.objects.filter(folio__startswith="7311-")
        folios = list(real.order_by("?").values_list("folio", flat=True)[:3000])
        # The reports people are following (a resident's own, a pothole shared by neighbours):
        # 100 folios visited over and over, each page already rendered once per process and
        # kept until its ticket changes.
        kept, new = [f"/seguimiento/{f}/" for f in folios[:100]], [f"/seguimiento/{f}/" for f in folios[100:]]
        self.paths_pair("GET /seguimiento/<folio>/ (100 folios, kept)", kept, "≥ 0.5", warm_up=5)
        # For the record: first visits, each page rendered from the database (cold rows).
        self.paths_pair("GET /seguimiento/<folio>/ (first visits)", new, "—")
        self.get_pair("GET /estadisticas/", "/estadisticas/", "≥ 0.5")
        self.get_pair("GET /datos/", "/datos/", "≥ 0.8")
        self.get_pair("GET / (banner)", "/", "≥ 0.5")

    def map_pages(self):
        """/mapa/ and its JSON as clients see them: views kept per version of the tickets and
        minute, so a pan asks for a view another visitor (or this one) already asked for."""
        self.get_pair("GET /mapa/", "/mapa/", "≥ 0.5")
        views = [f"/mapa/puntos.json?{urlencode(params)}" for params in map_views()]
        self.paths_pair("GET /mapa/puntos.json (100 views, kept)", views, "≥ 0.5", warm_up=5)

    def visits(self):
        """Issue #15: the home page and the report form with visit recording on against the
        same pages with it off (VISITS_ENABLED=0), same data, requested as a phone's browser
        would (bots are not counted, so the bare load tool's requests would cost nothing).

        Servers started for the pair, alike but for the setting (the benchmark's own server has
        served every other row by then: its caches, its heap). Two identical servers measured
        against each other (A/A) gave 0.95–0.97 to the one started first, as much as recording
        costs: so the pair runs twice, once with each started first, and the median of all
        rounds' ratios is kept (at least six: a round's noise is a few hundredths too)."""
        from stats.benchmark.server import BenchServer

        pages = (("GET / (home, cached)", "/"), ("GET /reportar/bacheo/ (report form)", "/reportar/bacheo/"))
        rounds = max(self.rounds, 6) // 2
        measured = {path: ([], [], []) for _, path in pages}
        for on_first in (True, False):
            proxied = {"VISITS_IP_META_KEY": "HTTP_X_FORWARDED_FOR"}
            on_env, off_env = proxied, {**proxied, "VISITS_ENABLED": "0"}
            envs = [on_env, off_env] if on_first else [off_env, on_env]
            with BenchServer(env=envs[0]) as first, BenchServer(env=envs[1]) as second:
                on, off = (first, second) if on_first else (second, first)
                for _, path in pages:
                    browser_rps(off + path, seconds=1)  # each server's processes warmed on the page
                    browser_rps(on + path, seconds=1)
                    for _ in range(rounds):
                        reference = browser_rps(off + path, seconds=self.seconds)
                        numerator = browser_rps(on + path, seconds=self.seconds)
                        numerators, references, ratios = measured[path]
                        numerators.append(numerator)
                        references.append(reference)
                        ratios.append(numerator / reference)
        for name, path in pages:
            numerators, references, ratios = measured[path]
            self.add(
                f"{name}, visits on",
                statistics.median(numerators),
                statistics.median(references),
                "req/s",
                "same, visits off",
                statistics.median(ratios),
                "≥ 0.9",
            )

    def report_posts(self):
        colonia = Colonia.objects.order_by("name").first()
        fields = report_fields(colonia.pk)
        cookie = f"csrftoken={CSRF}"
        body, content_type = multipart(fields)
        self.post_pair("POST /reportar/bacheo/ (no photo)", "/reportar/bacheo/", body, content_type, "≥ 0.5",
                       cookie=cookie)  # fmt: skip
        clean_reference_rows()
        photo = phone_photo(1.0)
        body, content_type = multipart(fields, photo)
        self.post_pair(
            f"POST /reportar/bacheo/ ({len(photo) / 1e6:.1f} MB photo)",
            "/reportar/bacheo/",
            body,
            content_type,
            "≥ 0.3",
            cookie=cookie,
            reference_name="one ORM INSERT, same body",
        )
        clean_reference_rows()

    def apis(self, api_key):
        self.get_pair("GET /open311/v2/requests.json", "/open311/v2/requests.json", "≥ 0.3")
        self.get_pair("GET /api/v1/tickets/", "/api/v1/tickets/", "≥ 0.3")
        self.get_pair("GET /open311/v2/services.json", "/open311/v2/services.json", "≥ 0.5")
        report = {
            "service_code": "bacheo",
            "lat": "19.2545",
            "long": "-99.6053",
            "description": OPEN311_DESCRIPTION + wrk_scripts.PLACEHOLDER.decode(),
            "api_key": api_key,
        }
        body = urlencode(report, safe="@").encode()
        self.post_pair(
            "POST /open311/v2/requests.json",
            "/open311/v2/requests.json",
            body,
            "application/x-www-form-urlencoded",
            "≥ 0.3",
        )

    def exports(self):
        for name, path in (
            ("GET /datos/tickets.csv", "/datos/tickets.csv"),
            ("GET /datos/tickets.json", "/datos/tickets.json"),
            ("GET /datos/tickets.geojson", "/datos/tickets.geojson"),
        ):
            goal = "≥ 0.8" if path.endswith(".csv") else "≥ 0.5"
            # GeoJSON has a feature only for tickets with a point: its reference reads those.
            copy_rate = copy_rows_per_second(points_only=path.endswith(".geojson"))
            started = time.perf_counter()
            with urllib.request.urlopen(f"{self.base}{path}", timeout=7200) as response:
                size = 0
                lines = 0
                for chunk in iter(lambda: response.read(1 << 20), b""):
                    size += len(chunk)
                    lines += chunk.count(b"\n")
            rate = _rows_in(path, lines) / (time.perf_counter() - started)
            reference = "COPY … TO STDOUT" + (" (rows with a point)" if path.endswith(".geojson") else "")
            self.add(name, rate, copy_rate, "rows/s", reference, rate / copy_rate, goal)

    def recompute(self, total):
        def group_by():
            with connection.cursor() as cursor:
                cursor.execute("SELECT service_id, count(*) FROM tickets_ticket GROUP BY 1")
                cursor.fetchall()

        got, ref, ratio = interleaved(lambda: _ms(snapshot.recompute), lambda: _ms(group_by), 5)
        # The goal is at ten million tickets; below, one GROUP BY is still cheap (for the record).
        goal = "≤ 0.1" if total >= 10_000_000 else "—"
        return self.add("recompute of the public numbers", got, ref, "ms", "GROUP BY service", ratio, goal)


# A resident's public address (Ciudad de México in the packaged IP database), given by the proxy:
# the visits servers read it (VISITS_IP_META_KEY), so each view pays a real place lookup, not
# the loopback's miss.
PHONE_ADDRESS = "201.141.1.1"
PHONE_BROWSER = (
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)


def browser_rps(url, seconds):
    """Requests/s of GETs with a phone browser's headers (wrk, 16 connections), as counted visits,
    each on a connection of its own as a proxy in front of gunicorn sends them (nginx's default):
    wrk's 16 kept-alive connections are accepted all by one of gunicorn's two processes about
    one run in three, which halved a page's rate at random (the report form's pair flipped
    between 0.5 and 1.7)."""
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "60s", "-H", f"User-Agent: {PHONE_BROWSER}",
               "-H", "Accept: text/html", "-H", "Accept-Language: es-MX", *load.PER_REQUEST_CONNECTION,
               "-H", f"X-Forwarded-For: {PHONE_ADDRESS}", url]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return load.wrk_rate(url, output)


def _rows_in(path, lines):
    # CSV: a header line; JSON and GeoJSON: one line per row plus the opening and closing.
    return lines - (1 if path.endswith(".csv") else 2)


def _ms(function):
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def copy_rows_per_second(points_only=False):
    """The reference of the exports: COPY of the same SELECT (only the rows with a point for
    GeoJSON's features), read directly."""
    rows = 0
    exported = opendata.export_queryset(text_in_database=True)
    if points_only:
        exported = exported.filter(latitude__isnull=False, longitude__isnull=False)
    sql, params = exported.query.sql_with_params()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE %s", [settings.TIME_ZONE])
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            for chunk in copy:
                rows += bytes(chunk).count(b"\n")
        cursor.execute("SET TIME ZONE 'UTC'")
    return rows / (time.perf_counter() - started)


# --- the staff list, in process ----------------------------------------------------------


def admin_rows(speed, supervisor_client, department_id, runs=30):
    """The admin's changelist against the plain ListView of the same rows and filters, both
    through the test client in this process (same middleware, same login), interleaved."""
    from django.urls import reverse

    admin_url = reverse("admin:tickets_ticket_changelist")
    list_goal = "≥ 0.5"
    cases = [
        ("admin list, 50 rows, no filter", {}, admin_url, list_goal),
        ("admin list, department", {"department__id__exact": department_id}, admin_url, list_goal),
        ("admin list, vencido", {"sla": "vencido"}, admin_url, list_goal),
        ("admin search «postes»", {"q": "postes"}, admin_url, list_goal),
        # The staff's home page: the queues with their six capped counts (issue #13).
        ("admin home, queues", {}, reverse("admin:index"), list_goal),
        # The supervisor's dashboard: about ten grouped counts over indexes and rollups.
        ("supervisor dashboard", {}, reverse("admin:tickets_ticket_dashboard"), "≥ 0.1"),
    ]
    for name, params, page_url, goal in cases:

        def timed(url, params=params):
            started = time.perf_counter()
            response = supervisor_client.get(url, params)
            assert response.status_code == 200, (url, response.status_code)
            return (time.perf_counter() - started) * 1000

        timed(page_url)
        timed("/bench/tickets/")
        samples_admin, samples_ref, ratios = [], [], []
        for _ in range(runs):
            ref = timed("/bench/tickets/")
            got = timed(page_url)
            samples_admin.append(got)
            samples_ref.append(ref)
            ratios.append(ref / got)
        speed.add(
            name,
            statistics.median(samples_admin),
            statistics.median(samples_ref),
            "ms",
            "plain ListView, same rows" if page_url == admin_url else "plain ListView, 50 rows",
            statistics.median(ratios),
            goal,
        )


# --- the public map, in process ----------------------------------------------------------


def map_views(count=100, seed=7311):
    """`count` views of the map as phones ask for them: half the city's view at zoom 13 (clusters)
    panned around, half a few streets at zoom 17 (points), some filtered by a service."""
    import random

    rng = random.Random(seed)
    views = []
    for i in range(count):
        zoom, half_w, half_h = (13, 0.03, 0.06) if i % 2 == 0 else (17, 0.0021, 0.0045)
        lon, lat = rng.uniform(-99.63, -99.53), rng.uniform(19.22, 19.28)
        params = {"bbox": f"{lon - half_w:.5f},{lat - half_h:.5f},{lon + half_w:.5f},{lat + half_h:.5f}", "zoom": zoom}
        if i % 5 == 4:
            params["servicio"] = "bacheo"
        views.append(params)
    return views


def map_rows(speed, runs=30):
    """The map's JSON built from the database (its kept answers emptied before every request),
    clusters at the city's zoom and points a few streets wide, each against the constant JSON
    view through the same test client: how many milliseconds an answer costs to make."""
    from django.test import Client

    client = Client()
    views = map_views()
    cases = [
        ("map JSON, clusters, zoom 13 (built)", [v for v in views if v["zoom"] == 13]),
        ("map JSON, points, zoom 17 (built)", [v for v in views if v["zoom"] == 17]),
    ]
    for name, chosen in cases:

        def timed(url, params=None):
            caches["answers"].clear()
            started = time.perf_counter()
            response = client.get(url, params)
            assert response.status_code == 200, (url, response.status_code)
            return (time.perf_counter() - started) * 1000

        samples, refs, ratios = [], [], []
        for i in range(runs):
            ref = timed("/bench/constant")
            got = timed("/mapa/puntos.json", chosen[i % len(chosen)])
            samples.append(got)
            refs.append(ref)
            ratios.append(ref / got)
        speed.add(name, statistics.median(samples), statistics.median(refs), "ms", "constant JSON, in process",
                  statistics.median(ratios), "—")  # fmt: skip


def remove_posted_reports():
    """Delete the reports a previous measurement's POSTs filed (tens of thousands of open
    tickets of one day, which the next size's staff list, dashboard and map would count as
    the city's backlog), then recount the rollups so every public number still equals a
    recount (deleting through the ORM already tells the kept pages, by the tickets' signals).
    They are open tickets (the status index finds them) with the bodies' descriptions."""
    posted = Ticket.objects.filter(status__in=OPEN_STATUSES).filter(
        Q(description=REPORT_DESCRIPTION) | Q(description__startswith=OPEN311_DESCRIPTION)
    )
    ids = list(posted.values_list("pk", flat=True))
    for start in range(0, len(ids), 5000):
        Ticket.objects.filter(pk__in=ids[start : start + 5000]).delete()
    if ids:
        rollups.rebuild()
    return len(ids)


def clean_reference_rows():
    """The reference POST view's rows, the caches the previous run left, and the photos its
    reports left waiting: with no worker running during the benchmark (the request's share is
    what is measured) they would pile up on the disk, a gigabyte a minute."""
    TicketEvent.objects.filter(**BENCH_EVENTS).delete()
    caches["answers"].clear()
    caches["pages"].clear()
    waiting = IncomingPhoto.objects.all()
    for name in waiting.values_list("image", flat=True).iterator():
        incoming_photos.FIELD.storage.delete(name)
    waiting.delete()
