from __future__ import annotations

from pathlib import Path

from django.conf import settings

from pathways.outcomes.measures import MEASURES


def test_docs_define_every_measure_as_the_screen_does() -> None:
    """docs/measures.md and the screens must say the same of every measure."""
    text = " ".join((Path(settings.BASE_DIR) / "docs" / "measures.md").read_text().split())
    for measure in MEASURES:
        assert f"### {measure.title}" in text
        assert " ".join(measure.definition.split()) in text, measure.key
