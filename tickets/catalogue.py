"""The service catalogue as every report reads it.

A report needs its service, department and extra questions; the catalogue changes a few
times a year. Each process keeps the services it has read, under a version held in the shared
cache: any save or delete of a service, a question or a department makes a new version
(tickets/signals.py), so every process reads the catalogue again at its next report.
"""

import threading
import uuid

from django.core.cache import cache
from django.db import transaction

from tickets.models import Service

VERSION_KEY = "catalogue:version"
_memory = {"version": None, "services": {}}
_lock = threading.Lock()


def version():
    current = cache.get(VERSION_KEY)
    if current is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        current = cache.get(VERSION_KEY)
    return current


def forget():
    """The catalogue changed: now, and again at commit (a process reading in between would
    otherwise keep the old one)."""
    cache.delete(VERSION_KEY)
    transaction.on_commit(lambda: cache.delete(VERSION_KEY))


def service(code):
    """The service with `code` (department and extra questions loaded), or None."""
    current = version()
    if current is None:  # the shared cache is unreachable: no version to keep a copy under
        return _read(code)
    with _lock:
        if _memory["version"] != current:
            _memory["version"], _memory["services"] = current, {}
        found = _memory["services"].get(code)
    if found is None:
        found = _read(code)
        if found is None:
            return None
        with _lock:
            if _memory["version"] == current:
                _memory["services"][code] = found
    return found


def reportable(code):
    """The service with `code` if residents may report it on the web form, else None (the
    rules of Service.objects.reportable_by_residents, on the cached copy)."""
    found = service(code)
    if found is None or not (found.is_active and found.citizen_reportable and not found.is_emergency):
        return None
    return found


def _read(code):
    return Service.objects.select_related("department").prefetch_related("attributes").filter(code=code).first()
