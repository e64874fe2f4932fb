"""The framework file's `plan` (effort classes, cost bands, caveats): validated, imported beside the content,
outside its hash, amended by importing again (which has the stored paths worked out again), exported."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from assessment.framework_format import FrameworkFileError, load_document
from assessment.selectors import framework_version_get
from assessment.services.frameworks import framework_import

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini-framework.yaml"
CLASS = (
    "{name: {zh-Hans: 类, en: Class}, weeks: [2, 8], "
    "cost: {micro: [0.2, 1], small: [0.5, 2], medium: [1, 4], large: [2, 8]}}"
)
PLAN = f"""
plan:
  note: {{zh-Hans: 我们的估算，不是官方数据, en: "Our estimates, not official figures"}}
  unit: {{zh-Hans: 万元, en: "CNY 10k"}}
  classes:
    policy: {CLASS}
    training: {CLASS}
    tool: {CLASS}
    integration: {CLASS}
    equipment: {CLASS}
  steps:
    Q1: {{B: equipment, C: integration}}
    Q2: policy
    N1: tool
    Y1: policy
    S1: {{"1": tool, "2": tool, "3": integration, "4": integration}}
    S2: tool
  caveats:
    - question: Q1
      rungs: [C]
      sizes: [micro]
      text: {{zh-Hans: 微型企业不建议, en: "Not for a micro firm"}}
"""


def with_plan(tmp_path: Path, plan: str = PLAN, name: str = "mini.yaml") -> Path:
    path = tmp_path / name
    path.write_text(MINI.read_text(encoding="utf-8") + plan, encoding="utf-8")
    return path


def test_the_plan_is_normalised_and_leaves_the_content_hash_as_it_was(tmp_path: Path) -> None:
    document, planned_hash = load_document(with_plan(tmp_path))
    _plain, plain_hash = load_document(MINI)
    assert planned_hash == plain_hash
    plan = document["plan"]
    assert plan["steps"]["S1"] == {"1": "tool", "2": "tool", "3": "integration", "4": "integration"}
    assert plan["steps"]["Q2"] == "policy"
    assert str(plan["classes"]["tool"]["cost"]["small"][1]) == "2"
    assert plan["caveats"][0]["rungs"] == ["C"]


def test_a_framework_without_a_plan_loads_with_none() -> None:
    document, _ = load_document(MINI)
    assert document["plan"] is None


def test_importing_again_amends_the_plan_of_a_published_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("import_framework", str(MINI))
    version = framework_version_get("mini@1")
    assert version.plan == {}
    call_command("import_framework", str(with_plan(tmp_path)))
    assert "mini@1 unchanged, plan updated" in capsys.readouterr().out
    updated = framework_version_get("mini@1")
    assert (updated.pk, updated.content_hash, updated.status) == (version.pk, version.content_hash, "published")
    assert updated.plan["classes"]["tool"]["cost"]["small"] == ["0.5", "2"]
    document, file_hash = load_document(with_plan(tmp_path, PLAN.replace("Q2: policy", "Q2: training"), "b.yaml"))
    outcome = framework_import(document=document, content_hash=file_hash)
    assert outcome.plan_updated
    assert not outcome.guidance_updated
    assert framework_version_get("mini@1").plan["steps"]["Q2"] == "training"
    assert not framework_import(document=document, content_hash=file_hash).plan_updated


def test_the_export_carries_the_plan(tmp_path: Path) -> None:
    source = with_plan(tmp_path)
    call_command("import_framework", str(source), verbosity=0)
    exported = tmp_path / "exported.yaml"
    call_command("export_framework", "mini@1", output=exported)
    assert load_document(exported) == load_document(source)


@pytest.mark.parametrize(
    ("plan", "problem"),
    [
        (PLAN.replace("    S2: tool\n", ""), "plan.steps: no effort class for question S2"),
        (
            PLAN.replace("Q1: {B: equipment, C: integration}", "Q1: {B: equipment}"),
            'plan.steps.Q1: no effort class for rung "C"',
        ),
        (PLAN.replace("C: integration}", "C: integration, Z: tool}"), 'plan.steps.Q1: question Q1 has no rung "Z"'),
        (PLAN.replace("    Y1: policy\n", "    Y1: policy\n    T1: policy\n"), "plan.steps.T1: question T1 (text)"),
        (PLAN.replace("N1: tool", "N1: {A: tool}"), "plan.steps.N1: give N1 (banded_number) one class"),
        (PLAN.replace("Q2: policy", "Q2: consulting"), "plan.steps.Q2: "),
        (PLAN.replace("rungs: [C]", "rungs: [X]"), 'plan.caveats[0].rungs: question Q1 has no rung "X"'),
        (PLAN.replace("weeks: [2, 8]", "weeks: [8, 2]", 1), "plan.classes.policy.weeks: min is greater than max"),
        (PLAN.replace("micro: [0.2, 1]", "micro: [3, 1]", 1), "plan.classes.policy.cost.micro: low is greater"),
        (PLAN.replace("  unit:", "  units:"), "plan: "),
    ],
)
def test_a_wrong_plan_is_refused_with_its_path(tmp_path: Path, plan: str, problem: str) -> None:
    with pytest.raises(FrameworkFileError) as exc:
        load_document(with_plan(tmp_path, plan))
    assert any(p.startswith(problem) for p in exc.value.problems), exc.value.problems
