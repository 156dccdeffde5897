"""The PostgreSQL planner settings every connection of the app is made with
(config/settings.py; bench/pages_by_services.py shows why)."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_connections_plan_for_index_reads_as_cheap_and_without_jit() -> None:
    """At PostgreSQL's default random_page_cost (4) one service's placements were found by
    reading every service's (a page twice as slow with 50 services as with one); at 1.1 the
    planner goes from the service's referrals through the index, whatever the services."""
    if connection.vendor != "postgresql":
        pytest.skip("the planner settings are PostgreSQL's (set DATABASE_URL)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
