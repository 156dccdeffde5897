from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from django.conf import settings

from pathways.referrals.reference import END_REASONS


def test_docs_list_every_end_reason_in_its_group() -> None:
    """Attrition is counted from the end-reason groups: docs/measures.md must not drift."""
    text = (Path(settings.BASE_DIR) / "docs" / "measures.md").read_text()
    section = text.split("## End of support and attrition", 1)[1].split("\n## ", 1)[0]
    documented: dict[str, str] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0] not in ("Group", "---"):
            documented[cells[0]] = cells[1]
    expected: dict[str, list[str]] = defaultdict(list)
    for group, _code, label, _note in END_REASONS:
        expected[group].append(label)
    assert set(documented) == set(expected)
    for group, labels in expected.items():
        for label in labels:
            assert label in documented[group], f"{label!r} is not under {group!r}"
