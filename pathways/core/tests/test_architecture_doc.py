"""docs/architecture.md's "Where each rule lives" table names real code: every file it
names exists and holds every name given for it (``Class.method`` too)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[3] / "docs" / "architecture.md"


def _rows() -> list[tuple[str, str, list[str]]]:
    text = DOC.read_text()
    section = text.split("## Where each rule lives", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[1].startswith("`pathways/"):
            continue
        names = re.findall(r"`([^`]+)`", cells[2])
        rows.append((cells[0], cells[1].strip("`"), names))
    return rows


ROWS = _rows()


def test_the_table_is_there_and_long() -> None:
    assert len(ROWS) >= 25


@pytest.mark.parametrize(("rule", "path", "names"), ROWS, ids=[row[0] for row in ROWS])
def test_each_named_rule_exists_where_the_table_says(rule: str, path: str, names: list[str]):
    assert path.endswith(".py"), rule
    assert (DOC.parents[1] / path).is_file(), f"{path} does not exist"
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    assert names, f"no name given for {rule!r}"
    for name in names:
        found: object = module
        for part in name.split("."):
            assert hasattr(found, part), f"{path} has no {name} ({rule})"
            found = getattr(found, part)
