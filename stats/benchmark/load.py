"""HTTP load on loopback: wrk when installed, else a small keep-alive load generator."""

import http.client
import re
import shutil
import subprocess
import tempfile
import threading
import time
from urllib.parse import urlsplit

# Every request on a connection of its own, as a proxy in front of gunicorn sends them (nginx
# talks HTTP/1.0 to its upstream by default). With wrk's 16 kept-alive connections, about one
# run in three had them all accepted by one of gunicorn's two processes, which halved that
# run's rate — a page's or its reference's alike — and made ratios swing by a factor of two
# (docs/performance.md, "Why the rows used to swing between runs").
PER_REQUEST_CONNECTION = ["-H", "Connection: close"]


def wrk(url, seconds=10, connections=16, threads=2, body=None, content_type=None):
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "60s"]
    command += [*PER_REQUEST_CONNECTION, url]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if body is not None:  # a POST: wrk takes its method, body and headers from a Lua script
            script.write(
                f'wrk.method = "POST"\nwrk.body = {_lua(body)}\nwrk.headers["Content-Type"] = {_lua(content_type)}\n'
            )
            script.flush()
            command += ["-s", script.name]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return wrk_rate(url, output)


def wrk_rate(url, output):
    """Requests/s from wrk's report, refusing a run with error answers or unanswered requests
    (a timeout is not counted in wrk's rate, which would then look better than it was)."""
    for pattern, what in (
        (r"Non-2xx or 3xx responses: (\d+)", "error responses"),
        (r"Socket errors: (.*)", "socket errors"),
    ):
        found = re.search(pattern, output)
        if found:
            raise RuntimeError(f"{url}: {what} {found.group(1)}\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def _lua(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def python_load(url, seconds=10, connections=8, body=None, content_type=None):
    parts = urlsplit(url)
    done, stop = [0] * connections, time.monotonic() + seconds
    target = parts.path + (f"?{parts.query}" if parts.query else "") or "/"

    def worker(slot):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        while time.monotonic() < stop:
            if body is None:
                conn.request("GET", target)
            else:
                conn.request("POST", target, body=body.encode(), headers={"Content-Type": content_type})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{url}: HTTP {response.status}")
            done[slot] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started)


def requests_per_second(url, seconds=10, body=None, content_type="application/x-www-form-urlencoded"):
    """(requests per second, tool used); a POST of `body` when given."""
    if shutil.which("wrk"):
        return wrk(url, seconds=seconds, body=body, content_type=content_type), "wrk"
    return python_load(url, seconds=seconds, body=body, content_type=content_type), "python"
