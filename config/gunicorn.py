"""Gunicorn's settings for the web process (docs/operations.md):
``gunicorn -c config/gunicorn.py config.wsgi``. Each can be overridden from the
environment as below, or by gunicorn's own GUNICORN_CMD_ARGS."""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

# Behind the TLS proxy: listen on loopback (or the address the proxy reaches) only.
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Sync workers: pages are short and the database does the work. Two per core, plus one,
# up to 8 unless WEB_CONCURRENCY says otherwise.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
worker_class = "sync"
# A request taking longer than this is killed (reports and imports run in the worker, not
# here); a worker asked to stop finishes its request within graceful_timeout.
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle each worker now and then, so no slow leak lasts.
max_requests = 2000
max_requests_jitter = 200
# Django and the application are loaded once, before the workers fork, and warmed there
# (when_ready below).
preload_app = True
# Only the proxy may say the request came over HTTPS (TRUST_X_FORWARDED_PROTO in Django).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to standard output, one JSON line a request, beside the application's own lines:
# the path without its query string (%(U)s; queries can hold search terms), never the
# client's address, user or headers; the request id the application sent back, so the
# line matches the application's lines.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "method": "%(m)s", "path": "%(U)s", '
    '"status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, '
    '"request_id": "%({x-request-id}o)s"}'
)


def when_ready(server: Any) -> None:
    """In the master, after the application is loaded and before the first worker forks:
    import every view and compile every template once (pathways/core/warm.py), so no worker
    pays for it on its first requests."""
    if not server.cfg.preload_app:
        return  # the master has no application to warm
    from pathways.core.warm import warm

    done = warm()
    server.log.info(
        "Warmed before forking: %s URL names, %s templates", done["routes"], done["templates"]
    )
