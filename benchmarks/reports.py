"""Measure PDF reports: against Chromium, the pipeline against WeasyPrint alone, worker memory, throughput.

    .venv/bin/python benchmarks/reports.py [--rounds 5] [--timed 10] [--memory-reports 200] [--throughput-reports 60]
    .venv/bin/python benchmarks/reports.py --chromium-only [--save DIR]   # part 0 alone

Creates a PostgreSQL database of its own (BENCH_REPORTS_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/sme_bench_reports) with the bundled frameworks, a dozen submitted peer
organisations and one submitted MIIT assessment (random answers, comments on every answer) per report
to render, so that no request finds an unchanged report to return. Redis database 3 is the broker
(BENCH_REPORTS_REDIS_URL).

0. Side by side, for MIIT (a re-assessment: zh-Hans, en) and EU DMA (en, zh-Hans): our pipeline for one
   report (`report_html` + `html_to_pdf`, content read beforehand) against Chromium's print-to-PDF of the
   same HTML with the stylesheet inlined, the whole `chromium --headless --print-to-pdf` process timed,
   alternating, `--rounds` times each (medians). Goals: ours ≤ Chromium's per report; no report more than
   2× another of the same framework. `--save DIR` keeps both PDFs and the HTML of each case.
1. In this process, per language: the full pipeline for one report — `report_request` (the job row,
   enqueued) and `report_render` (claim, content from the database, template, charts, WeasyPrint,
   storage, ready, webhook event) — against WeasyPrint alone (`html_to_pdf`) on the same final HTML.
   The first report of each language is a warm-up and not counted. Goals: pipeline ÷ WeasyPrint ≤ 1.2,
   Chinese ÷ English ≤ 1.3 (pipeline times).
2. A real `celery worker -c 1` process on the `reports` queue, with the configured
   CELERY_WORKER_MAX_TASKS_PER_CHILD: the worker's resident memory (main process and pool child, from
   /proc) after 10 reports and after all of them, and the highest seen. Goal: after 200 ÷ after 10 ≤ 1.2.
3. Reports per minute with one and with two worker processes (`-c 1`, `-c 2`), from enqueueing a batch
   to its last report ready.
docs/performance.md records the figures. Drops the database at the end unless --keep.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.api import database_recreate, random_value  # noqa: E402  (after the path is set)

BENCH_URL = os.environ.get("BENCH_REPORTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sme_bench_reports")
REDIS_URL = os.environ.get("BENCH_REPORTS_REDIS_URL", "redis://127.0.0.1:6379/3")  # no test uses it; flushed
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FRAMEWORK = "miit-2024-manufacturing"
SEED = 20261121
COMMENT = "现场核查：设备台账、系统截图与投入凭证已归档。Evidence on file: asset register, screenshots, invoices."


def setup(media: Path) -> None:
    os.environ.update(DATABASE_URL=BENCH_URL, REDIS_URL=REDIS_URL, MEDIA_ROOT=str(media))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("import_framework", *map(str, sorted((ROOT / "frameworks").glob("*.yaml"))), verbosity=0)


def peer_organization(owner: Any, name: str, number: int) -> Any:
    """An organisation that counts among peers: a valid credit code (from `number`), created long ago."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone
    from stdnum.cn import uscc

    from assessment.models import Organization
    from assessment.services.organizations import organization_create

    body = f"91320500{number:08d}X"
    organization = organization_create(
        owner=owner, name=name, sector="C", size_band="small", province="32", uscc=body + uscc.calc_check_digit(body)
    )
    old = timezone.now() - timedelta(days=settings.PEER_MIN_AGE_DAYS + 1)
    Organization.objects.filter(pk=organization.pk).update(created_at=old)
    return organization


def submitted_assessments(count: int, *, peers: int = 12) -> tuple[Any, list[Any]]:
    """`count` submitted MIIT assessments of one organisation (and `peers` of others); returns (owner, them)."""
    from assessment.models import Assessment, User
    from assessment.selectors import framework_version_get
    from assessment.services.assessments import answers_upsert, assessment_create, assessment_submit
    from assessment.services.organizations import organization_create
    from scoring.selectors import framework_structure

    owner = User.objects.create_user("owner@bench.example")
    version = framework_version_get(FRAMEWORK)
    questions = list(framework_structure(version).questions.values())
    rng = random.Random(SEED)

    def one(organization: Any, comment: str) -> Assessment:
        assessment = assessment_create(organization=organization, framework_version=version, created_by=owner)
        items = [{"question": q.key, **random_value(q, rng), "comment": comment} for q in questions]
        answers_upsert(assessment=assessment, items=items, answered_by=owner)
        return assessment_submit(assessment=assessment, submitted_by=owner, pledge=True)

    for i in range(peers):
        one(peer_organization(owner, f"同行企业{i}", i), "")
    organization = organization_create(
        owner=owner, name="基准测试精密制造有限公司", sector="C", size_band="small", province="32"
    )
    return owner, [one(organization, COMMENT) for _ in range(count)]


def comparison_cases(owner: Any) -> list[tuple[str, str, Any]]:
    """(label, language, assessment): a MIIT re-assessment in both languages, an EU DMA assessment in both."""
    from assessment.selectors import framework_version_get
    from assessment.services.assessments import answers_upsert, assessment_create, assessment_submit
    from assessment.services.organizations import organization_create
    from scoring.selectors import framework_structure

    rng = random.Random(SEED + 1)

    def one(slug: str, organization: Any, previous: Any = None) -> Any:
        version = framework_version_get(slug)
        assessment = assessment_create(
            organization=organization, framework_version=version, created_by=owner, previous=previous
        )
        questions = framework_structure(version).questions.values()
        items = [{"question": q.key, **random_value(q, rng), "comment": COMMENT} for q in questions]
        answers_upsert(assessment=assessment, items=items, answered_by=owner)
        return assessment_submit(assessment=assessment, submitted_by=owner, pledge=True)

    firm = organization_create(
        owner=owner, name="苏州精工智造科技有限公司", sector="C", size_band="medium", province="32", employees=180
    )
    miit = one(FRAMEWORK, firm, previous=one(FRAMEWORK, firm))
    for i in range(8):  # EU DMA peers, for its peer charts (MIIT's are made by submitted_assessments)
        one("eu-dma", peer_organization(owner, f"Peer {i}", 100 + i))
    eu = one(
        "eu-dma",
        organization_create(owner=owner, name="Brightline Tooling Ltd", sector="C", size_band="small", province="32"),
    )
    return [("MIIT", "zh-Hans", miit), ("MIIT", "en", miit), ("EU DMA", "en", eu), ("EU DMA", "zh-Hans", eu)]


def chromium_pdf(html: str, workdir: Path, name: str) -> tuple[float, float, Path]:
    """Chromium's print-to-PDF of `html` with the stylesheet inlined: seconds for the whole process (wall, and
    CPU of it and every process it started), and the PDF."""
    from reports.rendering import ASSETS_DIR

    css = (ASSETS_DIR / "report.css").read_text(encoding="utf-8")
    source = workdir / f"{name}.html"
    source.write_text(html.replace('<link rel="stylesheet" href="report.css">', f"<style>{css}</style>"), "utf-8")
    output = workdir / f"{name}-chromium.pdf"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
    command += ["--no-pdf-header-footer", f"--user-data-dir={workdir / 'profile'}", f"--print-to-pdf={output}"]
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run([*command, source.as_uri()], check=True, capture_output=True, timeout=120)
    wall, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, output


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def side_by_side(owner: Any, rounds: int, save: Path | None) -> None:
    """Part 0: our pipeline against Chromium's print-to-PDF of the same HTML, per framework and language."""
    from reports.rendering import html_to_pdf, report_html
    from reports.selectors import report_content

    workdir = Path(tempfile.mkdtemp(prefix="sme-bench-chromium-"))
    rows = []
    for label, language, assessment in comparison_cases(owner):
        content = report_content(assessment, language)
        name = f"{label.lower().replace(' ', '-')}-{language}"
        ours, chromium, ours_cpu, chromium_cpu = [], [], [], []
        for i in range(rounds + 1):
            started, cpu = time.perf_counter(), time.process_time()
            html = report_html(content)
            pdf = html_to_pdf(html)
            took, cpu = time.perf_counter() - started, time.process_time() - cpu
            theirs, theirs_cpu, chromium_output = chromium_pdf(html, workdir, name)
            if i:  # the first round loads fonts and templates
                ours.append(took)
                chromium.append(theirs)
                ours_cpu.append(cpu)
                chromium_cpu.append(theirs_cpu)
        (workdir / f"{name}.pdf").write_bytes(pdf)
        rows.append(
            (
                label,
                language,
                statistics.median(ours),
                statistics.median(chromium),
                statistics.median(ours_cpu),
                statistics.median(chromium_cpu),
                pdf_pages(workdir / f"{name}.pdf"),
                pdf_pages(chromium_output),
            )
        )
        if save:
            save.mkdir(parents=True, exist_ok=True)
            for suffix in (".pdf", "-chromium.pdf", ".html"):
                (save / f"{name}{suffix}").write_bytes((workdir / f"{name}{suffix}").read_bytes())
    print(
        "ours (report_html + html_to_pdf, in-process, warm) against Chromium's print-to-PDF (the whole process), "
        f"medians of {rounds}:"
    )
    for label, language, ours_s, theirs_s, ours_cpu, theirs_cpu, pages, theirs_pages in rows:
        verdict = "met" if ours_s <= theirs_s else "NOT met"
        print(
            f"  {label:6} {language:7}: ours {ours_s * 1000:5.0f} ms (CPU {ours_cpu * 1000:4.0f} ms, {pages} pages), "
            f"Chromium {theirs_s * 1000:5.0f} ms (CPU {theirs_cpu * 1000:4.0f} ms, {theirs_pages} pages): "
            f"{ours_s / theirs_s:.2f}× (goal ≤ 1: {verdict})"
        )
    for label in dict.fromkeys(row[0] for row in rows):
        times = [row[2] for row in rows if row[0] == label]
        spread = max(times) / min(times)
        print(f"  {label}: slowest ÷ fastest report {spread:.2f}× (goal ≤ 2×: {'met' if spread <= 2 else 'NOT met'})")


def in_process(assessments: list[Any], owner: Any, timed: int) -> dict[str, dict[str, list[float]]]:
    from reports.rendering import html_to_pdf, report_html
    from reports.selectors import report_content
    from reports.services import report_render, report_request

    figures: dict[str, dict[str, list[float]]] = {}
    for language in ("en", "zh-Hans"):
        pipeline, weasyprint = [], []
        for i in range(timed + 1):
            assessment = assessments.pop()
            started = time.perf_counter()
            report, _ = report_request(assessment=assessment, language=language, requested_by=owner)
            rendered = report_render(report_id=report.pk)
            piped = time.perf_counter() - started
            if rendered is None or rendered.status != "ready":
                raise RuntimeError(f"report {report.pk} did not render: {rendered and rendered.error}")
            html = report_html(report_content(assessment, language))
            started = time.perf_counter()
            html_to_pdf(html)
            alone = time.perf_counter() - started
            if i:  # the first one loads fonts and templates
                pipeline.append(piped)
                weasyprint.append(alone)
        figures[language] = {"pipeline": pipeline, "weasyprint": weasyprint}
    return figures


def tree_rss(pid: int) -> tuple[int, int]:
    """Resident memory in KiB of a process and of its largest child (Linux /proc)."""

    def rss(p: int) -> int:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except FileNotFoundError:
            pass
        return 0

    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    child_rss = [rss(c) for c in children]
    return rss(pid) + sum(child_rss), max(child_rss, default=0)


def worker(concurrency: int, media: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": BENCH_URL, "REDIS_URL": REDIS_URL, "MEDIA_ROOT": str(media)}
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "reports", "-c", str(concurrency)]
    command += ["-n", f"bench-{concurrency}@%h", "--loglevel", "WARNING", "--without-gossip", "--without-mingle"]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(4)  # started; it takes queued messages whenever it is ready
    return process


def batch(
    assessments: list[Any], owner: Any, count: int, media: Path, concurrency: int, *, sample_at: int = 0
) -> dict[str, Any]:
    """Enqueue `count` reports for a fresh worker; time them and sample the worker's memory."""
    from reports.models import Report
    from reports.services import report_request

    process = worker(concurrency, media)
    try:
        started = time.perf_counter()
        ids = [
            report_request(assessment=assessments.pop(), language="zh-Hans", requested_by=owner)[0].pk
            for _ in range(count)
        ]
        done = 0
        early: tuple[int, int] | None = None
        peak = (0, 0)
        while done < count:
            time.sleep(0.2)
            done = Report.objects.filter(pk__in=ids, status__in=("ready", "failed")).count()
            now = tree_rss(process.pid)
            peak = (max(peak[0], now[0]), max(peak[1], now[1]))
            if sample_at and early is None and done >= sample_at:
                early = now
        elapsed = time.perf_counter() - started
        failures = Report.objects.filter(pk__in=ids, status="failed")
        failed = failures.count()
        if failed:
            print(f"  {failed} failed; the first: {failures.values_list('error', flat=True).first()}")
        time.sleep(1)
        return {"elapsed": elapsed, "failed": failed, "early": early, "late": tree_rss(process.pid), "peak": peak}
    finally:
        process.terminate()
        process.wait(timeout=60)


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def chromium_version() -> str:
    return subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds per case against Chromium")
    parser.add_argument("--chromium-only", action="store_true", help="only the comparison with Chromium")
    parser.add_argument("--save", type=Path, help="keep the compared PDFs and HTML in this directory")
    parser.add_argument("--timed", type=int, default=10, help="reports per language timed in-process")
    parser.add_argument("--memory-reports", type=int, default=200, help="reports for the memory run (-c 1)")
    parser.add_argument("--throughput-reports", type=int, default=60, help="reports for the -c 2 run")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    import redis

    database_recreate(BENCH_URL)
    redis.Redis.from_url(REDIS_URL).flushdb()
    media = Path(tempfile.mkdtemp(prefix="sme-bench-reports-"))
    try:
        setup(media)
        from django.conf import settings

        needed = 0 if args.chromium_only else 2 * (args.timed + 1) + args.memory_reports + args.throughput_reports
        started = time.perf_counter()
        owner, assessments = submitted_assessments(needed)
        print(f"  set-up: {needed} submitted assessments in {time.perf_counter() - started:.1f} s")
        print(
            f"machine: {cpu_model()}, {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, WeasyPrint {version('weasyprint')}, {chromium_version()}, Celery "
            f"{version('celery')}; load average before: {os.getloadavg()[0]:.2f}"
        )
        side_by_side(owner, args.rounds, args.save)
        if args.chromium_only:
            return

        figures = in_process(assessments, owner, args.timed)
        medians = {}
        for language, times in figures.items():
            pipeline, alone = statistics.median(times["pipeline"]), statistics.median(times["weasyprint"])
            medians[language] = pipeline
            print(
                f"{language}: pipeline {pipeline * 1000:.0f} ms, WeasyPrint alone {alone * 1000:.0f} ms (medians of "
                f"{len(times['pipeline'])}): {pipeline / alone:.2f}× (goal ≤ 1.2×: "
                f"{'met' if pipeline / alone <= 1.2 else 'NOT met'})"
            )
        ratio = medians["zh-Hans"] / medians["en"]
        print(f"Chinese ÷ English (pipeline): {ratio:.2f}× (goal ≤ 1.3×: {'met' if ratio <= 1.3 else 'NOT met'})")

        one = batch(assessments, owner, args.memory_reports, media, 1, sample_at=10)
        early, late, peak = one["early"][0], one["late"][0], one["peak"][0]
        growth = late / early
        print(
            f"worker -c 1, max tasks per child {settings.CELERY_WORKER_MAX_TASKS_PER_CHILD}: {args.memory_reports} "
            f"reports in {one['elapsed']:.0f} s = {args.memory_reports / one['elapsed'] * 60:.1f} per minute "
            f"({one['failed']} failed)"
        )
        print(
            f"  worker RSS (main + child) after 10: {early / 1024:.0f} MiB, after {args.memory_reports}: "
            f"{late / 1024:.0f} MiB, highest seen {peak / 1024:.0f} MiB (child alone: {one['early'][1] / 1024:.0f}, "
            f"{one['late'][1] / 1024:.0f}, {one['peak'][1] / 1024:.0f} MiB): after {args.memory_reports} ÷ after 10 "
            f"{growth:.2f}× (goal ≤ 1.2×: {'met' if growth <= 1.2 else 'NOT met'})"
        )
        two = batch(assessments, owner, args.throughput_reports, media, 2)
        print(
            f"worker -c 2: {args.throughput_reports} reports in {two['elapsed']:.0f} s = "
            f"{args.throughput_reports / two['elapsed'] * 60:.1f} per minute ({two['failed']} failed)"
        )
        print(f"load average after (1 min): {os.getloadavg()[0]:.2f}")
    finally:
        from django.db import connections

        connections.close_all()
        redis.Redis.from_url(REDIS_URL).flushdb()
        if not args.keep:
            database_recreate(BENCH_URL, drop_only=True)


if __name__ == "__main__":
    main()
