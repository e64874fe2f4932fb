from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from scoring.models import RescoreChunk, RescoreRun
from scoring.selectors import rescore_run_progress, rescore_run_rate
from scoring.services import rescore_chunk_run, rescore_chunks_enqueue, rescore_run_start

CHUNK = 500
POLL_SECONDS = 1.0
QUIET_SECONDS = 120


class Command(BaseCommand):
    help = (
        "Recompute stored results in bulk (after a SCORING_VERSION change), frozen ones included: in chunks run by "
        "the Celery workers (any number), or here with --inline. Interrupted, it resumes the unfinished run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--framework", metavar="SLUG", default="", help="Only assessments of this framework.")
        parser.add_argument("--inline", action="store_true", help="Rescore in this process, without workers.")
        parser.add_argument("--chunk-size", type=int, default=CHUNK, help="Assessments per chunk (a new run only).")
        parser.add_argument(
            "--with-path",
            action="store_true",
            help=(
                "Compute each path to the next level and the explanations now (a new run only); by default they "
                "are worked out on first read."
            ),
        )

    def handle(
        self, *args: Any, framework: str, inline: bool, chunk_size: int, with_path: bool, **options: Any
    ) -> None:
        run = rescore_run_start(framework=framework, with_path=with_path, chunk_size=chunk_size)
        done, total = rescore_run_progress(run)
        if done:
            self.stderr.write(f"Resuming rescore run #{run.pk}: {done} of {total} assessment(s) already done.")
        with tqdm(
            total=total, initial=done, file=self.stderr, unit="assessment", disable=options["verbosity"] == 0
        ) as bar:
            if inline:
                self._inline(run, bar)
            else:
                self._on_workers(run, bar)
        rate = rescore_run_rate(run)
        pace = f": {rate:.0f} a second, first chunk's start to last one's end" if rate else ""
        self.stdout.write(f"Rescored {total} assessment(s) (run #{run.pk}){pace}.")

    def _inline(self, run: RescoreRun, bar: tqdm[Any]) -> None:
        while True:
            chunk = run.chunks.exclude(status=RescoreChunk.Status.DONE).order_by("position").first()
            if chunk is None:
                return
            if not rescore_chunk_run(chunk_id=chunk.pk):
                time.sleep(POLL_SECONDS)  # another process holds it; its lease tells when it may be taken
            bar.update(rescore_run_progress(run)[0] - bar.n)

    def _on_workers(self, run: RescoreRun, bar: tqdm[Any]) -> None:
        rescore_chunks_enqueue(run_id=run.pk)
        moved, warned = time.monotonic(), False
        while True:
            run.refresh_from_db(fields=["status"])
            done = rescore_run_progress(run)[0]
            if done > bar.n:
                bar.update(done - bar.n)
                moved = time.monotonic()
            if run.status == RescoreRun.Status.DONE:
                return
            if not warned and time.monotonic() - moved > QUIET_SECONDS:
                self.stderr.write(
                    f"No chunk finished for {QUIET_SECONDS} s: is a Celery worker consuming the 'celery' queue? "
                    "(Interrupt and use --inline to rescore here; the run resumes where it is.)"
                )
                warned = True
            time.sleep(POLL_SECONDS)
            rescore_chunks_enqueue(run_id=run.pk)  # chunks whose worker died, or whose message was lost
