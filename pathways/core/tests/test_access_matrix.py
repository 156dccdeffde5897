"""The access matrix, generated from the URL configuration (deny by default).

Every URL pattern the resolver knows is listed; each must have a line in
``access_matrix.RULES`` (or be an admin URL, which answers to the administrator alone).
Then every URL is requested by every role and by an anonymous visitor, and the answer must
be the declared one. A role that may not use a page gets 404 on a forged POST too, the
refusal is audited and nothing is changed. Every answer to a signed-in user carries
``Cache-Control: no-store``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from pathways.accounts.models import User
from pathways.core.models import AuditEvent, AuditKind
from pathways.core.tests.access_matrix import (
    ADMIN_PREFIX,
    ADMIN_RULE,
    ADMIN_SKIP,
    ADMIN_SKIP_SUFFIXES,
    NO_PERSONAL_DATA,
    ROLES,
    RULES,
    SHOWS_PERSONAL_DATA,
    Rule,
)

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or "route:<pattern>" for an unnamed route
    pattern: str
    arguments: tuple[str, ...]


def _routes(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[Route]:
    found: list[Route] = []
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _routes(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            # The arguments of the including prefixes, then the pattern's own.
            arguments = (
                *re.findall(r"<(?:\w+:)?(\w+)>", prefix),
                *entry.pattern.regex.groupindex,
            )
            name = f"{namespace}{entry.name}" if entry.name else f"route:{route}"
            found.append(Route(name, route, tuple(arguments)))
    return found


def all_routes() -> list[Route]:
    return _routes(get_resolver().url_patterns)


def rule_for(route: Route) -> Rule | None:
    if route.name in RULES:
        return RULES[route.name]
    if _is_admin(route):
        return ADMIN_RULE
    return None


def _is_admin(route: Route) -> bool:
    return route.name.startswith((ADMIN_PREFIX, "route:admin/"))


def _checked_admin(route: Route) -> bool:
    """The admin URLs requested one by one: those without a record id in them."""
    return (
        route.name.startswith(ADMIN_PREFIX)
        and route.name not in ADMIN_SKIP
        and not route.name.endswith(ADMIN_SKIP_SUFFIXES)
    )


def test_every_url_has_a_declared_access_rule() -> None:
    missing = [
        f"{route.name} ({route.pattern})" for route in all_routes() if rule_for(route) is None
    ]
    assert not missing, (
        "These URLs have no access rule: declare who may use each in "
        "pathways/core/tests/access_matrix.py RULES:\n  " + "\n  ".join(missing)
    )


def test_every_declared_rule_names_a_url() -> None:
    names = {route.name for route in all_routes()}
    stale = sorted(set(RULES) - names)
    assert not stale, f"Rules for URLs that no longer exist: {stale}"


def test_every_url_says_whether_it_shows_personal_data() -> None:
    """Each URL (but the admin's) is in exactly one of SHOWS_PERSONAL_DATA and
    NO_PERSONAL_DATA, so a new page must be classified
    (and, if it shows personal data, audited) before this passes."""
    names = {route.name for route in all_routes() if not _is_admin(route)}
    sets = (SHOWS_PERSONAL_DATA, NO_PERSONAL_DATA)
    unclassified = sorted(name for name in names if sum(name in s for s in sets) != 1)
    assert not unclassified, (
        "Say whether each of these URLs shows personal data (exactly one of "
        "SHOWS_PERSONAL_DATA, NO_PERSONAL_DATA in pathways/core/tests/access_matrix.py):\n  "
        + "\n  ".join(unclassified)
    )
    stale = sorted(set().union(*sets) - names)
    assert not stale, f"Classified URLs that no longer exist: {stale}"


# Which record fills a URL argument, by the argument's name (``pk`` comes from the rule).
ARGUMENTS = {
    "goal_pk": "goal",
    "step_pk": "step",
    "onward_pk": "onward",
    "opportunity": "opportunity",
    "person": "person",
}


def url_of(route: Route, rule: Rule, records: dict[str, int]) -> str:
    if route.name.startswith("route:"):
        return "/" + route.pattern
    kwargs: dict[str, Any] = {}
    for argument in route.arguments:
        if argument == "app_label":
            kwargs[argument] = "accounts"
        elif argument == "pk":
            assert rule.pk, f"{route.name}: say which record fills <pk> (Rule(pk=...))"
            kwargs[argument] = records[rule.pk]
        else:
            record = rule.args.get(argument) or ARGUMENTS.get(argument)
            assert record, f"{route.name}: say which record fills <{argument}> (Rule(args=...))"
            kwargs[argument] = records[record]
    return reverse(route.name, kwargs=kwargs)


def checked_routes() -> list[tuple[Route, Rule]]:
    pairs = []
    for route in all_routes():
        rule = rule_for(route)
        if rule is None:
            continue  # test_every_url_has_a_declared_access_rule fails on it
        if _is_admin(route) and route.name not in RULES and not _checked_admin(route):
            continue
        pairs.append((route, rule))
    return pairs


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(
    client: Client, personas: dict[str, User], records: dict[str, int], role: str
) -> None:
    if role != "anonymous":
        client.force_login(personas["admin" if role == "admin" else role])
    changes = AuditEvent.objects.filter(kind=AuditKind.CHANGE).count()
    reads = AuditEvent.objects.filter(kind__in=(AuditKind.VIEW, AuditKind.EXPORT))
    wrong: list[str] = []
    for route, rule in checked_routes():
        url = url_of(route, rule, records)
        expected = rule.expected(role)
        read = reads.count()
        response = client.get(url)
        if response.status_code != expected:
            wrong.append(f"GET {route.name} {url}: {response.status_code}, expected {expected}")
            continue
        shows_personal = route.name in SHOWS_PERSONAL_DATA and role in rule.ok
        if shows_personal and expected == 200 and reads.count() == read:
            wrong.append(f"GET {route.name}: shows personal data but wrote no audit event")
        if role == "anonymous" and expected == 302:
            location = response["Location"]
            if not location.startswith(("/accounts/login/", "/admin/login/")):
                wrong.append(f"GET {route.name}: anonymous sent to {location}, not to sign in")
        if role != "anonymous" and response.get("Cache-Control") != "no-store":
            wrong.append(f"GET {route.name}: Cache-Control is {response.get('Cache-Control')}")
        if expected == 404 and not _is_admin(route):
            refusals = AuditEvent.objects.filter(kind=AuditKind.REFUSAL).count()
            posted = client.post(url, {})
            if posted.status_code != 404:
                wrong.append(f"forged POST {route.name}: {posted.status_code}, expected 404")
            elif AuditEvent.objects.filter(kind=AuditKind.REFUSAL).count() != refusals + 1:
                wrong.append(f"forged POST {route.name}: refusal not audited")
    assert not wrong, f"{role}:\n  " + "\n  ".join(wrong)
    assert AuditEvent.objects.filter(kind=AuditKind.CHANGE).count() == changes, (
        f"{role}: a GET or a forged POST changed something"
    )
