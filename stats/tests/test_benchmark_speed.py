"""The speed benchmark measures what it says: its report bodies file real reports (a photo
included), and every request of a run carries a key of its own."""

import uuid

import pytest
from django.test import override_settings

from stats import rollups
from stats.benchmark import speed, wrk_scripts
from tickets.models import Colonia, IncomingPhoto, Ticket


@override_settings(REPORT_RATE_LIMITS=["1000/m"])
def test_the_benchmarks_bodies_file_a_report_and_one_with_its_photo(client, db, frozen, make_ticket):
    fields = speed.report_fields(Colonia.objects.order_by("name").first().pk)
    client.cookies["csrftoken"] = speed.CSRF
    client.handler.enforce_csrf_checks = True  # as gunicorn serves it: the cookie and the token must match
    for photo in (None, speed.phone_photo(0.3)):
        body, content_type = speed.multipart(fields, photo)
        assert body.count(wrk_scripts.PLACEHOLDER) == 1
        body = body.replace(wrk_scripts.PLACEHOLDER, uuid.uuid4().hex.encode())
        response = client.generic("POST", "/reportar/bacheo/", body, content_type=content_type)
        assert response.status_code == 302, response.content[:500]
    assert Ticket.objects.count() == 2
    assert IncomingPhoto.objects.count() == 1  # the phone photo, waiting for its cleaning
    # The next measurement starts without them: a resident's report stays, the numbers match.
    fields["description"] = "Fuga de agua en la esquina"
    body, content_type = speed.multipart(fields)
    response = client.generic("POST", "/reportar/bacheo/", body.replace(wrk_scripts.PLACEHOLDER, b"k" * 32),
                              content_type=content_type)  # fmt: skip
    assert response.status_code == 302
    make_ticket(description=speed.OPEN311_DESCRIPTION + "k" * 32, channel="api")  # as Open311's POST files it
    assert speed.remove_posted_reports() == 3
    assert list(Ticket.objects.values_list("description", flat=True)) == ["Fuga de agua en la esquina"]
    assert rollups.reconcile(repair=False).cells_drifted == 0


def test_each_post_measurement_of_a_run_gets_keys_of_its_own():
    run = speed.Speed("http://127.0.0.1:1", seconds=1, rounds=1, out=lambda line: None)
    prefixes = {f"{run.run_id}{next(run.runs):06d}" for _ in range(4)}
    assert len(prefixes) == 4 and all(len(prefix) == 18 for prefix in prefixes)


def test_the_map_benchmarks_views_are_answered(client, db):
    views = speed.map_views()
    assert len(views) == 100 and {v["zoom"] for v in views} == {13, 17}
    for params in views:
        response = client.get("/mapa/puntos.json", params)
        assert response.status_code == 200, (params, response.content)


def test_a_measurement_waits_until_the_server_has_served_what_the_last_load_left_queued():
    """wrk stops waiting when its time is up, gunicorn's threads do not: the next measurement
    waits until the constant view is answered quickly again (Speed.settle)."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    answered = []

    class Busy(BaseHTTPRequestHandler):
        def do_GET(self):
            answered.append(self.path)
            time.sleep(0.3 if len(answered) <= 3 else 0)  # three slow answers, then quick ones
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Busy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        run = speed.Speed(f"http://127.0.0.1:{server.server_port}", seconds=1, rounds=1, out=lambda line: None)
        run.settle()
        assert answered == ["/bench/constant"] * 4
        with pytest.raises(RuntimeError, match="stayed busy"):
            answered.clear()
            run.settle(quick=0.0001, patience=1)
    finally:
        server.shutdown()


def test_a_reference_that_answered_nothing_stops_the_run_with_the_reason():
    with pytest.raises(RuntimeError, match="reference answered nothing"):
        speed.interleaved(lambda: 100.0, lambda: 0.0, rounds=1)


def test_every_measurement_of_a_pair_starts_on_a_settled_server():
    calls = []
    speed.interleaved(
        lambda: calls.append("page") or 50.0,
        lambda: calls.append("reference") or 100.0,
        rounds=2,
        settle=lambda: calls.append("settle"),
    )
    assert calls == ["settle", "reference", "settle", "page"] * 2
