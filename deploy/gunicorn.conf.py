"""Gunicorn settings for the HTTP side of production: every request except websockets.

    gunicorn --config deploy/gunicorn.conf.py

Sync workers: each handles one request at a time, and Django runs a sync view in
the worker's own thread with one persistent database connection per worker
(``DATABASE_CONN_MAX_AGE``). On a 2-core machine 2 sync workers served 1.7-2.3x
the requests of 2 daphne processes (bench/http.py, deploy/README.md). nginx in front
buffers slow clients, so a slow client never holds a worker. Websockets (``/ws/``)
go to daphne instead (deploy/README.md).

Read from the environment:

- ``GUNICORN_BIND`` (default ``127.0.0.1:8000``): where nginx reaches the workers.
- ``WEB_CONCURRENCY`` (default: 2 per core, at least 2): worker processes.
- ``GUNICORN_TIMEOUT`` (default 90): seconds a worker may spend on one request
  before it is killed and replaced (see below).
- ``GUNICORN_ACCESS_LOG`` (default off): ``-`` writes an access log to stdout
  (nginx keeps one already).
- ``GUNICORN_CONTROL_SOCKET``: a path for ``gunicornc``; off by default, since the
  default path is shared by every gunicorn of the same user on the machine.
"""

import os

wsgi_app = "playground.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or max(2, 2 * (os.cpu_count() or 1)))

# A worker silent for this long is killed and replaced (nginx answers 502 for its
# request). It must exceed the longest wait a request can legitimately have: a save
# while object storage stalls waits up to S3_MAX_ATTEMPTS x (S3_CONNECT_TIMEOUT +
# S3_READ_TIMEOUT) = 3 x (5 + 20) s by default, and then answers "storage unavailable,
# nothing was saved" (503), which says more than a 502. Lower the S3 timeouts to
# lower this.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "90"))
# On a restart or deploy (SIGTERM, SIGHUP), requests in progress get this long.
graceful_timeout = 30
# (No keep-alive setting: sync workers close each connection after the response, and
# nginx reconnects over loopback.)

# nginx on the same machine sets X-Forwarded-Proto/-For; trust them only from there.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip()
if _control_socket:
    control_socket = _control_socket
else:
    control_socket_disable = True
