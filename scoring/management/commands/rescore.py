from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from assessment.models import Assessment
from scoring.services import results_rescore

CHUNK = 500


class Command(BaseCommand):
    help = "Recompute stored results in bulk (after a SCORING_VERSION change), frozen ones included."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--framework", metavar="SLUG", help="Only assessments of this framework.")

    def handle(self, *args: Any, framework: str | None, **options: Any) -> None:
        assessments = Assessment.objects.order_by("pk")
        if framework:
            assessments = assessments.filter(framework_version__framework__slug=framework)
        ids = list(assessments.values_list("pk", flat=True))
        with tqdm(total=len(ids), file=self.stderr, unit="assessment", disable=options["verbosity"] == 0) as bar:
            for start in range(0, len(ids), CHUNK):
                bar.update(results_rescore(assessment_ids=ids[start : start + CHUNK]))
        self.stdout.write(f"Rescored {len(ids)} assessment(s).")
