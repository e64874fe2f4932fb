"""Answering questions through the wizard's autosave endpoint, as the browser posts them."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.test.client import _MonkeyPatchedWSGIResponse as Response
from django.urls import reverse

from assessment.models import Assessment

HTMX = {"HTTP_HX_REQUEST": "true"}


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


def save(client: Client, assessment: Assessment, key: str, data: dict[str, Any], *, htmx: bool = True) -> Response:
    """Post one question's form to the autosave endpoint."""
    url = reverse("web:answer_save", args=[assessment.pk, key])
    return client.post(url, data, **(HTMX if htmx else {}))  # type: ignore[return-value]
