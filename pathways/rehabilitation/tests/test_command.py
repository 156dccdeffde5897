"""`manage.py spent_dates`: the fixed interface, and the refusals that name the field."""

from __future__ import annotations

import io
import json
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command


def run(data: object, tmp_path) -> dict:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data))
    out = StringIO()
    call_command("spent_dates", str(path), stdout=out)
    return json.loads(out.getvalue())


def test_reads_standard_input(monkeypatch) -> None:
    data = {"convictions": [{"date": "2020-01-01", "under_18": False,
                             "sentences": [{"type": "fine"}]}]}  # fmt: skip
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(data)))
    out = StringIO()
    call_command("spent_dates", "-", stdout=out)
    assert json.loads(out.getvalue()) == {"spent": ["2021-01-01"]}


def test_an_empty_record_gives_an_empty_list(tmp_path) -> None:
    assert run({"convictions": []}, tmp_path) == {"spent": []}


BAD = [
    ({"convictions": {}}, "convictions: must be a list"),
    ({"people": []}, "input.people: is not a field"),
    ({"convictions": [{"under_18": False, "sentences": [{"type": "fine"}]}]},
     "convictions[0].date: is required"),
    ({"convictions": [{"date": "2020-02-30", "under_18": False, "sentences": [{"type": "fine"}]}]},
     "convictions[0].date: must be a real date"),
    ({"convictions": [{"date": "2020-01-01", "sentences": [{"type": "fine"}]}]},
     "convictions[0].under_18: is required"),
    ({"convictions": [{"date": "2020-01-01", "under_18": "no", "sentences": [{"type": "fine"}]}]},
     "convictions[0].under_18: must be true or false"),
    ({"convictions": [{"date": "2020-01-01", "under_18": False, "sentences": []}]},
     "convictions[0].sentences: must be a list of at least one"),
    ({"convictions": [{"date": "2020-01-01", "under_18": False, "sentences": [{"type": "gaol"}]}]},
     "convictions[0].sentences[0].type: must be one of"),
    ({"convictions": [{"date": "2020-01-01", "under_18": False,
                       "sentences": [{"type": "custody"}]}]},
     "convictions[0].sentences[0].length: custody needs a length"),
    ({"convictions": [{"date": "2020-01-01", "under_18": False,
                       "sentences": [{"type": "custody", "length": {"fortnights": 2}}]}]},
     "convictions[0].sentences[0].length.fortnights: must be one of"),
    ({"convictions": [{"date": "2020-01-01", "under_18": False,
                       "sentences": [{"type": "custody", "length": {"months": 0}}]}]},
     "convictions[0].sentences[0].length.months: must be a whole number"),
    ({"convictions": [{"date": "2020-01-01", "under_18": False,
                       "sentences": [{"type": "custody", "length": {"months": 2, "days": 3}}]}]},
     "convictions[0].sentences[0].length: must have exactly one"),
    ({"convictions": [{"date": "2020-01-01", "under_18": False,
                       "sentences": [{"type": "community_order",
                                      "conditions_end": "2019-01-01"}]}]},
     "convictions[0].sentences[0].conditions_end: cannot be before the date"),
    ({"convictions": [{"date": "2020-01-01", "under_18": False,
                       "sentences": [{"type": "fine", "until_further_order": True}]}]},
     "convictions[0].sentences[0].until_further_order: only an order"),
    ({"convictions": [{"date": "2020-01-01", "under_18": False, "caution": True,
                       "sentences": [{"type": "fine"}]}]},
     "convictions[0].sentences: a caution can only have caution types"),
    ({"convictions": [{"date": "2020-01-01", "under_18": False,
                       "sentences": [{"type": "simple_caution"}, {"type": "fine"}]}]},
     "convictions[0].sentences: a caution and a court sentence"),
    ({"convictions": [{"date": "2020-01-01", "under_18": False,
                       "sentences": [{"type": "fine", "schedule18": True}]}]},
     "convictions[0].sentences[0].schedule18: is not a field"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "message"), BAD)
def test_a_bad_file_is_refused_naming_the_field(data, message, tmp_path) -> None:
    with pytest.raises(CommandError) as refused:
        run(data, tmp_path)
    assert message in str(refused.value)


def test_not_json_is_refused(tmp_path) -> None:
    path = tmp_path / "in.json"
    path.write_text("{convictions")
    with pytest.raises(CommandError, match="not JSON"):
        call_command("spent_dates", str(path), stdout=StringIO())


def test_a_missing_file_is_refused(tmp_path) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        call_command("spent_dates", str(tmp_path / "nope.json"), stdout=StringIO())


def test_the_command_exits_non_zero_on_a_bad_file(tmp_path) -> None:
    import subprocess

    path = tmp_path / "in.json"
    path.write_text(json.dumps({"convictions": [{"date": "x", "under_18": False,
                                                 "sentences": [{"type": "fine"}]}]}))  # fmt: skip
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "spent_dates", str(path)],
        capture_output=True,
        cwd=settings.BASE_DIR,
        text=True,
        env={"DEBUG": "true", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode != 0
    assert "convictions[0].date" in done.stderr


def test_the_command_runs_as_it_is_on_a_machine_with_no_settings(tmp_path) -> None:
    """`python manage.py spent_dates FILE` needs no SECRET_KEY, DEBUG or database: cases
    can be run against it unchanged. A bad file exits non-zero, naming the field."""
    import os
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env.pop("DJANGO_SETTINGS_MODULE", None)

    def conviction(sentence: str) -> str:
        return json.dumps(
            {"convictions": [{"date": "2020-01-01", "under_18": False,
                              "sentences": [{"type": sentence}]}]}
        )  # fmt: skip

    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(conviction("fine"))
    bad.write_text(conviction("custody"))

    def spent(path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
            [sys.executable, "manage.py", "spent_dates", str(path)],
            cwd=root, env=env, capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip

    done = spent(good)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"spent": ["2021-01-01"]}
    refused = spent(bad)
    assert refused.returncode != 0
    assert "convictions[0].sentences[0].length" in refused.stderr
