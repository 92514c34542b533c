import pytest

from visits import buffer, describe

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.0 Mobile/15E148 Safari/604.1"
)
ANDROID_PHONE = (
    "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)
ANDROID_TABLET = (
    "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.6 Mobile/15E148 Safari/604.1"
)
WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
MAC_FIREFOX = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:121.0) Gecko/20100101 Firefox/121.0"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

# Addresses whose place the packaged GeoLite2 City database (maxminddb-geolite2) knows.
CDMX = "201.141.1.1"  # Ciudad de México, México
MORELIA = "189.203.0.1"  # Morelia, México
USA = "8.8.8.8"  # Estados Unidos, no city
LOCAL = "127.0.0.1"  # nowhere


@pytest.fixture(autouse=True)
def _fresh_visits(settings):
    """Each test is a new process with the embedded store (tests of Redis set their own)."""
    settings.VISITS_ENABLED = True
    settings.VISITS_REDIS_URL = ""
    settings.VISITS_GEOIP_DATABASE = "auto"
    buffer.forget()
    describe._reader.clear()
    yield
    buffer.forget()


def visit(client, path="/", ua=WINDOWS_CHROME, ip=CDMX, **headers):
    response = client.get(path, HTTP_USER_AGENT=ua, REMOTE_ADDR=ip, **headers)
    return response


def flush():
    return buffer.current().flush()
