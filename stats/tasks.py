"""Celery tasks of the stats app: thin doors to stats/snapshot.py and stats/rollups.py."""

from celery import shared_task

from stats import rollups, snapshot


@shared_task(time_limit=120, soft_time_limit=100)
def recompute_public_numbers():
    """Every few minutes (beat): rollups → snapshot → cache."""
    return snapshot.recompute().pk


@shared_task(time_limit=120, soft_time_limit=100)
def fold_rollups():
    """Every few seconds (beat): the tickets' latest changes into the rollups."""
    return rollups.fold_all()


@shared_task(time_limit=3600)
def reconcile_rollups():
    """Nightly (beat): compare the rollups with a full recount, report and repair drift."""
    report = rollups.reconcile(repair=True)
    return {"checked": report.cells_checked, "drifted": report.cells_drifted}
