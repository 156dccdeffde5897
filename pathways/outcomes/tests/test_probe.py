import pytest
pytestmark = pytest.mark.django_db
def test_probe(world):
    from pathways.outcomes.measures import MEASURES
    from pathways.outcomes.tests.world import HALF, BEFORE, AFTER, AS_OF
    for p in (BEFORE, HALF, AFTER):
        print(p)
        for m in MEASURES:
            f = m.compute(world.service, p, AS_OF)
            recs = list(m.records(world.service, p, AS_OF))
            print(f"  {m.key:32} {f.value} {f.numerator}/{f.denominator} {f.breakdown} {f.note!r}")
            print("     ", [getattr(getattr(r,'participant',None),'first_name',None) or getattr(r,'title',None) or r.pk for r in recs])
