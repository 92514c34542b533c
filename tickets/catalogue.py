"""The reference data every report and every staff list reads: the service catalogue, the
colonias and delegaciones, and the business calendar.

A report needs its service (with department and extra questions), the colonia the resident
chose and the calendar that sets its due date; the staff list's filters offer services,
departments and delegaciones. All of it changes a few times a year. Each process keeps what
it has read under a version held in the shared cache. Any save or delete of a service, a
question, a department, a colonia, a delegación, working hours or a non-working day makes a
new version (tickets/signals.py): the process that made the change reads again at once, and
every other process at its next look at the shared version, which it takes at most every
RECHECK_SECONDS (a report costs no round trip to Redis for it). The version itself expires
after VERSION_SECONDS, which bounds a change made behind the ORM's back (raw SQL,
QuerySet.update).
"""

import threading
import time
import uuid

from django.core.cache import cache
from django.db import transaction

from tickets.models import Colonia, Service

VERSION_KEY = "catalogue:version"
RECHECK_SECONDS = 1.0
VERSION_SECONDS = 3600
_memory = {"version": None, "checked_until": 0.0, "kept": {}}
_lock = threading.Lock()
_clock = time.monotonic  # tests move it


def version():
    """The shared version of the reference data (None while the shared cache is unreachable)."""
    now = _clock()
    with _lock:
        if _memory["version"] is not None and now < _memory["checked_until"]:
            return _memory["version"]
    current = cache.get(VERSION_KEY)
    if current is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, VERSION_SECONDS)
        current = cache.get(VERSION_KEY)
    with _lock:
        if current != _memory["version"]:
            _memory.update(version=current, kept={})
        _memory["checked_until"] = now + RECHECK_SECONDS if current is not None else 0.0
    return current


def forget():
    """The reference data changed: now, and again at commit (a process reading in between
    would otherwise keep the old data)."""

    def everywhere():
        forget_here()
        cache.delete(VERSION_KEY)

    everywhere()
    transaction.on_commit(everywhere)


def forget_here():
    """Drop this process's copy (and its memo of the version)."""
    with _lock:
        _memory.update(version=None, checked_until=0.0, kept={})


def kept(name, load):
    """What `load()` returns, read once per version in this process (a None is not kept)."""
    current = version()
    if current is None:  # the shared cache is unreachable: no version to keep a copy under
        return load()
    with _lock:
        if _memory["version"] == current and name in _memory["kept"]:
            return _memory["kept"][name]
    value = load()
    if value is not None:
        with _lock:
            if _memory["version"] == current:
                _memory["kept"][name] = value
    return value


def service(code):
    """The service with `code` (department and extra questions loaded), or None."""
    return kept(("service", code), lambda: _read(code))


def reportable(code):
    """The service with `code` if residents may report it on the web form, else None (the
    rules of Service.objects.reportable_by_residents, on the cached copy)."""
    found = service(code)
    if found is None or not (found.is_active and found.citizen_reportable and not found.is_emergency):
        return None
    return found


def _read(code):
    return Service.objects.select_related("department").prefetch_related("attributes").filter(code=code).first()


def active_departments():
    """The active departments by name, from this process's copy."""
    from tickets.models import Department

    return kept("active-departments", lambda: list(Department.objects.filter(is_active=True).order_by("name")))


def colonia(pk):
    """The colonia with primary key `pk`, or None: from this process's copy of all of them
    (a few hundred)."""
    if version() is None:
        return Colonia.objects.filter(pk=pk).first()
    return _colonias().get(pk)


def colonia_options():
    """[(value, escaped <option> HTML)] of every colonia by name and postal code, for the
    report form's chooser: built once per version, so its few hundred options cost a join
    rather than a template each (about 14 ms a page)."""
    from django.utils.html import format_html

    from tickets.forms import colonia_label

    def load():
        ordered = sorted(_colonias().values(), key=lambda c: (c.name, c.postal_code))
        return [(str(c.pk), format_html('<option value="{}">{}</option>', c.pk, colonia_label(c))) for c in ordered]

    return kept("colonia-options", load)


def _colonias():
    return kept("colonias", lambda: {c.pk: c for c in Colonia.objects.all()})


def locality_colonias(locality_id):
    """{"locality": {"id", "name"} or None, "colonias": [ids]}: the colonias the report form
    lists first for a point inside that INEGI locality. No colonia has a polygon to test the
    point against, so the reference data says it: the colonias of the delegaciones seated in
    the locality, then the others sharing their postal codes (SEPOMEX codes group
    neighbouring settlements)."""
    from tickets.models import Delegacion, Locality

    def load():
        names = dict(Locality.objects.values_list("pk", "name"))
        colonias = _colonias()
        seats = {}
        for locality, colonia in Delegacion.objects.filter(locality__isnull=False, colonias__isnull=False).values_list(
            "locality", "colonias"
        ):
            seats.setdefault(locality, []).append(colonias[colonia])
        ordered = {}
        for locality, seated in seats.items():
            codes = {c.postal_code for c in seated}
            nearby = sorted(
                (c for c in colonias.values() if c.postal_code in codes and c not in seated), key=lambda c: c.name
            )
            ordered[locality] = [c.pk for c in sorted(seated, key=lambda c: c.name) + nearby]
        return {"names": names, "colonias": ordered}

    known = kept("locality-colonias", load)
    if locality_id not in known["names"]:
        return {"locality": None, "colonias": []}
    return {
        "locality": {"id": locality_id, "name": known["names"][locality_id]},
        "colonias": known["colonias"].get(locality_id, []),
    }
