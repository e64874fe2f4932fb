from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessment.framework_format import GUIDANCE, PLAN, content_hash, dump_document, stored_plan
from assessment.models import FrameworkVersion
from assessment.selectors import framework_version_document, framework_version_get


class Command(BaseCommand):
    help = "Write a framework version in the file format: SLUG (newest published) or SLUG@VERSION."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", metavar="SLUG[@VERSION]")
        parser.add_argument("-o", "--output", type=Path, help="Write to this file instead of stdout.")

    def handle(self, *args: Any, reference: str, output: Path | None, **options: Any) -> None:
        try:
            version = framework_version_get(reference)
        except FrameworkVersion.DoesNotExist:
            raise CommandError(f"No framework version {reference!r}.") from None
        document = framework_version_document(version)
        if content_hash(document) != version.content_hash:
            raise CommandError(f"{version.reference}: the stored rows no longer match the content hash.")
        document[GUIDANCE] = version.guidance or None  # outside the hash: kept on the version, not in its rows
        document[PLAN] = stored_plan(version.plan)
        text = dump_document(document)
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
            self.stderr.write(f"{version.reference} written to {output}")
