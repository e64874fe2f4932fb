"""Publishing offerings: only an operator's administrators, checked against the framework and the classification."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from assessment.models import FrameworkVersion, Membership, Organization, User
from assessment.services import NotAllowedError
from offerings.services import offering_create, offering_unpublish, offering_update
from tests.offerings.conftest import OFFERING


def test_an_administrator_publishes_an_offering_with_its_lists_cleaned(make_offering: Any) -> None:
    offering = make_offering(question_keys=[" S07", "S07", "F1"], provinces=["32", "32"], size_bands=["small"])
    offering.refresh_from_db()
    assert (offering.question_keys, offering.provinces, offering.size_bands, offering.active) == (
        ["S07", "F1"],
        ["32"],
        ["small"],
        True,
    )


def test_a_question_key_the_framework_does_not_have_is_refused(make_offering: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        make_offering(question_keys=["S07", "Z99"])
    assert caught.value.message_dict["question_keys"] == ["Not a question of this framework: Z99"]


def test_a_level_outside_the_frameworks_levels_is_refused(make_offering: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        make_offering(level_min=2, level_max=5)
    assert caught.value.message_dict["level_max"] == ["This framework's levels run from 0 to 4."]


def test_a_range_that_ends_below_its_start_is_refused(make_offering: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        make_offering(level_min=3, level_max=2)
    assert "level_max" in caught.value.message_dict


def test_the_eu_framework_starts_at_level_one(make_offering: Any, eu_dma: FrameworkVersion) -> None:
    key = eu_dma.questions.values_list("key", flat=True).first()
    with pytest.raises(ValidationError) as caught:
        make_offering(framework=eu_dma.framework, question_keys=[key], level_min=0, level_max=2)
    assert caught.value.message_dict["level_min"] == ["This framework's levels run from 1 to 4."]


def test_unknown_provinces_sectors_and_size_bands_are_refused_together(make_offering: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        make_offering(provinces=["99"], sectors=["Z"], size_bands=["huge"])
    errors = caught.value.message_dict
    assert (errors["provinces"], errors["sectors"], errors["size_bands"]) == (
        ["Unknown: 99"],
        ["Unknown: Z"],
        ["Unknown: huge"],
    )


def test_a_bad_email_and_url_are_refused(make_offering: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        make_offering(contact_email="not-an-address", url="javascript:alert(1)")
    assert set(caught.value.message_dict) == {"contact_email", "url"}


def test_line_breaks_in_the_description_become_spaces(make_offering: Any) -> None:
    offering = make_offering(description="第一行\r\n第二行")
    assert offering.description == "第一行 第二行"


def test_an_sme_cannot_publish(organization: Organization, owner: User, miit: FrameworkVersion) -> None:
    with pytest.raises(NotAllowedError):
        offering_create(provider=organization, created_by=owner, **OFFERING, framework=miit.framework)


def test_an_analyst_of_the_provider_cannot_publish(provider: Organization, miit: FrameworkVersion) -> None:
    analyst = User.objects.create_user("analyst@provider.example", "pw-analyst-1234")
    Membership.objects.create(user=analyst, organization=provider, role="analyst")
    with pytest.raises(NotAllowedError):
        offering_create(provider=provider, created_by=analyst, **OFFERING, framework=miit.framework)


def test_an_update_is_checked_like_a_creation_and_unpublishing_keeps_the_row(
    make_offering: Any, provider_admin: User
) -> None:
    offering = make_offering()
    with pytest.raises(ValidationError):
        offering_update(offering=offering, updated_by=provider_admin, question_keys=["NOPE"])
    offering_update(offering=offering, updated_by=provider_admin, title="新标题", level_max=3)
    offering_unpublish(offering=offering, updated_by=provider_admin)
    offering.refresh_from_db()
    assert (offering.title, offering.level_max, offering.active, offering.question_keys) == (
        "新标题",
        3,
        False,
        ["S07"],
    )
