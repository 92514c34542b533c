"""HTTP load on loopback: wrk when installed, else a small keep-alive load generator."""

import http.client
import re
import shutil
import subprocess
import threading
import time
from urllib.parse import urlsplit


def wrk(url, seconds=10, connections=16, threads=2):
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def python_load(url, seconds=10, connections=8):
    parts = urlsplit(url)
    done, stop = [0] * connections, time.monotonic() + seconds

    def worker(slot):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        while time.monotonic() < stop:
            conn.request("GET", parts.path or "/")
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


def requests_per_second(url, seconds=10):
    """(requests per second, tool used)."""
    if shutil.which("wrk"):
        return wrk(url, seconds=seconds), "wrk"
    return python_load(url, seconds=seconds), "python"
