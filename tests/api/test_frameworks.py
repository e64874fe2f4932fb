"""A framework's tree over the API carries its guidance (suggested documents) in the request's language."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from assessment.models import FrameworkVersion

pytestmark = pytest.mark.django_db


def test_the_tree_has_the_suggested_documents_in_the_requested_language(
    owner_client: APIClient, miit: FrameworkVersion, eu_dma: FrameworkVersion
) -> None:
    english = owner_client.get("/api/v1/frameworks/miit-2024-manufacturing/?lang=en").json()["guidance"]
    chinese = owner_client.get("/api/v1/frameworks/miit-2024-manufacturing/?lang=zh-Hans").json()["guidance"]
    assert english["note"].startswith("Third-party guidance, not official")
    assert chinese["note"].startswith("第三方指引，非官方")
    assert (
        english["questions"]["M4"]["documents"][0] == "Financial statements of the last three years (operating revenue)"
    )
    assert chinese["questions"]["S07"]["levels"][2] == {
        "level": 3,
        "documents": ["数字化检测设备清单及自动判定、报警记录", "原材料、半成品、成品质量追溯记录"],
    }
    assert owner_client.get("/api/v1/frameworks/eu-dma/").json()["guidance"] is None
