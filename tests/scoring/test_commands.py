from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assessment.models import FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from scoring.models import AssessmentResult
from tests.helpers import submit_filling_gaps

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
                {"question": "M4", "choice": "D"},  # 5.625 → shown as 5.63
                {"question": "S06", "level": 3},
            ],
        },
    )
    empty = write(tmp_path, "empty.json", {"framework": "eu-dma", "answers": []})
    call_command("score_answers", str(good), str(empty))
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["file"] == str(good)
    assert first["framework"] == "miit-2024-manufacturing@2024"
    assert first["total"] == 9.63
    assert first["max_total"] == 100
    assert first["level"] == 0
    assert first["dimensions"][0] == {"key": "foundation", "score": 4, "max": 50}
    assert first["gates"][0]["gate"] == "score"
    assert first["gates"][0]["shortfall"] == 10.38
    assert first["next_level"]["target"] == 1
    assert first["completeness"] == round(3 / 31, 2)
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
    call_command("rescore", "--framework", "miit-2024-manufacturing", verbosity=0)
    result = AssessmentResult.objects.get(assessment=assessment)
    assert result.total == 10
    assert result.scoring_version >= 1
