"""Warming the web server's master process before it forks its workers (config/gunicorn.py).

Django loads lazily: the first request a process answers imports every view module (to
build the URL resolver) and compiles each template it renders. Measured on PostgreSQL with
the demo (bench/load.py's stack): the first sign-in page a fresh process served took
1,300 ms, the next ones 2 ms. gunicorn loads the application once in its master and forks
the workers from it (``preload_app``), so work done there is done once and every worker,
including one started later to replace a recycled one (``max_requests``), starts warm
instead of paying that second on its first request, which under load is when all users
sign in at once.

Nothing here touches the database: a connection opened before the fork would be shared by
every worker.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.db import connections
from django.template import TemplateSyntaxError, engines
from django.template.backends.django import DjangoTemplates
from django.template.utils import get_app_template_dirs
from django.urls import URLResolver, get_resolver

logger = logging.getLogger(__name__)

# What a Django template is named with, under any template folder.
TEMPLATE_SUFFIXES = (".html", ".txt", ".xml", ".svg")


def template_names(engine: DjangoTemplates) -> list[str]:
    """Every template the engine can load by name: its own folders' and, when it looks in
    apps (APP_DIRS), each installed app's ``templates`` folder (Django's admin among them).
    A name found in two folders is listed once: the engine loads the first."""
    folders = [Path(folder) for folder in engine.engine.dirs]
    if engine.engine.app_dirs:
        folders += [Path(folder) for folder in get_app_template_dirs("templates")]
    names: dict[str, None] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in TEMPLATE_SUFFIXES:
                names.setdefault(path.relative_to(folder).as_posix(), None)
    return list(names)


def _populate(resolver: URLResolver) -> int:
    """Build the resolver's reverse lookups, and those of every namespace under it (each is
    built on its first ``reverse``); the number of lookups built."""
    built = len(resolver.reverse_dict)
    for _prefix, inner in resolver.namespace_dict.values():
        built += _populate(inner)
    return built


def warm() -> dict[str, int]:
    """Import every view (the URL resolver and its reverse lookups, namespaces included) and
    compile every template into the engines' cached loaders. Returns what was done, for the
    log. A template that does not compile is logged and skipped: its page fails as it would
    have, and the server still starts."""
    routes = _populate(get_resolver())
    compiled = 0
    for engine in engines.all():
        if not isinstance(engine, DjangoTemplates):
            continue
        for name in template_names(engine):
            try:
                engine.get_template(name)
            except TemplateSyntaxError:
                logger.warning("A template does not compile: %s", name)
            else:
                compiled += 1
    connections.close_all()
    return {"routes": routes, "templates": compiled}
