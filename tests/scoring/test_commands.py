from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assessment.models import FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from scoring.models import AssessmentResult
from tests.helpers import ANSWER_FILES, submit_filling_gaps

pytestmark = pytest.mark.django_db


def write(tmp_path: Path, name: str, document: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_score_answers_prints_one_json_object_per_file(
    miit: FrameworkVersion, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(
        tmp_path,
        "good.json",
        {
            "framework": "miit-2024-manufacturing@2024",
            "answers": [
                {"question": "F1", "choices": ["B", "D"]},  # 4
                {"question": "M4", "choice": "D"},  # 5.625, not rounded
                {"question": "S06", "level": 3},
            ],
        },
    )
    empty = write(tmp_path, "empty.json", {"framework": "eu-dma", "answers": []})
    call_command("score_answers", str(good), str(empty))
    out = capsys.readouterr().out
    first, second = (json.loads(line, parse_float=Decimal) for line in out.splitlines())
    assert first["file"] == str(good)
    assert first["framework"] == "miit-2024-manufacturing@2024"
    assert first["total"] == Decimal("9.625")
    assert '"total":9.625,' in out.replace(" ", "")  # the JSON text itself is exact
    assert first["max_total"] == 100
    assert first["level"] == 0
    assert first["dimensions"][0] == {"key": "foundation", "score": 4, "max": 50}
    assert first["gates"][0]["gate"] == "score"
    assert first["gates"][0]["shortfall"] == Decimal("10.375")
    assert first["next_level"]["target"] == 1
    assert first["completeness"] == (Decimal(3) / 31).quantize(Decimal("1e-12"))
    assert second["framework"] == "eu-dma@2024"
    assert second["level"] == 1


def test_an_invalid_file_goes_to_stderr_and_the_rest_are_still_scored(
    miit: FrameworkVersion, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(
        tmp_path,
        "bad.json",
        {
            "framework": "miit-2024-manufacturing",
            "answers": [{"question": "F1", "choices": ["A", "B"]}, {"question": "X9", "number": 1}],
        },
    )
    unknown = write(tmp_path, "unknown.json", {"framework": "nope", "answers": []})
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    good = write(tmp_path, "good.json", {"framework": "miit-2024-manufacturing", "answers": []})
    with pytest.raises(CommandError, match="3 of 4 file"):
        call_command("score_answers", str(bad), str(unknown), str(broken), str(good))
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1
    assert f'{bad}: answers[0] (F1): option "A" excludes every other option' in captured.err
    assert f'{bad}: answers[1] (X9): unknown question "X9"' in captured.err
    assert f"{unknown}: no framework 'nope'" in captured.err
    assert f"{broken}: not valid JSON" in captured.err


def test_rescore_recomputes_frozen_results(miit: FrameworkVersion, organization: Organization, owner: User) -> None:
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    answers_upsert(assessment=assessment, answered_by=owner, items=[{"question": "F5", "choice": "E"}])
    submit_filling_gaps(assessment, owner)
    AssessmentResult.objects.filter(assessment=assessment).update(total=0, scoring_version=0)
    call_command("rescore", "--framework", "miit-2024-manufacturing", "--inline", verbosity=0)
    result = AssessmentResult.objects.get(assessment=assessment)
    assert result.total == 10
    assert result.scoring_version >= 1


def test_score_answers_prints_hand_computed_exact_figures(
    miit: FrameworkVersion, eu_dma: FrameworkVersion, capsys: pytest.CaptureFixture[str]
) -> None:
    names = ("miit-58.125.json", "miit-28.125.json", "eu-dma-25+1-504.json")
    call_command("score_answers", *(str(ANSWER_FILES / name) for name in names))
    out = capsys.readouterr().out
    fifty_eight, twenty_eight, eu = (json.loads(line, parse_float=Decimal) for line in out.splitlines())
    assert '"total":58.125,' in out.replace(" ", "")
    assert (fifty_eight["total"], fifty_eight["level"]) == (Decimal("58.125"), 2)
    assert fifty_eight["gates"][0]["shortfall"] == Decimal("1.875")
    assert [d["score"] for d in fifty_eight["dimensions"]] == [Decimal("27.5"), 0, Decimal("20.625"), 10]
    assert (twenty_eight["total"], twenty_eight["gates"][0]["shortfall"]) == (Decimal("28.125"), Decimal("11.875"))
    assert (eu["total"], eu["level"]) == (Decimal("25.001984126984"), 2)  # 25 + 1/504: Average, not Basic
