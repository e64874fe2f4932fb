"""Rate limits per key on the shared cache, and messages and framework texts in the request's language."""

from __future__ import annotations

from typing import Any

import pytest
import redis
from django.conf import settings
from rest_framework.test import APIClient

from api.throttling import AddressRateThrottle, CallerRateThrottle
from assessment.models import FrameworkVersion, User
from tests.api.conftest import KeyClient

pytestmark = pytest.mark.django_db


def test_each_key_has_its_own_budget_and_429_says_when_to_retry(
    key_client: KeyClient, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CallerRateThrottle, "rate", "3/min", raising=False)
    first, second = key_client(owner), key_client(owner)
    assert [first.get("/api/v1/frameworks/").status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get("/api/v1/frameworks/?lang=en")
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 60
    assert second.get("/api/v1/frameworks/").status_code == 200


def test_throttle_counts_live_in_redis_shared_by_every_web_process(
    redis_url: str, key_client: KeyClient, owner: User
) -> None:
    assert "redis" in settings.CACHES["default"]["BACKEND"].lower()
    key_client(owner).get("/api/v1/frameworks/")
    stored = redis.Redis.from_url(redis_url).keys("*throttle_caller_key:*")
    assert len(stored) == 1


def test_the_public_schema_limits_anonymous_callers_by_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AddressRateThrottle, "rate", "2/min", raising=False)
    client = APIClient()
    assert [client.get("/api/schema/").status_code for _ in range(3)] == [200, 200, 429]
    assert APIClient().get("/api/v1/frameworks/").status_code == 401  # everything else needs a key


def test_a_forged_forwarded_for_header_does_not_buy_a_fresh_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AddressRateThrottle, "rate", "2/min", raising=False)
    client = APIClient()
    codes = [client.get("/api/schema/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(3)]
    assert codes == [200, 200, 429]


def test_messages_follow_accept_language_and_lang(owner_client: APIClient) -> None:
    path = "/api/v1/assessments/999999/"
    assert owner_client.get(path, HTTP_ACCEPT_LANGUAGE="en").json()["message"] == "Not found."
    assert owner_client.get(path, HTTP_ACCEPT_LANGUAGE="zh-Hans").json()["message"] == "未找到。"
    assert owner_client.get(path + "?lang=en", HTTP_ACCEPT_LANGUAGE="zh-Hans").json()["message"] == "Not found."
    assert owner_client.get(path).json()["message"] == "未找到。"  # the default


def test_our_own_messages_are_translated(owner_client: APIClient) -> None:
    body = {"organization": 1, "framework": "nope"}
    english = owner_client.post("/api/v1/assessments/?lang=en", body, format="json").json()
    chinese = owner_client.post("/api/v1/assessments/?lang=zh-Hans", body, format="json").json()
    assert english["message"] == "Some fields are invalid; see details."
    assert chinese["message"] == "部分字段无效，详见 details。"
    assert chinese["details"]["organization"] == ["没有这个组织。"]


def test_the_framework_tree_comes_in_the_requested_language(owner_client: APIClient, miit: FrameworkVersion) -> None:
    english = owner_client.get("/api/v1/frameworks/miit-2024-manufacturing/?lang=en").json()
    chinese = owner_client.get("/api/v1/frameworks/miit-2024-manufacturing/", HTTP_ACCEPT_LANGUAGE="zh-Hans").json()
    assert english["title"].startswith("SME Digitalisation Level")
    assert chinese["title"] == "中小企业数字化水平评测指标（2024年版）"
    chinese_f1, english_f1 = (first_question(tree) for tree in (chinese, english))
    assert chinese_f1["key"] == english_f1["key"] == "F1"
    assert "网络" in chinese_f1["text"]
    assert english_f1["text"].isascii()


def first_question(tree: dict[str, Any]) -> dict[str, Any]:
    indicator = tree["dimensions"][0]["indicators"][0]
    while not indicator["questions"]:
        indicator = indicator["indicators"][0]
    question: dict[str, Any] = indicator["questions"][0]
    return question
