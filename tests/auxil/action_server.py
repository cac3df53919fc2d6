"""A real `python -m rasa_sdk --actions actions` on 127.0.0.1, for the tests that run actions over HTTP."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from tests.auxil.cli import ROOT, cli_env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def action_server(database_url: str) -> Iterator[str]:
    """Start the action server writing to `database_url`; yield its webhook URL; stop it."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
                            cwd=ROOT, env=cli_env(database_url), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as resp:
                if resp.status == 200:
                    break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode()[-2000:]) from None
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("action server did not start")
    try:
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        proc.stderr.close()
