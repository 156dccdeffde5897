"""The background task that runs an import uploaded on the page."""

from __future__ import annotations

from pathlib import Path

from django_tasks import task

from pathways.imports.models import ImportBatch
from pathways.imports.services import batch_run


@task()
def run_import(batch_id: int, path: str) -> None:
    """Run the import; the uploaded copy of the file is removed afterwards, whatever
    happened (the batch keeps its name and checksum)."""
    try:
        batch = ImportBatch.objects.get(pk=batch_id)
        batch_run(batch, Path(path))
    finally:
        Path(path).unlink(missing_ok=True)
