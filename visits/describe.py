"""What a page view says about itself, reduced at once to what the aggregates keep.

The request's address and user agent are read here, in memory, and never leave this module
as themselves: the user agent becomes a browser family, an operating system and a device type;
the address a country and a city; both together (with the day's salt) a hash that only tells
whether this visitor was already counted today. Visitors who ask not to be tracked
(`Sec-GPC: 1`, `DNT: 1`) get no hash at all.
"""

import functools
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)

UNKNOWN = "desconocido"
NO_REFERRER = "ninguno"

# Never counted: the staff side, files, machines' URLs.
EXCLUDED_PREFIXES = (
    "/admin/",
    "/api/",
    "/open311/",
    "/static/",
    "/media/",
    "/healthz",
    "/bench/",
    "/sw.js",
    "/manifest.webmanifest",
    "/sitemap.xml",
    "/datos/",  # downloads (the /datos/ page itself is counted, below)
)
INCLUDED_EXACT = ("/datos/",)

# Words of automated clients that ua-parser does not already call a spider.
BOT_WORDS = re.compile(
    r"bot|crawl|spider|slurp|scrap|curl|wget|python|httpx|aiohttp|java/|go-http|okhttp|libwww|"
    r"headless|phantomjs|lighthouse|pingdom|uptime|monitor|facebookexternalhit|whatsapp|preview|"
    r"feedfetcher|feed|rss|validator|wrk|ab/|axios|node-fetch|postman|insomnia",
    re.IGNORECASE,
)
# Kwargs of URLs that are public and worth telling apart; any other kwarg (a private token)
# keeps the page as its pattern, "/seguimiento/<folio>/<token>/".
PUBLIC_KWARGS = frozenset({"folio", "slug", "service", "service_code", "table", "code", "year", "month"})


@dataclass(frozen=True)
class Client:
    browser: str
    os: str
    device: str
    bot: bool


@functools.lru_cache(maxsize=4096)
def client(user_agent):
    """Browser family, OS family and device type of a user agent (cached: the same few hundred
    strings come again and again)."""
    if not user_agent or BOT_WORDS.search(user_agent):
        return Client(UNKNOWN, UNKNOWN, UNKNOWN, True)
    from ua_parser import parse

    found = parse(user_agent)
    if found.device and found.device.family == "Spider":
        return Client(UNKNOWN, UNKNOWN, UNKNOWN, True)
    browser = found.user_agent.family if found.user_agent else "Other"
    system = found.os.family if found.os else "Other"
    return Client(
        UNKNOWN if browser == "Other" else browser,
        UNKNOWN if system == "Other" else system,
        device_type(user_agent, found),
        False,
    )


TABLET = re.compile(r"iPad|Tablet|Kindle|Silk|PlayBook|Nexus (7|9|10)|SM-T|SM-X|Tab\b", re.IGNORECASE)
MOBILE = re.compile(r"Mobi|iPhone|iPod|Android.*Mobile|Windows Phone|BlackBerry|Opera Mini", re.IGNORECASE)


def device_type(user_agent, found=None):
    """móvil, tableta or escritorio: a tablet says so (or is an Android without "Mobile",
    Google's rule), a phone says "Mobi"; the rest is a desktop."""
    brand = (found.device.brand or "") if found and found.device else ""
    if TABLET.search(user_agent) or "Tablet" in brand:
        return "tableta"
    if MOBILE.search(user_agent):
        return "móvil"
    if "Android" in user_agent:
        return "tableta"
    return "escritorio"


# --- places --------------------------------------------------------------------------------

_reader = {}


def geoip_path():
    configured = settings.VISITS_GEOIP_DATABASE
    if configured == "auto":
        try:
            from _maxminddb_geolite2 import geolite2_database
        except ImportError:
            return None
        return geolite2_database()
    return configured or None


def reader():
    """The opened database (memory-mapped once per process), or None. Kept under the setting's
    value, so a view does not resolve the packaged file's path again."""
    configured = settings.VISITS_GEOIP_DATABASE
    if configured in _reader:
        return _reader[configured]
    path = geoip_path()
    opened = None
    if path and Path(path).exists():
        import maxminddb

        try:
            opened = maxminddb.open_database(path, maxminddb.MODE_AUTO)  # the C extension, memory-mapped
        except (OSError, ValueError):
            logger.warning("visits: cannot open the IP database %s; places are unknown", path)
    elif path:
        logger.warning("visits: no IP database at %s; places are unknown", path)
    _reader.clear()
    _reader[configured] = opened
    return opened


def _name(record, key):
    names = (record.get(key) or {}).get("names") or {}
    return names.get("es") or names.get("en")


def place(address):
    """(country, city) of an address, in Spanish where the database has it; unknown without a
    database or a match. City carries its country: "Toluca (México)". (Not cached: no address
    is kept, even in memory; a lookup costs some 30 µs.)"""
    found = None
    db = reader()
    if db is not None and address:
        try:
            found = db.get(address)
        except ValueError:  # not an address
            found = None
    if not found:
        return UNKNOWN, UNKNOWN
    country = _name(found, "country") or UNKNOWN
    city = _name(found, "city")
    return country, f"{city} ({country})" if city else UNKNOWN


# --- the request ---------------------------------------------------------------------------


def address(request):
    value = request.META.get(settings.VISITS_IP_META_KEY) or request.META.get("REMOTE_ADDR") or ""
    return value.split(",")[0].strip()


def opted_out(request):
    return request.META.get("HTTP_SEC_GPC", "").strip() == "1" or request.META.get("HTTP_DNT", "").strip() == "1"


def counted(request, response):
    """A public page shown to a person: GET, 200, HTML, not a file, the admin, an API, a
    prefetch or a service worker's background fetch."""
    if request.method != "GET" or response.status_code != 200:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    path = request.path
    if path.startswith(EXCLUDED_PREFIXES) and path not in INCLUDED_EXACT:
        return False
    meta = request.META
    dest = meta.get("HTTP_SEC_FETCH_DEST")
    if dest and dest != "document":  # the service worker caching a form, an iframe…
        return False
    return not ("prefetch" in meta.get("HTTP_SEC_PURPOSE", "") or meta.get("HTTP_PURPOSE") == "prefetch")


ROUTE_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def page(request):
    """The page as it is kept: the path without its query, or its URL pattern when the URL
    carries something private (a token)."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.kwargs and not set(match.kwargs) <= PUBLIC_KWARGS:
        return "/" + ROUTE_PARAM.sub(r"<\1>", match.route)
    return request.path[:255]


def referrer(request):
    """The referring site's domain; none for a direct visit or one from this site itself."""
    raw = request.META.get("HTTP_REFERER", "")
    if not raw:
        return NO_REFERRER
    try:
        host = (urlsplit(raw).hostname or "").lower()
    except ValueError:
        return NO_REFERRER
    if not host or host == request.get_host().split(":")[0].lower():
        return NO_REFERRER
    return host.removeprefix("www.")[:255]


def visitor_hash(salt, address, user_agent):
    """Who is this today, as a number that means nothing without today's salt (which is
    destroyed at the end of the day)."""
    digest = hashlib.blake2b(digest_size=16, key=salt)
    digest.update(address.encode())
    digest.update(b"\0")
    digest.update(user_agent.encode("utf-8", "replace"))
    return digest.hexdigest()
