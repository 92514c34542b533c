"""The parts of the load and fault harness (`make load`, tickets/management/commands/load_faults.py).

Everything here is the harness's own: a PostgreSQL database it creates and drops, child
processes (gunicorn, Celery) in their own sessions so that a fault kills the whole of one,
and residents: threads that do what a browser does on the report form, retrying the same
form (the same submission key) when the portal does not answer, as a resident presses
"Enviar" again. Nothing of the project imports this module.
"""

import email
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

import psycopg
import requests
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EMAIL_DOMAIN = "carga.example.com"

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_KEY = re.compile(r'name="submission_key" value="([^"]+)"')
COLONIAS = re.compile(r'<select name="colonia".*?</select>', re.S)
OPTION = re.compile(r'<option value="(\d+)"')
FOLIO = re.compile(r'id="folio">([^<]+)<')
NOTIFICATION_ID = re.compile(r"<aviso-(\d+)@")


def clock():
    return datetime.now().strftime("%H:%M:%S")


# --- The database ----------------------------------------------------------------------


class LoadDatabase:
    """A database of the harness's own on a PostgreSQL server (trust authentication)."""

    def __init__(self, server_url, name):
        self.server_url = server_url.rstrip("/")
        self.name = name

    @property
    def url(self):
        return f"{self.server_url}/{self.name}"

    def _server(self):
        return psycopg.connect(f"{self.server_url}/postgres", autocommit=True)

    def recreate(self):
        self.drop()
        with self._server() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def drop(self):
        with self._server() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))

    def rows(self, query, params=()):
        with psycopg.connect(self.url) as conn:
            return conn.execute(query, params).fetchall()


def portal_env(*, base_url, database_url, redis_url, smtp, media_root, rate_limits=None):
    """The production configuration (DEBUG off) on the harness's own services."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEDIA_", "EMAIL_", "REPORT_RATE"))}
    env.update(
        DJANGO_SETTINGS_MODULE="metepec7311.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=base_url,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CACHE_KEY_PREFIX="load",
        # No collectstatic here: static files from the finders (residents fetch none).
        STATIC_MANIFEST="0",
        # Plain HTTP on 127.0.0.1: cookies without Secure, no redirect to HTTPS.
        SECURE_COOKIES="0",
        SECURE_SSL_REDIRECT="0",
        BEHIND_TLS_PROXY="0",
        MULTIPLE_HOSTS="0",
        # Each resident sends its own address, as a proxy in front of the portal would.
        RATELIMIT_IP_META_KEY="HTTP_X_FORWARDED_FOR",
        MEDIA_ROOT=str(media_root),
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        **smtp.settings,
    )
    if rate_limits:
        env["REPORT_RATE_LIMITS"] = rate_limits
    return env


def manage(env, *args):
    """A manage.py command in a process of its own, with the portal's environment."""
    subprocess.run([sys.executable, "manage.py", *args, "-v0"], cwd=ROOT, env=env, check=True)


# --- Processes -------------------------------------------------------------------------


class Child:
    """A child process in a session of its own (a fault kills all of it, pool processes and
    beat included), its output appended to a log file."""

    def __init__(self, name, argv, env, log_path):
        self.name, self.argv, self.env, self.log_path = name, argv, env, Path(log_path)
        self.process = None
        self._log_start = 0

    def start(self):
        self._log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def output(self):
        """What it wrote since this start."""
        with open(self.log_path, "rb") as log:
            log.seek(self._log_start)
            return log.read().decode(errors="replace")

    def wait_for(self, text, timeout, unless=None):
        """Until the process writes `text`; gives up early once the event `unless` is set."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            if not self.alive() or (unless is not None and unless.is_set()):
                break
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not say {text!r} (log: {self.log_path})")

    def kill(self):
        """SIGKILL to the whole group, as an out-of-memory killer or a lost host would."""
        if self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait()

    def stop(self, timeout=15):
        if not self.alive():
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()


def gunicorn(env, port, workers, threads, log_path):
    return Child(
        "gunicorn",
        [str(BIN / "gunicorn"), "metepec7311.wsgi", "-k", "gthread", "-w", str(workers), "--threads", str(threads),
         "-b", f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "5", "--no-control-socket",
         "--access-logfile", "-", "--access-logformat", '%(t)s "%(r)s" %(s)s %(L)ss', "--error-logfile", "-"],
        env, log_path,
    )  # fmt: skip


def celery_worker(env, generation, directory, log_path):
    """Worker and beat in one process group; every generation keeps beat's schedule in the same
    file, as a worker restarted on its host does (beat then knows when the sweep last ran)."""
    return Child(
        f"celery worker {generation}",
        [str(BIN / "celery"), "-A", "metepec7311", "worker", "--beat", "-l", "info", "--concurrency", "2",
         "--schedule", str(Path(directory) / "celerybeat-schedule"), "-n", f"load{generation}@%h"],
        env, log_path,
    )  # fmt: skip


def wait_http(url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200")


# --- Residents -------------------------------------------------------------------------


@dataclass
class Attempt:
    """One report a resident tries to file, from the form page to the receipt's folio."""

    resident: int
    number: int
    service: str
    email: str
    started: float = 0.0
    ended: float = 0.0
    folio: str = ""
    outcome: str = "unfinished"  # "folio", or why the resident has none
    nearby: bool = False  # the form asked "¿es alguno de estos?" and the resident said no
    # (wall time, method, 5xx status or the connection error's name) of every failed request
    failures: list = field(default_factory=list)
    post_failures: list = field(default_factory=list)  # wall times of the POSTs among those


class Residents:
    """`count` residents, each filing `reports` reports spread over `seconds`, each from its own
    address (X-Forwarded-For, read by the rate limits with RATELIMIT_IP_META_KEY)."""

    def __init__(self, base_url, services, *, count, reports, seconds, retries, timeout, run_id):
        self.base_url, self.services = base_url, services
        self.count, self.reports, self.seconds = count, reports, seconds
        self.retries, self.timeout, self.run_id = retries, timeout, run_id
        self.stop = threading.Event()
        self.attempts = []
        self.statuses = Counter()
        self._lock = threading.Lock()
        self._threads = []
        self.t0 = 0.0

    def start(self):
        self.t0 = time.monotonic()
        for index in range(self.count):
            thread = threading.Thread(target=self._resident, args=(index,), daemon=True, name=f"resident-{index}")
            thread.start()
            self._threads.append(thread)

    def running(self):
        return sum(thread.is_alive() for thread in self._threads)

    def join(self, timeout):
        deadline = time.monotonic() + timeout
        while self.running() and time.monotonic() < deadline:
            time.sleep(0.5)
        return not self.running()

    def _resident(self, index):
        rng = random.Random(f"{self.run_id}-{index}")
        session = requests.Session()
        n = index + 1  # 10.0.0.1, 10.0.0.2, …: one address per resident
        session.headers.update({"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
                                "User-Agent": "metepec7311-load/1.0"})  # fmt: skip
        slot = self.seconds / self.reports
        for number in range(self.reports):
            # Each report starts somewhere in its slot of the window: the load lasts the whole run.
            begin = self.t0 + number * slot + rng.uniform(0, slot * 0.8)
            while not self.stop.is_set() and time.monotonic() < begin:
                time.sleep(min(0.5, begin - time.monotonic()))
            if self.stop.is_set():
                return
            address = f"vecino-{index}-{number}-{self.run_id}@{EMAIL_DOMAIN}"
            attempt = Attempt(index, number, rng.choice(self.services), address, started=time.monotonic())
            with self._lock:
                self.attempts.append(attempt)
            try:
                self._file(session, attempt, rng)
            except Exception as error:  # a bug of the harness must show, not hang the run
                attempt.outcome = f"harness error: {type(error).__name__}: {error}"
            attempt.ended = time.monotonic()

    def _request(self, session, attempt, method, url, **kwargs):
        """One request; the response, or None after a connection error or a timeout."""
        try:
            response = session.request(method, url, timeout=(5, self.timeout), allow_redirects=False, **kwargs)
        except requests.RequestException as error:
            failure = type(error).__name__
        else:
            with self._lock:
                self.statuses[response.status_code] += 1
            if response.status_code < 500:
                return response
            failure = response.status_code
        attempt.failures.append((time.time(), method, failure))
        if method == "POST":
            attempt.post_failures.append(time.time())
        return None

    def _retrying(self, session, attempt, method, url, rng, **kwargs):
        """The same request again after a 5xx, a refused connection or a timeout, with backoff."""
        for tries in range(self.retries + 1):
            if tries:
                time.sleep(min(2**tries / 2, 8) * rng.uniform(0.75, 1.25))
            response = self._request(session, attempt, method, url, **kwargs)
            if response is not None:
                return response
        return None

    def _file(self, session, attempt, rng):
        form_url = f"{self.base_url}/reportar/{attempt.service}/"
        page = self._retrying(session, attempt, "GET", form_url, rng)
        if page is None or page.status_code != 200:
            attempt.outcome = f"form page: {page.status_code if page is not None else 'no answer'}"
            return
        colonias = OPTION.findall(COLONIAS.search(page.text).group(0))
        data = {
            "csrfmiddlewaretoken": CSRF.search(page.text).group(1),
            "submission_key": SUBMISSION_KEY.search(page.text).group(1),
            "colonia": rng.choice(colonias),
            "address": f"Calle {rng.randint(1, 99)} número {rng.randint(1, 999)}",
            "description": f"Reporte de carga {attempt.resident}-{attempt.number}: se ve desde la esquina.",
            "reporter_name": f"Vecina {attempt.resident}",
            "reporter_email": attempt.email,
            "website": "",
        }
        headers = {"Referer": form_url}
        answer = self._retrying(session, attempt, "POST", form_url, rng, data=data, headers=headers)
        if answer is not None and answer.status_code == 200 and 'name="confirm_new"' in answer.text:
            attempt.nearby = True  # "No es ninguno: enviar mi reporte", the same form again
            data = {**data, "confirm_new": "1"}
            answer = self._retrying(session, attempt, "POST", form_url, rng, data=data, headers=headers)
        if answer is None or answer.status_code not in (302, 303):
            attempt.outcome = f"post: {answer.status_code if answer is not None else 'no answer'}"
            return
        receipt_url = urljoin(form_url, answer.headers["Location"])
        receipt = self._retrying(session, attempt, "GET", receipt_url, rng)
        found = FOLIO.search(receipt.text) if receipt is not None and receipt.status_code == 200 else None
        if found is None:
            attempt.outcome = f"receipt: {receipt.status_code if receipt is not None else 'no answer'}"
            return
        attempt.folio, attempt.outcome = found.group(1).strip(), "folio"


# --- Faults ----------------------------------------------------------------------------


class Workers:
    """The Celery worker (with beat) of the moment; a kill takes it whole, a new one replaces it.

    `close()` (the harness's clean-up) may come while a replacement is starting in the fault
    thread: no worker is started after it, and the one starting is stopped."""

    def __init__(self, env, directory, log_path):
        self.env, self.directory, self.log_path = env, directory, log_path
        self.generation = 0
        self.current = None
        self.closed = threading.Event()
        self.planned = threading.Event()  # set while a fault kills and replaces the worker
        self.crashes = []  # failures no fault caused: (generation, state, the line that says why)
        self._lock = threading.Lock()

    def start(self, tries=3):
        """A new worker, tried again (as a supervisor would) if it exits before it is ready."""
        for attempt in range(1, tries + 1):
            with self._lock:
                if self.closed.is_set():
                    return
                self.generation += 1
                self.current = celery_worker(self.env, self.generation, self.directory, self.log_path).start()
            try:
                self.current.wait_for(" ready.", timeout=60, unless=self.closed)
                return
            except RuntimeError:
                self.current.kill()
                last = (self.current.output().strip().splitlines() or ["(no output)"])[-1]
                if attempt == tries:
                    raise RuntimeError(f"the Celery worker did not start {tries} times; last: {last}") from None
                time.sleep(2)

    def kill(self):
        self.current.kill()

    def failed_by_itself(self):
        """The worker's failure that no fault caused, once per worker: its exit, or Celery's
        "Unrecoverable error" (after which it consumes nothing, and may take a while to exit).
        Returns (generation, state, the log line that says why), or None."""
        current = self.current
        if current is None or self.planned.is_set() or self.closed.is_set():
            return None
        if any(generation == self.generation for generation, _, _ in self.crashes):
            return None
        output = current.output()
        crashed = [line for line in output.splitlines() if "Unrecoverable error" in line]
        if current.alive() and not crashed:
            return None
        state = "still shutting down" if current.alive() else f"exit status {current.process.returncode}"
        last = crashed[-1] if crashed else (output.strip().splitlines() or ["(no output)"])[-1]
        self.crashes.append((self.generation, state, last.strip()[:300]))
        return self.crashes[-1]

    def replace(self, grace=30):
        """What a supervisor does: wait for the failed worker to exit (killed after `grace`
        seconds, as a stop timeout would), then start another."""
        try:
            self.current.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.current.kill()
        self.start()

    def close(self):
        self.closed.set()
        with self._lock:
            if self.current is not None:
                self.current.stop()


def parse_faults(text):
    """The plan "redis@15,worker@30" as [(15.0, "redis"), (30.0, "worker")]."""
    plan = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        kind, _, at = item.partition("@")
        if kind not in ("redis", "worker") or not at:
            raise ValueError(f"fault {item!r}: expected redis@SECONDS or worker@SECONDS")
        plan.append((float(at), kind))
    return sorted(plan)


class Faults(threading.Thread):
    """Inject the plan's faults at their second of the run, each logged with its time. Each
    runs on a thread of its own, so a worker can be killed while Redis is down; two faults of
    one kind take turns."""

    def __init__(self, plan, *, redis, workers, redis_down, worker_down, log, t0):
        super().__init__(daemon=True, name="faults")
        self.plan, self.redis_server, self.workers = plan, redis, workers
        self.redis_down, self.worker_down, self.log, self.t0 = redis_down, worker_down, log, t0
        self.stop = threading.Event()
        self.injected = []
        self.error = None
        self._one_at_a_time = {"redis": threading.Lock(), "worker": threading.Lock()}

    def note(self, text):
        self.log(f"{clock()} +{time.monotonic() - self.t0:5.1f}s  {text}")

    def run(self):
        started = []
        for at, kind in self.plan:
            if self.stop.wait(max(0.0, self.t0 + at - time.monotonic())):
                break
            started.append(threading.Thread(target=self._inject, args=(kind,), daemon=True, name=f"fault-{kind}"))
            started[-1].start()
        for thread in started:
            thread.join()

    def _inject(self, kind):
        try:
            with self._one_at_a_time[kind]:
                {"redis": self.restart_redis, "worker": self.kill_worker}[kind]()
        except Exception as error:
            self.error = error
            self.note(f"FAULT INJECTION FAILED: {type(error).__name__}: {error}")

    def restart_redis(self):
        self.redis_server.stop()
        self.note(f"fault: redis-server killed (SIGKILL) on port {self.redis_server.port}")
        self.injected.append(f"Redis SIGKILL, {self.redis_down:g} s down")
        self.stop.wait(self.redis_down)
        self.redis_server.start()
        self.note("fault over: redis-server started again on the same port (empty: no persistence)")

    def kill_worker(self):
        pid = self.workers.current.process.pid
        self.workers.planned.set()
        self.workers.kill()
        self.note(f"fault: Celery worker {self.workers.generation} (pid {pid}, with beat) killed (SIGKILL)")
        self.injected.append("Celery worker + beat SIGKILL")
        self.stop.wait(self.worker_down)
        try:
            self.workers.start()
        finally:
            self.workers.planned.clear()
        if not self.workers.closed.is_set():
            self.note(f"fault over: Celery worker {self.workers.generation} started and ready")


# --- The tally -------------------------------------------------------------------------


def received(smtp):
    """(notification id or None, Message-ID, recipients, subject) of every message received."""
    messages = []
    for envelope in list(smtp.messages):
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        message_id = message.get("Message-ID", "")
        found = NOTIFICATION_ID.search(message_id)
        messages.append((int(found.group(1)) if found else None, message_id, tuple(envelope.rcpt_tos),
                         str(message.get("Subject", ""))))  # fmt: skip
    return messages


def outbox_state(database):
    rows = database.rows(
        "SELECT n.id, n.state, t.reporter_email, t.folio FROM tickets_notification n "
        "JOIN tickets_ticket t ON t.id = n.ticket_id WHERE t.reporter_email LIKE %s",
        [f"%@{EMAIL_DOMAIN}"],
    )
    return {row[0]: row[1:] for row in rows}


def percentiles(values):
    """(median, 95th percentile, maximum) of a list of seconds; zeros for none."""
    if not values:
        return (0.0, 0.0, 0.0)
    ordered = sorted(values)
    return (ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], ordered[-1])


def tally(attempts, statuses, database, smtp):
    """Every figure of the summary, from what residents saw, the database and the SMTP server."""
    tickets = database.rows(
        "SELECT folio, reporter_email, created_at FROM tickets_ticket WHERE reporter_email LIKE %s",
        [f"%@{EMAIL_DOMAIN}"],
    )
    by_email, by_folio = {}, {}
    for folio, address, created_at in tickets:
        by_email.setdefault(address, []).append(folio)
        by_folio[folio] = (address, created_at.timestamp())
    outbox = outbox_state(database)
    messages = received(smtp)
    copies = Counter(message_id for _, message_id, _, _ in messages)
    per_recipient = Counter(address for _, _, recipients, _ in messages for address in recipients)
    delivered = {nid for nid, _, _, _ in messages if nid in outbox}
    misdelivered = sum(
        1
        for nid, _, recipients, subject in messages
        if nid in outbox and (recipients != (outbox[nid][1],) or outbox[nid][2] not in subject)
    )

    no_folio = [a for a in attempts if not a.folio]
    wrong_folio = [a for a in attempts if a.folio and by_folio.get(a.folio, ("",))[0] != a.email]
    fivexx = [(a, f) for a in attempts for f in a.failures if isinstance(f[2], int)]

    def saved_before(attempt, moment):
        """The attempt's ticket was committed before `moment` (a wall time)."""
        folios = by_email.get(attempt.email)
        return bool(folios) and by_folio[folios[0]][1] < moment

    # A POST that failed (5xx, cut, timed out) after its ticket was committed: the change was
    # saved but the resident was not told; the retry was answered from the submission receipt.
    saved_before_failure = sum(saved_before(a, moment) for a in attempts for moment in a.post_failures)
    saved_5xx = sum(f[1] == "POST" and saved_before(a, f[0]) for a, f in fivexx)
    states = Counter(state for state, _, _ in outbox.values())
    delays = [
        (sent - created).total_seconds()
        for created, sent in database.rows(
            "SELECT created_at, sent_at FROM tickets_notification WHERE sent_at IS NOT NULL"
        )
    ]
    return {
        "attempted": len(attempts),
        "folio_shown": len(attempts) - len(no_folio),
        "saved": len(by_folio),
        "duplicated_tickets": sum(len(folios) - 1 for folios in by_email.values()),
        "lost_no_folio": len(no_folio),
        "lost_no_folio_saved_anyway": sum(a.email in by_email for a in no_folio),
        "lost_folio_not_in_db": len(wrong_folio),
        "lost_reasons": Counter(a.outcome for a in no_folio),
        "promised": len(outbox),
        "outbox_states": dict(states),
        "delivered": len(delivered),
        "undelivered": len(set(outbox) - delivered),
        "messages_received": len(messages),
        "duplicate_copies_by_message_id": sum(n - 1 for n in copies.values()),
        "duplicate_copies_by_recipient": sum(n - 1 for n in per_recipient.values()),
        "misdelivered": misdelivered,
        "statuses": dict(sorted(statuses.items())),
        "5xx": len(fivexx),
        "5xx_retried_to_success": sum(bool(a.folio) for a, _ in fivexx),
        "5xx_for_saved_change": saved_5xx,
        "connection_errors": sum(1 for a in attempts for f in a.failures if not isinstance(f[2], int)),
        "post_failed_after_save": saved_before_failure,
        "retried_attempts": sum(bool(a.failures) for a in attempts),
        "nearby_confirmed": sum(a.nearby for a in attempts),
        "requests": sum(statuses.values()),
        "latency": percentiles([a.ended - a.started for a in attempts if a.folio]),
        # Seconds from the promise (the report's commit) to the SMTP server's "accepted".
        "email_delay": percentiles(delays),
        "emails_after_10s": sum(delay > 10 for delay in delays),
    }
