"""Load and fault harness (`make load`, docs/reliability.md): residents filing reports
while Redis is restarted and the Celery worker is killed; nothing may be lost or doubled.

It starts everything of its own on this machine: a PostgreSQL database (recreated, migrated,
reference data loaded), a redis-server on a free port, a real SMTP server that counts what
it receives, gunicorn (gthread, DEBUG off) and a Celery worker with beat. Residents are
threads that do what a browser does: the form page, the POST with its hidden submission key
(the same key again on a retry), the receipt with the folio. Faults follow a plan in seconds
of the run. Then the outbox is given time to drain, and the figures are printed: exit status
1 if a report was lost or doubled, an e-mail undelivered or doubled, or a saved change
answered with a 5xx. Everything started is stopped and the database dropped, also on Ctrl-C.
"""

import logging
import shutil
import signal
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from metepec7311.testing.redis_server import RedisServer, free_port
from metepec7311.testing.smtp_server import SmtpServer
from tickets.loadtest import (
    Faults,
    LoadDatabase,
    Residents,
    Workers,
    clock,
    gunicorn,
    manage,
    outbox_state,
    parse_faults,
    portal_env,
    received,
    tally,
    wait_http,
)

# Reports from one address that the production limits (5/10m, 20/d) accept without a refusal
# even if a retry counted twice; above it the harness raises REPORT_RATE_LIMITS for the run.
REPORTS_UNDER_LIMITS = 4
REPORTABLE = (
    "SELECT code FROM tickets_service s WHERE is_active AND citizen_reportable AND NOT is_emergency "
    "AND NOT photo_required AND NOT EXISTS "
    "(SELECT 1 FROM tickets_serviceattribute a WHERE a.service_id = s.id AND a.required) ORDER BY code"
)


# How the errors behind a 5xx start in gunicorn's log (the others there are warnings).
SERVER_ERRORS = (" ERROR django.request ", " ERROR metepec7311.unavailable ", "[ERROR]")


def _interrupted(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = (
        "Carga y fallas: residentes simultáneos levantan reportes contra gunicorn + PostgreSQL + Redis "
        "mientras Redis se reinicia y el worker de Celery muere; cuenta reportes y correos perdidos o duplicados."
    )

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, default=200, help="concurrent residents (threads)")
        parser.add_argument("--reports-per-resident", type=int, default=3)
        parser.add_argument("--seconds", type=float, default=60, help="the window the reports are spread over")
        parser.add_argument(
            "--faults",
            default=None,
            help="plan, seconds into the run: e.g. redis@15,worker@30,redis@45 (the default: those "
            "fractions of --seconds); an empty string injects none",
        )
        parser.add_argument("--redis-down", type=float, default=5, help="seconds Redis stays down at each restart")
        parser.add_argument("--worker-down", type=float, default=2, help="seconds before a killed worker's successor")
        parser.add_argument(
            "--restart-exited-worker",
            action="store_true",
            help="replace a worker that fails by itself (exits, or logs Celery's 'Unrecoverable error'), as a "
            "supervisor such as systemd's Restart=always would; off: the failure is reported, nothing replaces it",
        )
        parser.add_argument("--retries", type=int, default=6, help="a resident's retries of one request")
        parser.add_argument("--timeout", type=float, default=30, help="a resident's read timeout (seconds)")
        parser.add_argument("--drain-seconds", type=float, default=150, help="longest wait for the outbox")
        parser.add_argument("--gunicorn-workers", type=int, default=2)
        parser.add_argument("--gunicorn-threads", type=int, default=8)
        parser.add_argument("--database-server", default="postgres://postgres@127.0.0.1:5432")
        parser.add_argument("--database", default="metepec7311_load")
        parser.add_argument("--keep-database", action="store_true", help="do not drop the database at the end")

    def log(self, text):
        self.stdout.write(text)
        self.stdout.flush()

    def step(self, text):
        self.log(f"{clock()} [{time.monotonic() - self.began:5.1f}s] {text}")

    def handle(self, *args, **options):
        self.began = time.monotonic()
        self.options = options
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's every SMTP command
        work = Path(tempfile.mkdtemp(prefix="metepec7311-load-"))
        self.logs = work / "logs"
        self.logs.mkdir()
        self.database = LoadDatabase(options["database_server"], options["database"])
        self.redis = self.smtp = self.web = self.workers = self.residents = self.faults = None
        # Ctrl-C or a TERM: the clean-up below runs either way (also when SIGINT was ignored,
        # as in a background job of a script).
        previous = {sig: signal.signal(sig, _interrupted) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            return self.run(work)
        except KeyboardInterrupt:
            raise CommandError("Interrupted: everything it started was stopped.") from None
        finally:
            self.clean_up(work)
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def run(self, work):
        o = self.options
        self.step(f"database {self.database.name}: recreating")
        self.database.recreate()
        self.redis = RedisServer(work).start()
        self.smtp = SmtpServer()
        self.smtp.start()
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        rate_limits = None
        if o["reports_per_resident"] > REPORTS_UNDER_LIMITS:
            n = o["reports_per_resident"]
            rate_limits = f"{2 * n}/10m,{4 * n}/d"
        env = portal_env(
            base_url=base_url, database_url=self.database.url, redis_url=self.redis.url, smtp=self.smtp,
            media_root=work / "media", rate_limits=rate_limits,
        )  # fmt: skip
        self.step(f"redis-server on port {self.redis.port}, SMTP server on port {self.smtp.port}; migrating")
        manage(env, "migrate", "--noinput")
        manage(env, "load_reference_data")
        services = [code for (code,) in self.database.rows(REPORTABLE)]

        self.web = gunicorn(env, port, o["gunicorn_workers"], o["gunicorn_threads"], self.logs / "gunicorn.log")
        self.web.start()
        wait_http(f"{base_url}/healthz")
        self.workers = Workers(env, work, self.logs / "celery.log")
        self.workers.start()
        self.step(
            f"gunicorn {o['gunicorn_workers']}×{o['gunicorn_threads']} threads at {base_url}, Celery worker with "
            f"beat ready; {len(services)} services; rate limits "
            + (f"raised to {rate_limits}" if rate_limits else "as in production, one address per resident")
        )
        seconds = o["seconds"]
        plan = parse_faults(
            o["faults"]
            if o["faults"] is not None
            else f"redis@{seconds * 0.25:g},worker@{seconds * 0.5:g},redis@{seconds * 0.75:g}"
        )
        self.residents = Residents(
            base_url, services, count=o["residents"], reports=o["reports_per_resident"], seconds=seconds,
            retries=o["retries"], timeout=o["timeout"], run_id=uuid.uuid4().hex[:6],
        )  # fmt: skip
        setup_seconds = time.monotonic() - self.began
        self.step(
            f"{o['residents']} residents × {o['reports_per_resident']} reports over {seconds:g} s; faults: "
            + (", ".join(f"{kind}@{at:g}s" for at, kind in plan) or "none")
        )
        self.residents.start()
        self.faults = Faults(
            plan, redis=self.redis, workers=self.workers, redis_down=o["redis_down"],
            worker_down=o["worker_down"], log=self.log, t0=self.residents.t0,
        )  # fmt: skip
        self.faults.start()
        self.watch_residents(seconds)
        self.faults.join(timeout=120)
        run_seconds = time.monotonic() - self.residents.t0

        drain_began = time.monotonic()
        self.drain(o["drain_seconds"])
        drain_seconds = time.monotonic() - drain_began
        figures = tally(self.residents.attempts, self.residents.statuses, self.database, self.smtp)
        return self.report(figures, plan, setup_seconds, run_seconds, drain_seconds)

    def watch_residents(self, seconds):
        o = self.options
        # Past the window, a resident's last report may still be retrying: every retry's wait
        # and timeout, at most; then the harness stops waiting (those count as unfinished).
        limit = seconds + 30 + (o["retries"] + 1) * 8
        deadline, next_note = self.residents.t0 + limit, time.monotonic() + 10
        while self.residents.running() and time.monotonic() < deadline:
            time.sleep(0.5)
            self.check_worker()
            if time.monotonic() >= next_note:
                next_note += 10
                self.progress()
        if self.residents.running():
            self.step("residents still retrying past the limit: stopping them")
            self.residents.stop.set()
            self.residents.join(timeout=o["timeout"] + 10)
        self.progress()

    def progress(self):
        attempts = list(self.residents.attempts)
        statuses = self.residents.statuses
        failures = [f for a in attempts for f in a.failures]
        self.log(
            f"{clock()} +{time.monotonic() - self.residents.t0:5.1f}s  reports {len(attempts)}, "
            f"folios {sum(bool(a.folio) for a in attempts)}, residents active {self.residents.running()}, "
            f"requests {sum(statuses.values())}, 5xx {sum(isinstance(f[2], int) for f in failures)}, "
            f"connection errors {sum(not isinstance(f[2], int) for f in failures)}, "
            f"e-mails received {len(self.smtp.messages)}"
        )

    def check_worker(self):
        """A worker that failed with no fault to kill it: said at once, and replaced if asked."""
        failed = self.workers.failed_by_itself()
        if failed is None:
            return
        generation, state, why = failed
        self.step(f"UNPLANNED: Celery worker {generation} failed by itself ({state}): {why}")
        if self.options["restart_exited_worker"]:
            self.workers.replace()
            self.step(f"Celery worker {self.workers.generation} started in its place (--restart-exited-worker)")

    def drain(self, seconds):
        """Until no message is pending in the outbox (the sweep runs every 60 s), bounded."""
        self.step("residents done; waiting for the outbox to drain")
        began, next_note = time.monotonic(), time.monotonic() + 10
        while True:
            states = [state for state, _, _ in outbox_state(self.database).values()]
            pending = states.count("pendiente")
            if pending == 0 or time.monotonic() - began > seconds:
                break
            self.check_worker()
            if time.monotonic() >= next_note:
                next_note += 10
                self.step(f"outbox: {pending} pending, {len(received(self.smtp))} e-mails received")
            time.sleep(1)
        time.sleep(3)  # a message sent twice arrives within moments of the first
        self.step(f"outbox: {pending} pending after {time.monotonic() - began:.0f} s")

    def report(self, f, plan, setup_seconds, run_seconds, drain_seconds):
        o = self.options
        lost = f["lost_no_folio"] + f["lost_folio_not_in_db"]
        duplicated = f["duplicated_tickets"] + f["duplicate_copies_by_message_id"]
        rows = [
            ("reports attempted", f["attempted"]),
            ("reports saved (distinct tickets in the DB)", f["saved"]),
            ("reports duplicated (tickets beyond one per submission)", f["duplicated_tickets"]),
            ("reports lost", lost),
            ("  ended with no folio", f"{f['lost_no_folio']} (saved anyway: {f['lost_no_folio_saved_anyway']})"),
            ("  folio shown, ticket not in the DB", f["lost_folio_not_in_db"]),
            ("e-mails promised (Notification rows)", f"{f['promised']} {f['outbox_states']}"),
            ("e-mails delivered (distinct, at the SMTP server)", f["delivered"]),
            ("  undelivered", f["undelivered"]),
            ("  duplicated: extra copies by Message-ID / recipient",
             f"{f['duplicate_copies_by_message_id']} / {f['duplicate_copies_by_recipient']}"),
            ("  to the wrong address or folio", f["misdelivered"]),
            ("5xx responses", f["5xx"]),
            ("  retried to success", f["5xx_retried_to_success"]),
            ("  answered for a saved change", f["5xx_for_saved_change"]),
            ("connection errors and timeouts", f["connection_errors"]),
            ("reports retried (any failed request)", f["retried_attempts"]),
            ("POSTs failed after their ticket was saved", f["post_failed_after_save"]),
            ("'nearby' question answered 'no es ninguno'", f["nearby_confirmed"]),
            ("requests, by status", f"{f['requests']} ({f['requests'] / run_seconds:.0f}/s) {f['statuses']}"),
            ("report, form to folio: median / p95 / max", "{:.1f} / {:.1f} / {:.1f} s".format(*f["latency"])),
            ("e-mail, report to SMTP: median / p95 / max", "{:.1f} / {:.1f} / {:.1f} s".format(*f["email_delay"])),
            ("  e-mails that waited over 10 s (for the sweep)", f["emails_after_10s"]),
            ("elapsed", f"setup {setup_seconds:.0f} s, residents {run_seconds:.0f} s, "
                        f"outbox {drain_seconds:.0f} s, total {time.monotonic() - self.began:.0f} s"),
            ("faults injected", "; ".join(self.faults.injected) or "none"),
            ("Celery workers that failed by themselves",
             "; ".join(f"worker {g} ({state}): {why}" for g, state, why in self.workers.crashes) or "none"),
        ]  # fmt: skip
        width = max(len(label) for label, _ in rows) + 2
        self.log("")
        self.log(
            f"Load and fault run, {datetime.now():%Y-%m-%d %H:%M}: {o['residents']} residents × "
            f"{o['reports_per_resident']} reports over {o['seconds']:g} s, gunicorn "
            f"{o['gunicorn_workers']}×{o['gunicorn_threads']}, faults "
            + (", ".join(f"{kind}@{at:g}s" for at, kind in plan) or "none")
        )
        for label, value in rows:
            self.log(f"  {label:<{width}}{value}")
        if f["lost_reasons"]:
            self.log(f"  why no folio: {dict(f['lost_reasons'])}")
        if f["5xx"]:
            self.show_errors()
        problems = []
        if lost:
            problems.append(f"{lost} lost")
        if duplicated:
            problems.append(f"{duplicated} duplicated")
        if f["undelivered"]:
            problems.append(f"{f['undelivered']} e-mails undelivered")
        if f["5xx_for_saved_change"]:
            problems.append(f"{f['5xx_for_saved_change']} 5xx for a saved change")
        if self.workers.crashes and not o["restart_exited_worker"]:
            problems.append(f"{len(self.workers.crashes)} Celery worker failure(s) no fault caused, not replaced")
        if self.faults.error:
            problems.append(f"a fault could not be injected ({self.faults.error})")
        if problems:
            raise CommandError("Load run failed: " + ", ".join(problems) + f" (logs: {self.logs})")
        replaced = f"; {len(self.workers.crashes)} worker failure(s) replaced" if self.workers.crashes else ""
        self.log(f"OK: nothing lost, nothing duplicated{replaced} (logs: {self.logs})")

    def show_errors(self):
        """The 5xx lines of gunicorn's access log, and the errors logged with them: Django's
        "Internal Server Error" (django.request), the 503 middleware's, gunicorn's own."""
        lines = (self.logs / "gunicorn.log").read_text(errors="replace").splitlines()
        self.log("  5xx in gunicorn's log:")
        for line in [line for line in lines if '" 5' in line][:10]:
            self.log(f"    {line}")
        errors = [i for i, line in enumerate(lines) if any(mark in line for mark in SERVER_ERRORS)]
        for index in errors[:2]:
            block = [lines[index]]
            for line in lines[index + 1 : index + 60]:
                if line[:4].isdigit() or line.startswith("["):  # the next log record
                    break
                block.append(line)
            self.log("    " + "\n    ".join(block))

    def clean_up(self, work):
        for sig in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not leave processes behind
            signal.signal(sig, signal.SIG_IGN)
        if self.residents is not None:
            self.residents.stop.set()
        if self.faults is not None:
            self.faults.stop.set()
        if self.workers is not None:
            self.workers.close()
        if self.faults is not None:
            self.faults.join(timeout=30)
        if self.web is not None:
            self.web.stop()
        if self.redis is not None:
            self.redis.stop()
        if self.smtp is not None:
            self.smtp.stop()
        if not self.options["keep_database"]:
            try:
                self.database.drop()
            except Exception as error:  # cleaning up must not hide the run's own error
                self.stderr.write(f"could not drop {self.database.name}: {error}")
        for entry in work.iterdir():
            if entry != self.logs:
                shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink(missing_ok=True)
