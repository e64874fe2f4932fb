from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from assessment.models import Assessment
from scoring.services import assessment_score


class Command(BaseCommand):
    help = "Recompute stored results in bulk (after a SCORING_VERSION change), frozen ones included."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--framework", metavar="SLUG", help="Only assessments of this framework.")

    def handle(self, *args: Any, framework: str | None, **options: Any) -> None:
        assessments = Assessment.objects.select_related("organization", "framework_version").order_by("pk")
        if framework:
            assessments = assessments.filter(framework_version__framework__slug=framework)
        total = assessments.count()
        for assessment in tqdm(
            assessments.iterator(chunk_size=500),
            total=total,
            file=self.stderr,
            unit="assessment",
            disable=options["verbosity"] == 0,
        ):
            assessment_score(assessment=assessment, force=True)
        self.stdout.write(f"Rescored {total} assessment(s).")
