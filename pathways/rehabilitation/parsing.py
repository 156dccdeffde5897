"""The fixed input of `manage.py spent_dates`: JSON in, Conviction values out.

    {"convictions": [{"date": "YYYY-MM-DD", "under_18": bool, "caution": bool (optional),
      "sentences": [{"type": T, "length": {"years"|"months"|"weeks"|"days": n} (optional),
                     "schedule_18": bool, "endorsement": bool, "conditions_end": "YYYY-MM-DD",
                     "until_further_order": bool (all optional)}]}]}

Every refusal is an InvalidSentence naming the field, e.g. ``convictions[1].sentences[0].type``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .calculator import LENGTH_UNITS, Conviction, InvalidSentence, Length, Sentence, Spent
from .rules import SENTENCE_TYPES

_SENTENCE_KEYS = {
    "type",
    "length",
    "schedule_18",
    "endorsement",
    "conditions_end",
    "until_further_order",
}
_CONVICTION_KEYS = {"date", "under_18", "caution", "sentences"}


def _date(value: Any, at: str) -> dt.date:
    if not isinstance(value, str):
        raise InvalidSentence(at, "must be a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else _bad_date(at)
    except ValueError:
        return _bad_date(at)


def _bad_date(at: str) -> dt.date:
    raise InvalidSentence(at, "must be a real date written YYYY-MM-DD")


def _bool(value: Any, at: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidSentence(at, "must be true or false")
    return value


def _keys(data: Any, allowed: set[str], at: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidSentence(at, "must be an object")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InvalidSentence(f"{at}.{unknown[0]}", "is not a field this input knows")
    return data


def _length(data: Any, at: str) -> Length:
    if not isinstance(data, dict) or len(data) != 1:
        raise InvalidSentence(at, f"must have exactly one of {', '.join(LENGTH_UNITS)}")
    ((unit, n),) = data.items()
    if unit not in LENGTH_UNITS:
        raise InvalidSentence(f"{at}.{unit}", f"must be one of {', '.join(LENGTH_UNITS)}")
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise InvalidSentence(f"{at}.{unit}", "must be a whole number of 1 or more")
    return Length(unit, n)


def _sentence(data: Any, at: str) -> Sentence:
    data = _keys(data, _SENTENCE_KEYS, at)
    kind = data.get("type")
    if kind not in SENTENCE_TYPES:
        raise InvalidSentence(f"{at}.type", f"must be one of {', '.join(SENTENCE_TYPES)}")
    return Sentence(
        type=kind,
        length=_length(data["length"], f"{at}.length") if "length" in data else None,
        schedule_18=_bool(data.get("schedule_18", False), f"{at}.schedule_18"),
        endorsement=_bool(data.get("endorsement", False), f"{at}.endorsement"),
        conditions_end=(
            _date(data["conditions_end"], f"{at}.conditions_end")
            if "conditions_end" in data
            else None
        ),
        until_further_order=_bool(
            data.get("until_further_order", False), f"{at}.until_further_order"
        ),
    )


def parse_convictions(data: Any) -> list[Conviction]:
    data = _keys(data, {"convictions"}, "input")
    items = data.get("convictions")
    if not isinstance(items, list):
        raise InvalidSentence("convictions", "must be a list")
    convictions = []
    for index, item in enumerate(items):
        at = f"convictions[{index}]"
        item = _keys(item, _CONVICTION_KEYS, at)
        if "date" not in item:
            raise InvalidSentence(f"{at}.date", "is required")
        if "under_18" not in item:
            raise InvalidSentence(f"{at}.under_18", "is required")
        sentences = item.get("sentences")
        if not isinstance(sentences, list) or not sentences:
            raise InvalidSentence(f"{at}.sentences", "must be a list of at least one sentence")
        convictions.append(
            Conviction(
                date=_date(item["date"], f"{at}.date"),
                under_18=_bool(item["under_18"], f"{at}.under_18"),
                caution=_bool(item.get("caution", False), f"{at}.caution"),
                sentences=tuple(
                    _sentence(s, f"{at}.sentences[{i}]") for i, s in enumerate(sentences)
                ),
            )
        )
    return convictions


def format_spent(spent: Spent) -> str:
    return spent.isoformat() if isinstance(spent, dt.date) else spent
