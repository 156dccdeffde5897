from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from pathways.accounts.models import Service, User
from pathways.imports.models import BatchStatus, ImportBatch
from pathways.imports.tests.helpers import ORDERS_HEADER, csv_file
from pathways.outcomes.models import Order

pytestmark = pytest.mark.usefixtures("people")


def test_command_imports_with_progress(tmp_path: Path, service: Service, manager: User) -> None:
    path = csv_file(tmp_path, f"{ORDERS_HEADER}\nA000001,licence,2023-05-01,,,\n")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_probation",
        "orders",
        str(path),
        "--service",
        service.slug,
        "--user",
        "manager",
        stdout=out,
        stderr=err,
    )
    assert "1 created" in out.getvalue() and "Checking" in err.getvalue()
    assert Order.objects.count() == 1 and ImportBatch.objects.get().uploaded_by == manager


def test_command_exits_non_zero_on_errors(tmp_path: Path, service: Service) -> None:
    path = csv_file(tmp_path, f"{ORDERS_HEADER}\nA000001,licence,31/02/2023,,,\n")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "import_probation",
            "orders",
            str(path),
            "--no-progress",
            stderr=err,
            stdout=io.StringIO(),
        )
    assert exit_.value.code == 1
    assert "row 2, start_date: '31/02/2023' expected a real date" in err.getvalue()
    assert not Order.objects.exists()
    assert ImportBatch.objects.get().status == BatchStatus.REJECTED


def test_command_dry_run(tmp_path: Path, service: Service) -> None:
    path = csv_file(tmp_path, f"{ORDERS_HEADER}\nA000001,licence,2023-05-01,,,\n")
    out = io.StringIO()
    call_command("import_probation", "orders", str(path), "--dry-run", "--no-progress", stdout=out)
    assert "1 would be created" in out.getvalue() and not Order.objects.exists()
