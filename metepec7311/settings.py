"""Settings for the Metepec *7311 portal.

One file, read top to bottom. Every deploy-time value comes from the environment; the
defaults give a newcomer a working portal with nothing installed (SQLite, eager Celery,
local-memory cache) and are safe in production (DEBUG off, secret key required).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from metepec7311.media_storage import default_storage_from

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    """Read a yes/no variable, refusing anything ambiguous."""
    value = os.environ.get(name, "")
    if value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a yes/no value, got {value!r}")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "metepec7311.apps.PortalAdminConfig",  # django.contrib.admin with the two-factor step
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django.contrib.sitemaps",
    "tickets",
    "stats",
    "news",
    "surveys",
    "api",
    "alerts",
    "visits",
    "metepec7311.apps.PortalConfig",  # the site-wide system checks
    "axes",  # login lockout: failed attempts recorded, locked after AXES_FAILURE_LIMIT
    "django_otp",  # staff two-factor authentication (metepec7311/two_factor)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # one-time recovery codes
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outermost after static files: counts every public page, the cached home page included
    # (visits/middleware.py; docs/visits.md).
    "visits.middleware.VisitsMiddleware",
    "metepec7311.badinput.RejectNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): a code was given
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "metepec7311.security.ContentSecurityPolicyMiddleware",
    "metepec7311.unavailable.DatabaseUnavailableMiddleware",  # innermost: sees the views' errors first
    "axes.middleware.AxesMiddleware",  # answers a locked-out login with its page
]

ROOT_URLCONF = "metepec7311.urls"
WSGI_APPLICATION = "metepec7311.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "metepec7311.context_processors.site",
                "stats.context_processors.banner",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# DATABASE_URL=postgres://postgres@127.0.0.1:5432/metepec7311 in production and CI.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so concurrent requests on the
    # development server wait for each other instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file too: an in-memory shared-cache database answers concurrent writers
    # (browser tests, double submits) with "table is locked" instead of waiting as a file does.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}
else:
    # Django opens psycopg connections with automatic statement preparation off (for poolers
    # that cannot keep prepared statements). Its own cursors never prepare (they quote the
    # values into the text), so this concerns only the report's one statement, which binds
    # them apart (tickets/lifecycle/together.py): prepared after 5 executions on a connection,
    # psycopg's default. A pooler must keep prepared statements per client (README).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------
# Without REDIS_URL the cache is per-process memory and Celery tasks run eagerly in the
# calling process, so `make run` needs nothing installed.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "metepec7311.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "metepec7311"),
            # A Redis that does not answer must not hold a page: the cache gives up after a
            # second and is bypassed for a few (metepec7311/cache.py).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Whole public pages that may be up to a minute old (the home page): kept in each process's
# memory, which saves the round trips to Redis on the busiest page.
# Also the pages kept until what they show changes (metepec7311/pagecache.py): tracking pages,
# statistics, open data.
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "pages",
    "OPTIONS": {"MAX_ENTRIES": 2000},
}
# Rendered API lists (Open311 requests, REST tickets), up to a few hundred kB each, keyed by
# the version of the tickets (api/caching.py): each process keeps its own copies, so a
# repeated list costs no transfer from Redis; a version nobody asks for any more is culled.
CACHES["answers"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "answers",
    "OPTIONS": {"MAX_ENTRIES": 200},
}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "America/Mexico_City"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that dies mid-task (kill -9, out of memory) gives its task back instead of losing
# it; the broker hands an unacknowledged task to another worker after the visibility timeout,
# longer than the longest task's time limit. Tasks are idempotent (docs/reliability.md).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Publishing (a request queueing a task) tries the broker once, quickly: with the broker down
# kombu would otherwise retry for seconds, or forever, while a resident or staff member waits.
# Nothing is lost by giving up: the outbox's sweep delivers what could not be queued. (The
# worker's own reconnection has its own, unlimited retries; metepec7311/broker_guard.py keeps a
# kombu bug from stopping it when Redis restarts.)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 900, "max_retries": 0, "socket_connect_timeout": 2}
# The reporter's name, phone and e-mail are erased this many days after the ticket closed
# (tickets/lifecycle/retention.py); the ticket and its public history stay.
PERSONAL_DATA_RETENTION_DAYS = int(os.environ.get("PERSONAL_DATA_RETENTION_DAYS", "365"))
# How often the public numbers are recomputed (seconds); also how old they may get before a
# page in eager mode (no broker) recomputes them itself.
STATS_REFRESH_SECONDS = int(os.environ.get("STATS_REFRESH_SECONDS", "300"))
# How often the tickets' latest changes are folded into the rollups (seconds; a snapshot
# folds first anyway).
ROLLUP_FOLD_SECONDS = int(os.environ.get("ROLLUP_FOLD_SECONDS", "10"))
# --- Visits (visits/, docs/visits.md) --------------------------------------------------
# First-party, cookie-free page-view counts: daily aggregates only. VISITS_ENABLED=0 turns the
# recording off (the pages stay). Counts wait in Redis (REDIS_URL; VISITS_REDIS_URL to use
# another) or, without Redis, in the process, and are written every VISITS_FLUSH_SECONDS.
VISITS_ENABLED = env_bool("VISITS_ENABLED", True)
VISITS_REDIS_URL = os.environ.get("VISITS_REDIS_URL", REDIS_URL)
VISITS_FLUSH_SECONDS = int(os.environ.get("VISITS_FLUSH_SECONDS", "60"))
# Country and city from an offline MaxMind-format database: "auto" uses the GeoLite2 City file
# of the maxminddb-geolite2 package, a path uses that file, empty: every place is "desconocido".
VISITS_GEOIP_DATABASE = os.environ.get("VISITS_GEOIP_DATABASE", "auto")
# Where the visitor's address is read (behind a proxy: HTTP_X_FORWARDED_FOR); by default the
# same as the rate limits'.
VISITS_IP_META_KEY = os.environ.get("VISITS_IP_META_KEY") or os.environ.get("RATELIMIT_IP_META_KEY") or "REMOTE_ADDR"

CELERY_BEAT_SCHEDULE = {
    "fold-rollups": {"task": "stats.tasks.fold_rollups", "schedule": ROLLUP_FOLD_SECONDS},
    "recompute-public-numbers": {
        "task": "stats.tasks.recompute_public_numbers",
        "schedule": STATS_REFRESH_SECONDS,
    },
    "mark-overdue-tickets": {"task": "tickets.tasks.mark_overdue", "schedule": 300},
    "deliver-due-notifications": {"task": "tickets.tasks.deliver_due_notifications", "schedule": 60},
    # Por vencer, vencido (and again each working day) and the departments' daily digest.
    "staff-alerts": {"task": "tickets.tasks.staff_alerts", "schedule": 300},
    "sweep-imports": {"task": "tickets.tasks.sweep_imports", "schedule": 60},
    "sweep-incoming-photos": {"task": "tickets.tasks.sweep_incoming_photos", "schedule": 60},
    "reconcile-rollups-nightly": {
        "task": "stats.tasks.reconcile_rollups",
        "schedule": crontab(hour=3, minute=15),
    },
    "erase-personal-data-daily": {
        "task": "tickets.tasks.erase_personal_data",
        "schedule": crontab(hour=4, minute=30),
    },
    # Residents' alerts (alerts/): the digests that are due, and the deletion of expired and
    # unsubscribed subscriptions.
    "resident-alerts": {"task": "alerts.tasks.resident_alerts", "schedule": 900},
    # Visits counted in Redis (or this process) written to the daily aggregates (docs/visits.md).
    "flush-visits": {"task": "visits.tasks.flush_visits", "schedule": VISITS_FLUSH_SECONDS},
    "purge-pending-photos-daily": {
        "task": "tickets.tasks.purge_pending_photos",
        "schedule": crontab(hour=4, minute=0),
    },
}

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "es-mx"
TIME_ZONE = "America/Mexico_City"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static files and uploads ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Photos are public; serving them through Django suits development and small installs.
# A bigger deployment serves MEDIA_ROOT from the web server or an S3-compatible bucket.
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)
# More than one host serves the portal: uploads must then live where every host reads them
# (a system check refuses local media unless MEDIA_SHARED says the directory is shared).
MULTIPLE_HOSTS = env_bool("MULTIPLE_HOSTS", False)
MEDIA_SHARED = env_bool("MEDIA_SHARED", False)
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    # The local disk, or an S3-compatible bucket when MEDIA_BUCKET is set (media_storage.py).
    "default": default_storage_from(os.environ),
    "staticfiles": {
        # Hashed, compressed files served by WhiteNoise in production (run collectstatic);
        # plain files during development and tests.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# --- The residents' app (docs/app.md) --------------------------------------------------
# Pages register the service worker (offline shell and reports). Off only where a test of
# something else should not have a worker fetching the report forms behind its back.
SERVICE_WORKER = env_bool("SERVICE_WORKER", True)

# --- Map ------------------------------------------------------------------------------
# Leaflet is served from our static files; only the tiles come from elsewhere.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = os.environ.get(
    "MAP_TILE_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)

# --- Security -------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
# Off unless the city says so: they bind every subdomain of the host (and, for preload, every
# browser) to HTTPS, which is not this project's decision to take (README, Production).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Our own scripts only, and images from the configured tile server (metepec7311/security.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Rate limits (django-ratelimit) count in the shared cache. Behind a proxy, set
# RATELIMIT_IP_META_KEY=HTTP_X_FORWARDED_FOR so the client's address is used.
RATELIMIT_IP_META_KEY = os.environ.get("RATELIMIT_IP_META_KEY") or None
# With Redis unreachable nothing can be counted: the limits let requests through rather than
# refuse every resident's report (docs/reliability.md). Login lockout does not depend on it.
RATELIMIT_FAIL_OPEN = True
# Reports accepted from one address: a burst window and a daily one.
REPORT_RATE_LIMITS = env_list("REPORT_RATE_LIMITS", "5/10m,20/d")
SURVEY_RATE_LIMIT = os.environ.get("SURVEY_RATE_LIMIT", "5/h")
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Staff accounts (docs/reliability.md): passwords of at least 12 characters, not common, not
# like the user's name; sessions end after a working day; logins locked after repeated
# failures (django-axes, in the database: the lockout does not depend on Redis).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# Two-factor authentication: required for supervisors and superusers, offered to all staff
# (docs/reliability.md, "Staff accounts"); TWO_FACTOR_REQUIRED_FOR_ALL=1 requires it of everyone.
TWO_FACTOR_REQUIRED_FOR_ALL = env_bool("TWO_FACTOR_REQUIRED_FOR_ALL", False)
OTP_TOTP_ISSUER = "Metepec *7311"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_HOURS", "9")) * 3600
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
# One person guessing from one address is locked; a wrong password typed elsewhere does not
# lock the real user out of their own office.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner in every command's output (collectstatic, check)
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "metepec7311.security.login_client_ip"
# Staff API tokens have no username to lock: wrong tokens are counted per address instead.
STAFF_TOKEN_FAILURE_RATE = os.environ.get("STAFF_TOKEN_FAILURE_RATE", "10/10m")

# --- E-mail ---------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))  # an SMTP server that hangs is a failed attempt
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Metepec *7311 <no-responder@metepec.gob.mx>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A resident's updates wait this many minutes so that several changes close together go in
# one e-mail (tickets/notifications.py).
RESIDENT_DIGEST_MINUTES = int(os.environ.get("RESIDENT_DIGEST_MINUTES", "10"))
# Residents' alerts (alerts/, docs/alerts.md): at most one e-mail per subscription every
# ALERTS_DIGEST_HOURS; a confirmation link lasts ALERTS_CONFIRM_DAYS (then the request is
# deleted); unsubscribed rows are deleted after ALERTS_RETENTION_DAYS; subscription requests
# accepted per address; the largest circle around a point, in metres.
ALERTS_DIGEST_HOURS = int(os.environ.get("ALERTS_DIGEST_HOURS", "24"))
ALERTS_CONFIRM_DAYS = int(os.environ.get("ALERTS_CONFIRM_DAYS", "7"))
ALERTS_RETENTION_DAYS = int(os.environ.get("ALERTS_RETENTION_DAYS", "30"))
ALERTS_RATE_LIMITS = env_list("ALERTS_RATE_LIMITS", "5/10m,20/d")
ALERTS_MAX_RADIUS_METRES = int(os.environ.get("ALERTS_MAX_RADIUS_METRES", "2000"))

# --- SMS / WhatsApp (tickets/messaging.py) --------------------------------------------
# Empty: no text messages. "tickets.messaging.ConsoleSmsBackend" prints them (development);
# "tickets.messaging.TwilioSmsBackend" sends through Twilio (SMS, or WhatsApp when
# SMS_FROM is "whatsapp:+52…") with TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "tickets.messaging.ConsoleSmsBackend" if DEBUG else "")
SMS_FROM = os.environ.get("SMS_FROM", "")
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")

# --- APIs: REST (/api/v1/) and Open311 (/open311/v2/) ----------------------------------
REST_FRAMEWORK = {
    # Public endpoints declare no authentication at all; staff endpoints name theirs
    # (api/rest/auth.py). Nothing is open by default.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.rest.pagination.Pages",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.rest.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API de Metepec *7311",
    "DESCRIPTION": (
        "Reportes ciudadanos de servicios públicos de Metepec: catálogo, territorio, reportes públicos, "
        "cifras de transparencia, noticias y encuestas; los reportes de residentes desde la app y el "
        "trabajo del personal. Guía para desarrolladores: docs/api.md. Open311 GeoReport v2 vive en /open311/v2/."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.rest.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "tickets.models.status.Status",
        "PublicBucketEnum": "tickets.models.status.PublicBucket",
        "SlaStateEnum": "tickets.models.status.SlaState",
    },
}
# Open311: the jurisdiction this endpoint serves, and where its test endpoint lives (a
# staging server; by default the same URL, which discovery then lists twice).
OPEN311_JURISDICTION = os.environ.get("OPEN311_JURISDICTION", "metepec.gob.mx")
OPEN311_TEST_URL = os.environ.get("OPEN311_TEST_URL", "")
OPEN311_CONTACT = os.environ.get(
    "OPEN311_CONTACT", "Gerencia de la Ciudad de Metepec · *7311 · atencionciudadana@metepec.gob.mx"
)
# Reads by anonymous clients (REST and Open311), per address; reports have their own limits.
API_READ_RATE = os.environ.get("API_READ_RATE", "600/m")

# --- The service's own rules ----------------------------------------------------------
# Business hours left under which an open ticket is "por vencer" (DESIGN.md, SLA clock).
SLA_WARNING_HOURS = int(os.environ.get("SLA_WARNING_HOURS", "8"))
# Days after resolution during which the reporter may reopen a ticket.
REOPEN_WINDOW_DAYS = int(os.environ.get("REOPEN_WINDOW_DAYS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
