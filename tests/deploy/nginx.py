"""Run the real ``deploy/nginx.conf`` on loopback in front of a test's gunicorn.

The file is used as written, with only what ties it to a real machine replaced:
the ports (443 and 80 become free loopback ports, the upstreams point at the
test's servers), the certificates (a self-signed one made with ``openssl`` for
both host names) and the IPv6 listeners (a test host may have no IPv6). It is
included in a minimal main configuration (``daemon off``, files in a temporary
prefix) and nginx is stopped by PID at the end. Clients reach it from any
address of 127.0.0.0/8, so one machine can play many clients.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.real_services import free_port, port_answers

REPO_ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = REPO_ROOT / "deploy" / "nginx.conf"
APP_HOST = "playground.example.com"
USERCONTENT_HOST = "playground-usercontent.example.net"


class NginxUnavailable(RuntimeError):
    """nginx is not installed or did not start."""


@dataclass(frozen=True)
class RunningNginx:
    https_port: int
    http_port: int
    prefix: Path


def _self_signed_certificate(prefix: Path) -> tuple[Path, Path]:
    certificate, key = prefix / "test.crt", prefix / "test.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", f"/CN={APP_HOST}",
         "-addext", f"subjectAltName=DNS:{APP_HOST},DNS:{USERCONTENT_HOST}",
         "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True, timeout=60,
    )
    return certificate, key


def rendered_config(
    *, https_port: int, http_port: int, http_upstream: int, ws_upstreams: tuple[int, int],
    certificate: Path, key: Path,
) -> str:
    """deploy/nginx.conf with this machine's ports and certificate."""
    text = NGINX_CONF.read_text()
    replacements = [
        (r"^\s*listen \[::\]:\d+[^;]*;\n", ""),
        (r"listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl"),
        (r"listen 80;", f"listen 127.0.0.1:{http_port};"),
        (r"server 127\.0\.0\.1:8000 ", f"server 127.0.0.1:{http_upstream} "),
        (r"server 127\.0\.0\.1:8001;", f"server 127.0.0.1:{ws_upstreams[0]};"),
        (r"server 127\.0\.0\.1:8002;", f"server 127.0.0.1:{ws_upstreams[1]};"),
        (r"/etc/letsencrypt/live/[^/]+/fullchain\.pem", str(certificate)),
        (r"/etc/letsencrypt/live/[^/]+/privkey\.pem", str(key)),
    ]
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
        if count == 0:
            raise AssertionError(f"deploy/nginx.conf no longer has {pattern!r}: update this test")
    return text


@contextlib.contextmanager
def nginx(*, http_upstream: int, prefix: Path) -> Iterator[RunningNginx]:
    """deploy/nginx.conf serving on free loopback ports, proxying to ``http_upstream``."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise NginxUnavailable("nginx is not installed: apt-get install nginx")
    prefix.mkdir(parents=True, exist_ok=True)
    certificate, key = _self_signed_certificate(prefix)
    https_port, http_port = free_port(), free_port()
    (prefix / "playground.conf").write_text(
        rendered_config(
            https_port=https_port, http_port=http_port, http_upstream=http_upstream,
            ws_upstreams=(free_port(), free_port()), certificate=certificate, key=key,
        )
    )
    temporary = {name: prefix / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for folder in temporary.values():
        folder.mkdir(exist_ok=True)
    (prefix / "nginx.conf").write_text(
        "daemon off;\n"
        # As root, nginx's workers would switch to `nobody`, who cannot use these folders.
        + ("user root;\n" if os.geteuid() == 0 else "")
        + f"pid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} warn;\n"
        "worker_processes 1;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        "  access_log off;\n"
        + "".join(f"  {name}_temp_path {path};\n" if name != "body" else
                  f"  client_body_temp_path {path};\n" for name, path in temporary.items())
        + f"  include {prefix / 'playground.conf'};\n"
        "}\n"
    )
    log = (prefix / "stderr.log").open("wb")
    process = subprocess.Popen(
        [binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
         "-e", str(prefix / "error.log")],
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while not port_answers("127.0.0.1", https_port):
            if process.poll() is not None or time.monotonic() > deadline:
                errors = (prefix / "error.log").read_text(errors="replace") if (
                    prefix / "error.log").exists() else ""
                raise NginxUnavailable(f"nginx did not start:\n{errors}")
            time.sleep(0.05)
        yield RunningNginx(https_port=https_port, http_port=http_port, prefix=prefix)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()
