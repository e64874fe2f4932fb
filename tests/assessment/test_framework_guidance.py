"""The framework file's `guidance` (suggested documents): validated, imported beside the content, outside its hash."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from assessment.framework_format import FrameworkFileError, content_hash, load_document, read_yaml, validate
from assessment.models import FrameworkVersion
from assessment.selectors import framework_version_get
from assessment.services.frameworks import framework_import

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini-framework.yaml"
MIIT = ROOT / "frameworks" / "miit-2024-manufacturing.yaml"
GUIDANCE = """
guidance:
  note: {zh-Hans: 第三方指引，非官方, en: "Third-party guidance, not official"}
  questions:
    Q1:
      documents:
        - {zh-Hans: 网络拓扑图, en: Network diagram}
    S1:
      documents:
        - {zh-Hans: 系统截图, en: System screenshots}
      levels:
        - level: 2
          documents: [{zh-Hans: 设计软件许可, en: Design software licence}]
        - level: 1
          documents: [{zh-Hans: 图纸样例, en: Sample drawings}]
"""


def with_guidance(tmp_path: Path, guidance: str = GUIDANCE, name: str = "mini.yaml") -> Path:
    path = tmp_path / name
    path.write_text(MINI.read_text(encoding="utf-8") + guidance, encoding="utf-8")
    return path


def test_guidance_is_normalised_with_levels_in_order(tmp_path: Path) -> None:
    document, _hash = load_document(with_guidance(tmp_path))
    s1 = document["guidance"]["questions"]["S1"]
    assert [item["level"] for item in s1["levels"]] == [1, 2]
    assert document["guidance"]["questions"]["Q1"] == {
        "documents": [{"zh-Hans": "网络拓扑图", "en": "Network diagram"}],
        "levels": [],
    }


def test_guidance_leaves_the_content_hash_as_it_was(tmp_path: Path) -> None:
    _plain, plain_hash = load_document(MINI)
    _guided, guided_hash = load_document(with_guidance(tmp_path))
    assert guided_hash == plain_hash


def test_the_miit_file_has_guidance_outside_its_hash() -> None:
    raw = read_yaml(MIIT)
    document, problems = validate(raw)
    assert problems == []
    guidance = document["guidance"]
    assert "not official" in guidance["note"]["en"]
    assert "非官方" in guidance["note"]["zh-Hans"]
    keys = {"F1", "F2", "F3", "F4", "F5", "F6", "F7", "M1", "M2", "M3", "M4", "R1", "R2", "R3", "R4"}
    keys |= {f"S{n:02d}" for n in range(1, 17)}
    assert set(guidance["questions"]) == keys
    for n in range(1, 17):
        assert [item["level"] for item in guidance["questions"][f"S{n:02d}"]["levels"]] == [1, 2, 3, 4]
    del raw["guidance"]
    without, _problems = validate(raw)
    assert content_hash(without) == content_hash(document)


def test_importing_again_updates_only_the_guidance_of_a_published_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("import_framework", str(MINI))
    version = framework_version_get("mini@1")
    assert version.guidance == {}
    call_command("import_framework", str(with_guidance(tmp_path)))
    assert "mini@1 unchanged, guidance updated (published" in capsys.readouterr().out
    updated = framework_version_get("mini@1")
    assert (updated.pk, updated.content_hash, updated.status) == (version.pk, version.content_hash, "published")
    assert updated.guidance["questions"]["S1"]["levels"][1]["documents"] == [
        {"zh-Hans": "设计软件许可", "en": "Design software licence"}
    ]
    amended = with_guidance(tmp_path, GUIDANCE.replace("网络拓扑图", "网络规划"), "amended.yaml")
    document, file_hash = load_document(amended)
    outcome = framework_import(document=document, content_hash=file_hash)
    assert outcome.guidance_updated
    assert not outcome.created
    assert (
        FrameworkVersion.objects.get(pk=version.pk).guidance["questions"]["Q1"]["documents"][0]["zh-Hans"] == "网络规划"
    )
    again = framework_import(document=document, content_hash=file_hash)
    assert not again.guidance_updated


def test_the_export_carries_the_guidance(tmp_path: Path) -> None:
    source = with_guidance(tmp_path)
    call_command("import_framework", str(source), verbosity=0)
    exported = tmp_path / "exported.yaml"
    call_command("export_framework", "mini@1", output=exported)
    assert load_document(exported) == load_document(source)


@pytest.mark.parametrize(
    ("guidance", "problem"),
    [
        (GUIDANCE.replace("    Q1:", "    Q9:"), 'guidance.questions.Q9: no question "Q9"'),
        (
            GUIDANCE.replace("    S1:\n      documents:", "    Q2:\n      documents:"),
            "guidance.questions.Q2.levels: levels apply only to scenario questions",
        ),
        (GUIDANCE.replace("level: 1", "level: 2"), "guidance.questions.S1.levels: duplicate level 2"),
        (
            GUIDANCE.replace("  note:", "  remark:"),
            "guidance: ",
        ),
        (GUIDANCE.replace(", en: Network diagram", ""), "guidance.questions.Q1.documents[0]: "),
    ],
)
def test_wrong_guidance_is_refused_with_its_path(tmp_path: Path, guidance: str, problem: str) -> None:
    with pytest.raises(FrameworkFileError) as exc:
        load_document(with_guidance(tmp_path, guidance))
    assert any(p.startswith(problem) for p in exc.value.problems), exc.value.problems
