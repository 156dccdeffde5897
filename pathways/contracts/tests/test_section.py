"""The include the RR Board report uses renders with and without a contract."""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string

from pathways.accounts.models import Service, User
from pathways.contracts import services
from pathways.contracts.selectors import contract_summary
from pathways.reports.equality import equality_report

D = datetime.date


def test_the_sections_render(service: Service, manager: User) -> None:
    assert "No contract has been recorded" in render_to_string(
        "contracts/_contract_section.html", {"contract": None}
    )
    services.contract_save(
        actor=manager,
        service=service,
        provider="Provider Ltd",
        commissioner="Office",
        reference="",
        start_date=D(2022, 5, 1),
        pilot_end_date=D(2024, 4, 30),
        notes="",
    )
    html = render_to_string(
        "contracts/_contract_section.html",
        {"contract": contract_summary(service, D(2022, 5, 1), D(2022, 10, 31))},
    )
    assert "Provider Ltd" in html and "Change" not in html
    html = render_to_string(
        "reports/_equality_section.html",
        {"equality": equality_report(service, D(2022, 5, 1), D(2022, 10, 31))},
    )
    assert "Equality monitoring" in html and "not for publication" not in html
