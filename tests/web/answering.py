"""Answering questions through the wizard's autosave endpoint, as the browser posts them."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from assessment.models import Assessment

HTMX = {"HTTP_HX_REQUEST": "true"}

# Every foundation question at its best (50 points), every scenario at level 2, management and outcomes
# at their lowest: score 50 with 16 scenarios (10 constrained) at level 2 is level 2, not 3 (needs 60).
ALL_BUT_NONE = list("BCDEFGHIJKLMNO")
MIIT_LEVEL_TWO: dict[str, dict[str, Any]] = {
    "F1": {"choices": ["B", "C", "D", "E"]},
    "F2": {"choice": "E", "evidence": {"devices_total": 100, "devices_digital": 70}},
    "F3": {"choice": "E", "evidence": {"devices_networked": 65}},
    "F4": {"choices": ALL_BUT_NONE},
    "F5": {"choice": "E"},
    "F6": {"choices": ["B", "C", "D", "E"]},
    "F7": {"choices": ["B", "C", "D", "E"]},
    **{f"S{n:02}": {"level": 2} for n in range(1, 17)},
    "M1": {"choice": "A"},
    "M2": {"choices": ["A"]},
    "M3": {"choices": ["A"]},
    "M4": {"choice": "A", "comment": "投入以软件订阅为主 <b>not bold</b>"},
    "R1": {"choice": "A"},
    "R2": {"choice": "A"},
    "R3": {"choice": "A"},
    "R4": {"choice": "A"},
}


def form_data(item: dict[str, Any]) -> dict[str, Any]:
    """An answer-format item as the question's form posts it."""
    data: dict[str, Any] = {}
    for name, value in item.items():
        if name == "question":
            continue
        if name == "choices":
            data["choices"] = value if value else []
            if not value:
                data["none_of_these"] = "1"
        elif name == "yes":
            data["yes"] = "yes" if value else "no"
        elif name == "not_applicable":
            data["not_applicable"] = "1" if value else ""
        elif name == "evidence":
            data.update({f"evidence.{key}": str(v) for key, v in value.items()})
        else:
            data[name] = str(value)
    return data


def save(client: Client, assessment: Assessment, key: str, data: dict[str, Any], *, htmx: bool = True) -> HttpResponse:
    """Post one question's form to the autosave endpoint."""
    url = reverse("web:answer_save", args=[assessment.pk, key])
    return client.post(url, data, **(HTMX if htmx else {}))


def miit_items() -> list[dict[str, Any]]:
    """MIIT_LEVEL_TWO in the answer format."""
    return [{"question": key, **item} for key, item in MIIT_LEVEL_TWO.items()]
