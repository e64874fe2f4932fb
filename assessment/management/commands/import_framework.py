from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessment.framework_format import FrameworkFileError, load_document
from assessment.services import ServiceError
from assessment.services.frameworks import framework_import


class Command(BaseCommand):
    help = "Validate framework files and import them (published, unless --draft). Idempotent by content hash."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--check", action="store_true", help="Validate only; write nothing.")
        parser.add_argument("--draft", action="store_true", help="Import as a draft that can be re-imported.")

    def handle(self, *args: Any, files: list[Path], check: bool, draft: bool, **options: Any) -> None:
        failed = 0
        for path in files:
            try:
                document, content_hash = load_document(path)
            except FileNotFoundError:
                self.stderr.write(f"{path}: no such file")
                failed += 1
                continue
            except FrameworkFileError as exc:
                self.stderr.write(f"{path}: {len(exc.problems)} problem(s)")
                for problem in exc.problems:
                    self.stderr.write(f"  {problem}")
                failed += 1
                continue
            reference = f"{document['slug']}@{document['version']}"
            if check:
                self.stdout.write(f"{path}: valid ({reference}, hash {content_hash[:12]})")
                continue
            try:
                outcome = framework_import(document=document, content_hash=content_hash, publish=not draft)
            except ServiceError as exc:
                self.stderr.write(f"{path}: {exc}")
                failed += 1
                continue
            state = "imported" if outcome.created else ("published" if outcome.published else "unchanged")
            if outcome.guidance_updated:
                state += ", guidance updated"
            if outcome.plan_updated:
                state += ", plan updated (paths to the next level are worked out again)"
            if options["verbosity"]:
                self.stdout.write(f"{path}: {reference} {state} ({outcome.version.status}, hash {content_hash[:12]})")
        if failed:
            raise CommandError(f"{failed} of {len(files)} file(s) failed.")
