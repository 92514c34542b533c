"""Limits of several windows counted in one round trip, and a count that can be given back.

The report limits (REPORT_RATE_LIMITS, "5/10m,20/d") are checked on every report. Through
django-ratelimit each window is an ADD then an INCR: four round trips to Redis per report,
a tenth of its time (docs/performance.md). Here every window is counted by one pipeline
(INCR and EXPIRE per window). A count can also be given back: a form sent again is found to
be a resend only when its receipt's key is refused, after it was counted, and a resend must
not use up the resident's limit.

Windows are fixed, as django-ratelimit's: a key per period, e.g. the 10 minutes from 10:20 to
10:30. When Redis cannot be reached nothing is limited, as with RATELIMIT_FAIL_OPEN: a report
is never refused because the counter is down. Other caches (the embedded default's memory
cache) count with add() and incr().
"""

import time

from django.core.cache import caches

from metepec7311.cache import RedisCache

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse(rate):
    """ "5/10m" → (5, 600); "20/d" → (20, 86400)."""
    count, _, period = rate.strip().partition("/")
    digits = period[:-1]
    return int(count), (int(digits) if digits else 1) * UNITS[period[-1]]  # KeyError, ValueError, IndexError


def _keys(scope, who, rates, now):
    for rate in rates:
        limit, seconds = parse(rate)
        yield f"rl:{scope}:{rate}:{who}:{int(now // seconds)}", limit, seconds


def hit(scope, who, rates):
    """Count one request of `who` in every window of `rates`; True when one of them is over
    its limit (the request counts even then, as django-ratelimit's do)."""
    windows = list(_keys(scope, who, rates, time.time()))
    counts = _count(windows, 1)
    return any(count is not None and count > limit for count, (_, limit, _) in zip(counts, windows, strict=True))


def give_back(scope, who, rates):
    """Undo one hit() of this window (a request found not to be a new one)."""
    _count(list(_keys(scope, who, rates, time.time())), -1)


def _count(windows, delta):
    backend = caches["default"]
    if isinstance(backend, RedisCache):  # one round trip, and its handling of an unreachable Redis
        return backend.count([(key, seconds) for key, _, seconds in windows], delta)
    counts = []
    for key, _, seconds in windows:
        if delta > 0 and backend.add(key, delta, seconds + 1):
            counts.append(delta)
            continue
        try:
            counts.append(backend.incr(key, delta))
        except ValueError:  # expired meanwhile
            counts.append(None)
    return counts
