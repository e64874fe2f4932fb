from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessment import exact_json
from assessment.models import FrameworkVersion
from assessment.selectors import framework_version_get
from scoring.engine import AnswerSetError, parse_answers, path_to_level, score
from scoring.engine.serialize import card_as_data, path_as_data
from scoring.selectors import framework_structure


class Command(BaseCommand):
    help = (
        "Score answer files (docs/answers-format.md) offline; print one JSON object per file, one per line, "
        "with exact (unrounded) figures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")

    def handle(self, *args: Any, files: list[Path], **options: Any) -> None:
        failed = 0
        for path in files:
            try:
                self.stdout.write(exact_json.dumps(self.score_file(path), ensure_ascii=False))
            except (OSError, ValueError) as exc:
                failed += 1
                problems: list[object] = list(exc.errors) if isinstance(exc, AnswerSetError) else [exc]
                for problem in problems:
                    self.stderr.write(f"{path}: {problem}")
        if failed:
            raise CommandError(f"{failed} of {len(files)} file(s) could not be scored.")

    def score_file(self, path: Path) -> dict[str, Any]:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc}") from None
        if not isinstance(document, dict) or not isinstance(document.get("framework"), str):
            raise ValueError('the file must be an object with "framework" (a slug or slug@version) and "answers"')
        try:
            version = framework_version_get(document["framework"])
        except FrameworkVersion.DoesNotExist:
            raise ValueError(f"no framework {document['framework']!r}") from None
        framework = framework_structure(version)
        answers = parse_answers(framework, document.get("answers"))
        card = card_as_data(score(framework, answers))
        return {
            "file": str(path),
            "framework": version.reference,
            "total": card["total"],
            "max_total": card["max_total"],
            "level": card["level"],
            "dimensions": [{"key": d["key"], "score": d["score"], "max": d["max"]} for d in card["dimensions"]],
            "gates": card["gates"],
            "next_level": path_as_data(framework, path_to_level(framework, answers)),
            "completeness": card["completeness"],
        }
