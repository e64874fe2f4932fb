"""Names in each language's order: Chinese characters family name first, always; Latin letters by language."""

from __future__ import annotations

import pytest

from review.models import ConsultantProfile, person_name


@pytest.mark.parametrize(
    ("family", "given", "language", "shown"),
    [
        ("王", "立", "zh-Hans", "王立"),
        ("王", "立", "en", "王立"),  # characters are never reordered or spaced
        ("欧阳", "明华", "en", "欧阳明华"),
        ("Wang", "Li", "en", "Li Wang"),
        ("Wang", "Li", "zh-Hans", "Wang Li"),
        ("Wang", "", "en", "Wang"),
    ],
)
def test_a_name_reads_in_the_order_of_its_script_and_language(
    family: str, given: str, language: str, shown: str
) -> None:
    assert person_name(family, given, language) == shown


def test_a_profile_reads_in_chinese_order() -> None:
    assert str(ConsultantProfile(family_name="王", given_name="立")) == "王立"
    assert str(ConsultantProfile(family_name="Wang", given_name="Li")) == "Wang Li"
