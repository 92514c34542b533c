"""Settings of the benchmark server only: the project's, plus the reference view's URL."""

from metepec7311.settings import *  # noqa: F403

ROOT_URLCONF = "stats.benchmark.urls"
LOGGING = {"version": 1, "disable_existing_loggers": True}  # no per-request log lines in the measurement
