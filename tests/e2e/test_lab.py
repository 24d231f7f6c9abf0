"""`make lab`: JupyterLab on 127.0.0.1 with its token, as root or user, nothing written under ~."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest
from conftest import ROOT

URL = re.compile(r"http://127\.0\.0\.1:\d+/lab\?token=[0-9a-f]{20,}")
# What the Makefile sets; the test clears them so that `make lab` has to.
OWN_SETTINGS = ("JUPYTER", "IPYTHONDIR", "XDG_", "MPLCONFIGDIR", "npm_config")


def _lab_command(*prefix: str) -> str:
    out = subprocess.run([*prefix, "make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, check=True)
    return next(line for line in out.stdout.splitlines() if "jupyter lab" in line)


def test_allow_root_only_for_root():
    line = _lab_command()
    assert "--ip=127.0.0.1" in line
    assert ("--allow-root" in line) == (os.geteuid() == 0)
    if os.geteuid() == 0:  # and the same Makefile run by an ordinary user
        as_user = _lab_command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
        assert "--ip=127.0.0.1" in as_user and "--allow-root" not in as_user


def _get(request, wait: float = 30) -> int:
    """HTTP status of `request`, retried while the server, which prints its URL first, starts listening."""
    deadline = time.monotonic() + wait
    while True:
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.mark.slow
def test_lab_prints_its_url_and_writes_nothing_in_the_home_folder(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(OWN_SETTINGS)}
    env["HOME"] = str(home)
    proc = subprocess.Popen(
        ["make", "-s", "lab"], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    seen, url = [], None
    try:
        deadline = time.monotonic() + 120
        while url is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                seen.append(lines.get(timeout=1))
            except queue.Empty:
                continue
            found = URL.search(seen[-1])
            url = found.group(0) if found else None
        assert url, "no URL with a token in:\n" + "".join(seen[-30:])
        # Opening a notebook makes Jupyter check its signature: notebook_secret and nbsignatures.db.
        base, token = url.split("/lab?token=")
        request = urllib.request.Request(
            f"{base}/api/contents/trends.ipynb?content=1", headers={"Authorization": f"token {token}"}
        )
        assert _get(request) == 200
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    assert sorted(str(p.relative_to(home)) for p in home.rglob("*")) == []
    assert (ROOT / ".venv" / "share" / "jupyter" / "nbsignatures.db").is_file()
