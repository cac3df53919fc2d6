"""nginx as the round-robin balancer of the `scale` bench, when it is installed (Debian: `nginx-light`).

    python -m bench.nginx_balancer PORT UPSTREAM_URL [UPSTREAM_URL ...]

Same contract as fake_telegram/balancer.py (which the bench uses when nginx is missing, or with
BENCH_BALANCER=python): each request to the next worker in turn, with no regard for its chat, and the
worker's answer passed back as it is; prints "ready" once it listens and stops on SIGTERM. One nginx
process (no master), its files in a temporary directory: nothing of the system's nginx is used or
touched. It is also the kind of configuration docs/scaling.md gives for production (round robin over
the workers' webhook ports, keep-alive connections to them, a POST never retried on another worker).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

CONFIG = """
daemon off;
master_process off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream workers {{
{servers}
        keepalive 256;
    }}
    server {{
        listen 127.0.0.1:{port};
        keepalive_requests 1000000;
        client_max_body_size 1m;
        location / {{
            proxy_pass http://workers;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_read_timeout 60s;
            proxy_next_upstream off;
            proxy_buffering off;
        }}
    }}
}}
"""


def available() -> str | None:
    """The nginx binary, if there is one."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def config(tmp: str, port: int, upstreams: list[str]) -> str:
    servers = "\n".join(f"        server {urlsplit(u).netloc} max_fails=0;" for u in upstreams)
    return CONFIG.format(tmp=tmp, port=port, servers=servers)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def main(port: int, upstreams: list[str]) -> int:
    binary = available()
    if binary is None:
        print("nginx not installed", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-nginx-") as tmp:
        conf = Path(tmp) / "nginx.conf"
        conf.write_text(config(tmp, port, upstreams))
        proc = subprocess.Popen([binary, "-p", tmp, "-c", str(conf), "-e", f"{tmp}/error.log"])
        signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
        deadline = time.monotonic() + 20
        while not _listening(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                print((Path(tmp) / "error.log").read_text() if (Path(tmp) / "error.log").exists() else "",
                      file=sys.stderr)
                proc.kill()
                return 1
            time.sleep(0.02)
        print("ready", flush=True)
        return proc.wait()


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), sys.argv[2:]))
