"""wrk with a Lua script, for loads a fixed request cannot give:

- POSTs where every request is a new submission: a unique 32-character key is spliced into
  the body (read from a file, so a 1 MB multipart body works), with the CSRF cookie the web
  form needs;
- GETs spread over many paths (tracking pages of many folios), one picked at random each time.
"""

import subprocess
import tempfile
from pathlib import Path

from stats.benchmark import load

PLACEHOLDER = b"@@SUBMISSION-KEY-PLACEHOLDER-32@@"

SCRIPT = r"""
local prefix, suffix
local threads_started = 0
local counter = 0

function setup(thread)
  threads_started = threads_started + 1
  thread:set("tid", threads_started)
end

function init(args)
  local file = io.open("%(body)s", "rb")
  local body = file:read("*all")
  file:close()
  local at = string.find(body, "%(placeholder)s", 1, true)
  prefix = string.sub(body, 1, at - 1)
  suffix = string.sub(body, at + %(length)d)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "%(content_type)s"
  %(cookie)s
end

function request()
  counter = counter + 1
  local key = string.format("%(run)s%%02d%%012d", tid, counter)
  return wrk.format(nil, nil, nil, prefix .. key .. suffix)
end
"""


PATHS_SCRIPT = r"""
local paths = {}

function init(args)
  for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
  math.randomseed(os.time() + #paths)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def _run(url, script_text, seconds, connections, threads, folder):
    script = Path(folder) / "load.lua"
    script.write_text(script_text)
    output = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "60s",
            *load.PER_REQUEST_CONNECTION,
            "-s",
            str(script),
            url,
        ],  # fmt: skip
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return load.wrk_rate(url, output)


def get_paths_per_second(base, paths, *, seconds=5, connections=16, threads=2):
    """Requests/s of GETs to `paths` (on the server at `base`), one chosen at random each time."""
    with tempfile.TemporaryDirectory() as folder:
        listing = Path(folder) / "paths"
        listing.write_text("\n".join(paths) + "\n")
        return _run(base, PATHS_SCRIPT % {"paths": listing}, seconds, connections, threads, folder)


def post_per_second(url, body, content_type, *, run, cookie=None, seconds=5, connections=16, threads=2):
    """Requests/s of POSTing `body` (bytes holding PLACEHOLDER once) to `url` with wrk;
    `run` (18 characters) makes the keys of this measurement unique."""
    assert body.count(PLACEHOLDER) == 1 and len(run) == 18
    with tempfile.TemporaryDirectory() as folder:
        body_path = Path(folder) / "body"
        body_path.write_bytes(body)
        script = SCRIPT % {
            "body": body_path,
            "placeholder": PLACEHOLDER.decode(),
            "length": len(PLACEHOLDER),
            "content_type": content_type,
            "cookie": f'wrk.headers["Cookie"] = "{cookie}"' if cookie else "",
            "run": run,
        }
        return _run(url, script, seconds, connections, threads, folder)
