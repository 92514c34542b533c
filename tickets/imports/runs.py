"""Imports uploaded in the admin: queued, run by a Celery worker, followed by their progress.

A run is started after its upload commits; if the broker cannot take the task, the sweep
(every minute, Celery beat) starts it. A run whose worker died (no heartbeat for a few
minutes) is started again and picks up where it stopped: rows already imported are skipped
by their legacy number. After MAX_ATTEMPTS interruptions it is marked failed.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tickets.imports.run import import_files
from tickets.models import ImportRun

log = logging.getLogger(__name__)
State = ImportRun.State
STALE_AFTER = timedelta(minutes=5)
WAITING_AFTER = timedelta(minutes=1)
MAX_ATTEMPTS = 3
# A dry run's file is kept so it can be imported for real from its report; not forever.
KEEP_DRY_RUN_FILES = timedelta(days=7)


def queue(run):
    """Ask a worker to run `run` once the upload's transaction commits."""
    transaction.on_commit(lambda: _request(run.pk))


def _request(run_id):
    from tickets.tasks import run_import

    try:
        run_import.delay(run_id=run_id)
    except Exception:  # the upload is saved; the sweep starts it within a minute
        log.warning("could not queue import run %s; the sweep will start it", run_id, exc_info=True)


def execute(run_id):
    """Run one import (the Celery task). Returns the run's state."""
    now = timezone.now()
    with transaction.atomic():
        run = ImportRun.objects.select_for_update(skip_locked=True).filter(pk=run_id).first()
        if run is None or run.state in (State.DONE, State.FAILED):
            return run.state if run else None
        if run.state == State.RUNNING and run.heartbeat_at and now - run.heartbeat_at < STALE_AFTER:
            return run.state  # another worker has it
        if run.attempts >= MAX_ATTEMPTS:
            run.state, run.error = (
                State.FAILED,
                f"La importación se interrumpió {run.attempts} veces; revise el archivo.",
            )
            run.finished_at = now
            run.save(update_fields=["state", "error", "finished_at"])
            return run.state
        run.state, run.heartbeat_at, run.attempts = State.RUNNING, now, run.attempts + 1
        run.save(update_fields=["state", "heartbeat_at", "attempts"])

    def progress(done, total):
        ImportRun.objects.filter(pk=run_id).update(rows_done=done, rows_total=total, heartbeat_at=timezone.now())

    try:
        report = import_files(
            [(run.filename, bytes(run.content))],
            fmt=run.format or None,
            source=run.source or None,
            dry_run=run.dry_run,
            actor=run.created_by,
            progress=progress,
        )
    except Exception as error:
        log.exception("import run %s failed", run_id)
        # What was imported before the error stays (each batch is whole); a new upload of the
        # same file goes on from there.
        ImportRun.objects.filter(pk=run_id).update(
            state=State.FAILED, error=f"{type(error).__name__}: {error}"[:2000], finished_at=timezone.now()
        )
        raise
    fields = {"state": State.DONE, "report": report.as_dict(), "finished_at": timezone.now(), "error": ""}
    if not run.dry_run:
        fields["content"] = b""  # imported: the file is not needed any more
    ImportRun.objects.filter(pk=run_id).update(**fields)
    return State.DONE


def sweep(now=None):
    """Start runs nobody is running (queued while the broker was down, or whose worker died);
    forget old dry runs' files. Returns how many runs were started."""
    now = now or timezone.now()
    waiting = ImportRun.objects.filter(state=State.PENDING, created_at__lt=now - WAITING_AFTER)
    stale = ImportRun.objects.filter(state=State.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    started = 0
    for run_id in list(waiting.values_list("pk", flat=True)) + list(stale.values_list("pk", flat=True)):
        _request(run_id)
        started += 1
    ImportRun.objects.filter(dry_run=True, finished_at__lt=now - KEEP_DRY_RUN_FILES).exclude(content=b"").update(
        content=b""
    )
    return started


def import_for_real(run, user):
    """A new run importing the file a dry run checked."""
    new = ImportRun.objects.create(
        filename=run.filename,
        content=bytes(run.content),
        format=run.format,
        source=run.source,
        dry_run=False,
        created_by=user,
    )
    queue(new)
    return new
