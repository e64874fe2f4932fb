"""Names people see refuse bidi controls and control characters, and amounts are never negative: in the model,
so the pages, the API, the admin and the commands agree."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from api.models import ApiKey
from assessment.models import Organization, User
from assessment.services.organizations import organization_create, organization_update
from assessment.validators import validate_display_text

BIDI_CONTROLS = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
BIDI_MARKS = ["\u200e", "\u200f", "\u061c"]
CONTROL_CHARACTERS = ["\x00", "\t", "\n", "\r", "\x1b", "\x7f", "\x85", "\x9f"]


def refusal(character: str) -> str:
    return f"Remove the invisible control character U+{ord(character):04X}: it can reverse or hide the text around it."


@pytest.mark.parametrize("character", BIDI_CONTROLS + BIDI_MARKS + CONTROL_CHARACTERS)
def test_each_bidi_control_and_control_character_is_refused_by_its_code_point(character: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_display_text(f"Acme{character}Ltd")
    assert refused.value.code == "control_character"
    assert refused.value.messages == [refusal(character)]


@pytest.mark.parametrize(
    "name",
    ["测试精密制造有限公司", "Müller & Söhne GmbH", "شركة التقنية", "חברה בע״מ", "👩‍💻 Dev Co", "A–Z (Pty) Ltd.", ""],
)
def test_names_in_any_script_with_emoji_and_punctuation_pass(name: str) -> None:
    validate_display_text(name)


def test_the_refusal_reads_in_chinese() -> None:
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as refused:
            validate_display_text("\u202egnp.exe")
        messages = refused.value.messages  # a lazy message: read it while Chinese is active
    assert messages == ["请删除不可见的控制字符 U+202E：它会让周围的文字颠倒或隐藏。"]


@pytest.mark.django_db
def test_an_organisation_named_with_a_right_to_left_override_is_not_created(owner: User) -> None:
    with pytest.raises(ValidationError) as refused:
        organization_create(owner=owner, name="Acme\u202eLtd", sector="C", size_band="small", province="32")
    assert refused.value.message_dict == {"name": [refusal("\u202e")]}
    assert not Organization.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["annual_revenue", "total_assets"])
def test_negative_amounts_are_refused_and_zero_is_fine(owner: User, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        organization_create(
            owner=owner, name="Acme", sector="C", size_band="small", province="32", **{field: Decimal("-0.01")}
        )
    assert refused.value.message_dict == {field: ["Ensure this value is greater than or equal to 0."]}
    organization = organization_create(
        owner=owner, name="Acme", sector="C", size_band="small", province="32", **{field: Decimal(0)}
    )
    with pytest.raises(ValidationError):
        organization_update(organization=organization, **{field: Decimal(-5)})


def admin_add_organization(client: Client, **fields: Any) -> str:
    inlines = {
        f"{prefix}-{name}": "0"
        for prefix in ("memberships", "consultant_assignments")
        for name in ("TOTAL_FORMS", "INITIAL_FORMS")
    }
    data = {"name": "Acme", "uscc": "", "sector": "C", "size_band": "small", "province": "32", **inlines, **fields}
    response = client.post("/admin/assessment/organization/add/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, "the form is shown again"
    return response.content.decode()


@pytest.mark.django_db
def test_the_admin_refuses_a_reversed_organisation_name_and_a_negative_amount(admin_client: Client) -> None:
    assert "U+202E" in admin_add_organization(admin_client, name="Acme\u202eLtd")
    assert "greater than or equal to 0" in admin_add_organization(admin_client, total_assets="-1")
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_the_admin_refuses_a_bidi_isolate_in_a_persons_name(admin_client: Client, owner: User) -> None:
    data = {
        "email": owner.email,
        "first_name": "\u2067Li",
        "last_name": "Wei",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
    }
    response = admin_client.post(f"/admin/assessment/user/{owner.pk}/change/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "U+2067" in response.content.decode()
    owner.refresh_from_db()
    assert owner.first_name == ""


@pytest.mark.django_db
def test_create_api_key_refuses_a_name_with_an_escape_character(owner: User) -> None:
    with pytest.raises(CommandError, match=r"U\+001B"):
        call_command("create_api_key", "--user", owner.email, "--name", "bank\x1b[2Jportal")
    assert not ApiKey.objects.exists()
