"""What an administrator types into an instrument (its areas' names and band labels)
reaches the reading form as text, never as markup."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from pathways.plans.forms import ReadingForm
from pathways.plans.models import Instrument, InstrumentArea, InstrumentBand, ReadingKind

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("band")</script>'


def test_band_labels_and_area_names_are_escaped_in_the_hint() -> None:
    instrument = Instrument.objects.create(name="Escaping star", scale_min=1, scale_max=10)
    InstrumentArea.objects.create(instrument=instrument, name=f"Skills {SCRIPT}", order=1)
    InstrumentBand.objects.create(instrument=instrument, label=SCRIPT, lowest=1, highest=10)
    form = ReadingForm(instrument=instrument, kinds=[ReadingKind.INTAKE])
    html = Template("{{ form }}").render(Context({"form": form}))
    assert "<script>" not in html
    assert "1 to 10: &lt;script&gt;alert(&quot;band&quot;)&lt;/script&gt;" in html
    assert "Skills &lt;script&gt;" in html
