from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from assessment.models import User
from assessment.services.organizations import organization_create
from assessment.validators import validate_uscc

VALID = ["91350100M000100Y43", "91110000600037341L"]


@pytest.mark.parametrize("code", VALID)
def test_a_valid_code_passes(code: str) -> None:
    validate_uscc(code)


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("91350100M000100Y44", "uscc_checksum"),  # last character changed
        ("91350100M000100Y4", "uscc_length"),
        ("9135010OM000100Y43", "uscc_format"),  # letter O is not allowed
        ("91350100M0001I0Y43", "uscc_format"),  # nor is I
    ],
)
def test_an_invalid_code_is_refused_with_its_reason(code: str, error: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_uscc(code)
    assert excinfo.value.code == error


@pytest.mark.django_db
def test_an_organisation_stores_the_code_in_compact_upper_case() -> None:
    owner = User.objects.create_user("a@example.com", "x")
    organization = organization_create(
        owner=owner, name="甲", sector="C", size_band="small", province="11", uscc=" 91350100m000100y43 "
    )
    assert organization.uscc == "91350100M000100Y43"


@pytest.mark.django_db
def test_an_organisation_with_a_bad_code_is_not_created() -> None:
    owner = User.objects.create_user("b@example.com", "x")
    with pytest.raises(ValidationError) as excinfo:
        organization_create(
            owner=owner, name="乙", sector="C", size_band="small", province="11", uscc="91350100M000100Y44"
        )
    assert "uscc" in excinfo.value.message_dict
    assert not owner.memberships.exists()
