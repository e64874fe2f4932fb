from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assessment.framework_format import content_hash, load_document
from assessment.models import FrameworkVersion, Option, Question
from assessment.selectors import framework_version_document, framework_version_get

pytestmark = pytest.mark.django_db
FRAMEWORKS = Path(__file__).resolve().parents[2] / "frameworks"
MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini-framework.yaml"


@pytest.mark.parametrize(
    "name", ["miit-2024-manufacturing.yaml", "eu-dma.yaml", "../tests/fixtures/mini-framework.yaml"]
)
def test_import_export_import_keeps_the_content_hash(name: str, tmp_path: Path) -> None:
    source = FRAMEWORKS / name
    document, file_hash = load_document(source)
    call_command("import_framework", str(source), verbosity=0)
    version = framework_version_get(f"{document['slug']}@{document['version']}")
    assert version.content_hash == file_hash

    exported = tmp_path / "exported.yaml"
    call_command("export_framework", version.reference, output=exported)
    re_read, re_hash = load_document(exported)
    assert re_hash == file_hash
    assert re_read == document

    # Importing the export again is recognised as the same content.
    call_command("import_framework", str(exported), verbosity=0)
    assert FrameworkVersion.objects.filter(framework__slug=document["slug"]).count() == 1


def test_the_database_rows_rebuild_the_document_exactly() -> None:
    document, file_hash = load_document(MINI)
    call_command("import_framework", str(MINI), verbosity=0)
    rebuilt = framework_version_document(framework_version_get("mini@1"))
    assert rebuilt == document
    assert content_hash(rebuilt) == file_hash


def test_importing_the_same_file_twice_creates_nothing_new(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("import_framework", str(MINI))
    call_command("import_framework", str(MINI))
    assert "mini@1 unchanged (published" in capsys.readouterr().out
    assert Question.objects.filter(version__framework__slug="mini").count() == 8


def test_a_changed_file_under_a_published_label_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("import_framework", str(MINI), verbosity=0)
    changed = tmp_path / "changed.yaml"
    changed.write_text(MINI.read_text(encoding="utf-8").replace("工控网络", "工业控制网络"), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_framework", str(changed))
    assert "a changed file needs a new version label" in capsys.readouterr().err
    assert Option.objects.get(version__framework__slug="mini", question__key="Q1", key="B").text_zh_hans == "工控网络"


def test_a_changed_file_with_a_new_label_becomes_a_second_version(tmp_path: Path) -> None:
    call_command("import_framework", str(MINI), verbosity=0)
    changed = tmp_path / "v2.yaml"
    changed.write_text(
        MINI.read_text(encoding="utf-8").replace('version: "1"', 'version: "2"').replace("工控网络", "工业控制网络"),
        encoding="utf-8",
    )
    call_command("import_framework", str(changed), verbosity=0)
    assert framework_version_get("mini").label == "2"
    assert framework_version_get("mini@1").status == FrameworkVersion.Status.PUBLISHED


def test_a_draft_can_be_reimported_with_changes_then_published(tmp_path: Path) -> None:
    call_command("import_framework", "--draft", str(MINI), verbosity=0)
    changed = tmp_path / "changed.yaml"
    changed.write_text(MINI.read_text(encoding="utf-8").replace("工控网络", "工业控制网络"), encoding="utf-8")
    call_command("import_framework", "--draft", str(changed), verbosity=0)
    draft = framework_version_get("mini@1")
    assert draft.status == FrameworkVersion.Status.DRAFT
    assert Option.objects.get(version=draft, question__key="Q1", key="B").text_zh_hans == "工业控制网络"
    with pytest.raises(FrameworkVersion.DoesNotExist):
        framework_version_get("mini")  # no published version yet

    call_command("import_framework", str(changed), verbosity=0)
    assert framework_version_get("mini").status == FrameworkVersion.Status.PUBLISHED


def test_export_to_stdout_writes_the_file_format(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("import_framework", str(MINI), verbosity=0)
    call_command("export_framework", "mini")
    out = capsys.readouterr().out
    assert out.startswith("# mini@1: exported; content hash ")
    assert "slug: mini" in out
    assert "band: '[0, 50]'" in out


def test_exporting_an_unknown_framework_fails_clearly() -> None:
    with pytest.raises(CommandError, match="No framework version 'nope@9'"):
        call_command("export_framework", "nope@9")
