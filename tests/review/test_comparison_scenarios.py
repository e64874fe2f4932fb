"""The comparison's dimensions judged by scenario levels carry both average levels (MIIT's 数字化经营)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assessment.models import Assessment, User
from review.results import comparison
from review.services import review_item_set, review_start

pytestmark = pytest.mark.usefixtures("assignment")


def test_a_scenario_dimension_compares_its_average_levels(submitted: Assessment, consultant: User) -> None:
    review_start(assessment=submitted, consultant=consultant)
    review_item_set(  # S04 from level 4 to level 0: the average of 16 scenarios drops by 4/16
        assessment=submitted,
        reviewer=consultant,
        question_key="S04",
        verdict="adjusted",
        answer={"level": 0},
        reason="现场未见售后服务系统",
    )
    dimensions = {d.key: d for d in comparison(submitted, language="en").dimensions}
    [operations] = [d for d in dimensions.values() if not d.max]
    assert operations.self_scenario_average == Decimal(33) / 16
    assert operations.verified_scenario_average == Decimal(29) / 16
    assert all(d.self_scenario_average is None for d in dimensions.values() if d.max)
