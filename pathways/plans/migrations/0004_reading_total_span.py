"""Each reading keeps its total and span (for the distance-travelled figures), worked out
here from the scores of the readings already recorded."""

from django.db import migrations, models
from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    """As ``plans.services.reading_totals_rebuild`` does (with the models of this point)."""
    Reading = apps.get_model("plans", "Reading")
    ReadingScore = apps.get_model("plans", "ReadingScore")
    Instrument = apps.get_model("plans", "Instrument")
    scores = ReadingScore.objects.filter(reading_id=OuterRef("pk")).order_by().values("reading_id")
    total = Subquery(scores.annotate(total=Sum("score")).values("total"), IntegerField())
    scored = Coalesce(Subquery(scores.annotate(n=Count("id")).values("n")), 0)
    width = Subquery(
        Instrument.objects.filter(pk=OuterRef("instrument_id"))
        .annotate(width=F("scale_max") - F("scale_min"))
        .values("width"),
        IntegerField(),
    )
    Reading.objects.update(total=total, span=scored * width)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0003_reading_instrument_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="reading",
            name="span",
            field=models.IntegerField(
                blank=True,
                editable=False,
                help_text="How far its total can move: the areas scored times the scale's width.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="reading",
            name="total",
            field=models.IntegerField(
                blank=True, editable=False, help_text="The sum of its scores.", null=True
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
