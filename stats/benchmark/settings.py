"""Settings of the benchmark server only: the project's, plus the reference view's URL."""

from metepec7311.settings import *  # noqa: F403

ROOT_URLCONF = "stats.benchmark.urls"
LOGGING = {"version": 1, "disable_existing_loggers": True}  # no per-request log lines in the measurement
# The load comes from one address: the per-address read limit stays in the path (one cache
# increment per request, as in production) but never refuses the benchmark's requests.
API_READ_RATE = "1000000000/m"
# Every report of the benchmark comes from one address too.
REPORT_RATE_LIMITS = ["1000000000/m"]
