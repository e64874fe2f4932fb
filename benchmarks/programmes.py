"""Measure cohort analytics and exports for a programme of 50,000 SMEs.

    .venv/bin/python benchmarks/programmes.py [--smes 50000] [--rounds 200] [--keep]

Uses its own PostgreSQL database (BENCH_PROGRAMMES_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/sme_bench_programmes), created and migrated on first run, and the Redis cache
at BENCH_REDIS_URL (default redis://127.0.0.1:6379/12). The set-up scores 300 random MIIT answer sets with the
engine and gives each SME one of them (T1), half of them an earlier one (T0) and a tenth a verification, written
with bulk inserts: organisations, enrolments, assessments with their results (for the history by month),
verifications and the CohortMember rows the analytics read. The data is kept for later runs (--fresh rebuilds).

Prints the machine, the analytics p95 warm (cached; the service and the API view in-process) and cold (computed,
for four filter cases), and the time to export every row as CSV and as XLSX through the job path (file written
through Django's storage, one AccessRecord per SME). docs/cohort-analytics.md records the figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_PROGRAMMES_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sme_bench_programmes")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
SEED = 20261207
PROGRAMME_NAME = "benchmark programme"


def ensure_database(url: str, fresh: bool) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}"')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django() -> None:
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ["REDIS_URL"] = REDIS
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="bench-cohort-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("import_framework", *map(str, sorted((ROOT / "frameworks").glob("*.yaml"))), verbosity=0)


def machine() -> str:
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) // 1_048_576} GB"
    except OSError:
        pass
    one, five, fifteen = os.getloadavg()
    load = f", load average {one:.2f} {five:.2f} {fifteen:.2f}"
    return f"{platform.machine()}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}{load}"


def random_items(framework: Any, rng: random.Random) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for question in framework.questions.values():
        if question.kind == "single_choice":
            items.append({"question": question.key, "choice": rng.choice(question.options).key})
        elif question.kind == "multiple_choice":
            keys = [o.key for o in question.options if not o.exclusive]
            items.append({"question": question.key, "choices": rng.sample(keys, rng.randint(0, len(keys)))})
        elif question.kind == "scenario":
            items.append({"question": question.key, "level": rng.randint(0, 4)})
    return items


def scored_sets(version: Any, count: int) -> list[dict[str, Any]]:
    """`count` random answer sets as the cohort row holds them (the engine's card and path)."""
    from programmes.cohort import card_dimensions, held_back_by, path_steps
    from scoring.engine import parse_answers, path_to_level, score
    from scoring.engine.serialize import card_as_data, path_as_data
    from scoring.selectors import framework_structure

    framework = framework_structure(version)
    rng = random.Random(SEED)
    sets = []
    for _ in range(count):
        answers = parse_answers(framework, random_items(framework, rng))
        card = score(framework, answers)
        data = card_as_data(card)
        path = path_as_data(framework, path_to_level(framework, answers)) if rng.random() < 0.5 else None
        sets.append(
            {
                "level": card.level,
                "total": card.total,
                "dimensions": card_dimensions(card),
                "scenarios": dict(card.scenario_levels),
                "held_back_by": held_back_by(data),
                "path_steps": path_steps(path),
            }
        )
    return sets


def build(count: int) -> Any:
    """The operator, its programme and `count` enrolled SMEs with their figures; the programme."""
    from django.db import transaction
    from django.utils import timezone

    from assessment.models import Assessment, FrameworkVersion, Organization, User
    from programmes.models import CohortMember, Consent, Enrolment, Programme, ProgrammeGroup
    from review.models import Verification
    from scoring.models import AssessmentResult

    existing = Programme.objects.filter(name=PROGRAMME_NAME).first()
    if existing is not None and CohortMember.objects.filter(programme=existing).count() == count:
        return existing
    miit = FrameworkVersion.objects.get(framework__slug="miit-2024-manufacturing", label="2024")
    started = time.perf_counter()
    sets = scored_sets(miit, 300)
    rng = random.Random(SEED + 1)
    today = timezone.localdate()
    baseline = today - timedelta(days=180)
    with transaction.atomic():
        user = User.objects.create_user(f"bench-{time.time_ns()}@bench.example", "pw-bench-12345")
        operator = Organization.objects.create(
            name="基准工信局", kind=Organization.Kind.BUREAU, sector="S", size_band="small", province="64"
        )
        programme = Programme.objects.create(
            operator=operator,
            name=PROGRAMME_NAME,
            starts_on=today - timedelta(days=365),
            ends_on=today + timedelta(days=365),
            baseline_date=baseline,
            target_level=2,
            target_share=60,
            target_date=today + timedelta(days=300),
        )
        programme.framework_versions.add(miit)
        groups = [ProgrammeGroup.objects.create(programme=programme, name=f"组{i}") for i in range(5)]
        sectors, sizes, provinces = ["C", "C", "C", "F", "I"], ["micro", "small", "small", "medium"], ["64", "32", "33"]
        organizations = Organization.objects.bulk_create(
            [
                Organization(
                    name=f"企业{i:05d}",
                    sector=rng.choice(sectors),
                    size_band=rng.choice(sizes),
                    province=rng.choice(provinces),
                    city=rng.choice(["银川市", "苏州市", "杭州市", ""]),
                )
                for i in range(count)
            ],
            batch_size=5000,
        )
        enrolments = Enrolment.objects.bulk_create(
            [
                Enrolment(
                    programme=programme,
                    organization=o,
                    group=rng.choice(groups),
                    consent=Consent.RESULTS,
                    consented_by=user,
                )
                for o in organizations
            ],
            batch_size=5000,
        )

        def moment(day: date) -> datetime:
            return timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=10)

        plans = []  # (organization, T0 set or None, T1 set, T1 day, T0 day, verified)
        for o in organizations:
            t1 = rng.choice(sets)
            t0 = rng.choice(sets) if rng.random() < 0.5 else None
            plans.append(
                (
                    o,
                    t0,
                    t1,
                    baseline + timedelta(days=rng.randint(0, 170)),
                    baseline - timedelta(days=rng.randint(1, 170)),
                    rng.random() < 0.1,
                )
            )
        assessments = []
        for o, t0, _t1, t1_day, t0_day, _verified in plans:
            if t0 is not None:
                assessments.append(
                    Assessment(
                        organization=o,
                        framework_version=miit,
                        status="submitted",
                        created_by=user,
                        submitted_at=moment(t0_day),
                        pledged_at=moment(t0_day),
                    )
                )
            assessments.append(
                Assessment(
                    organization=o,
                    framework_version=miit,
                    status="finalized" if _verified else "submitted",
                    created_by=user,
                    submitted_at=moment(t1_day),
                    pledged_at=moment(t1_day),
                )
            )
        assessments = Assessment.objects.bulk_create(assessments, batch_size=5000)
        by_org: dict[int, list[Any]] = {}
        for a in assessments:
            by_org.setdefault(a.organization_id, []).append(a)
        results, verifications, members = [], [], []
        now = timezone.now()
        for (o, t0, t1, _t1_day, _t0_day, verified), enrolment in zip(plans, enrolments, strict=True):
            mine = sorted(by_org[o.pk], key=lambda a: a.submitted_at)
            t0_row, t1_row = (mine[0], mine[-1]) if t0 is not None else (None, mine[-1])
            for row, figures in ((t0_row, t0), (t1_row, t1)):
                if row is not None and figures is not None:
                    results.append(
                        AssessmentResult(
                            assessment=row,
                            framework_version=miit,
                            scoring_version=4,
                            total=figures["total"],
                            max_total=100,
                            level=figures["level"],
                            completeness=1,
                            card={},
                            path=None,
                            frozen=True,
                            computed_at=now,
                            peer_group=False,
                            organization=o,
                            sector=o.sector,
                            size_band=o.size_band,
                            province=o.province,
                        )
                    )
            checked = rng.choice(sets) if verified else None
            if checked is not None:
                verifications.append(
                    Verification(
                        assessment=t1_row,
                        consultant=user,
                        consultant_name="王立",
                        qualification="评估师",
                        statement="属实",
                        total=checked["total"],
                        level=checked["level"],
                        card={},
                        signed_at=t1_row.submitted_at + timedelta(days=20),
                    )
                )
            members.append(
                CohortMember(
                    enrolment=enrolment,
                    programme=programme,
                    group_id=enrolment.group_id,
                    organization=o,
                    sector=o.sector,
                    size_band=o.size_band,
                    province=o.province,
                    city=o.city,
                    framework_version=miit,
                    assessment=t1_row,
                    submitted_at=t1_row.submitted_at,
                    level=t1["level"],
                    total=t1["total"],
                    dimensions=t1["dimensions"],
                    scenarios=t1["scenarios"],
                    verified_level=checked["level"] if checked else None,
                    verified_total=checked["total"] if checked else None,
                    verified_dimensions=checked["dimensions"] if checked else {},
                    verified_at=(t1_row.submitted_at + timedelta(days=20)) if checked else None,
                    t0_assessment=t0_row,
                    t0_level=t0["level"] if t0 else None,
                    t0_total=t0["total"] if t0 else None,
                    held_back_by=t1["held_back_by"],
                    path_steps=t1["path_steps"],
                )
            )
        AssessmentResult.objects.bulk_create(results, batch_size=5000)
        Verification.objects.bulk_create(verifications, batch_size=5000)
        CohortMember.objects.bulk_create(members, batch_size=5000)
    print(
        f"set-up: {count:,} SMEs, {len(assessments):,} assessments, {len(verifications):,} verifications "
        f"in {time.perf_counter() - started:.0f} s"
    )
    return programme


def p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[-1] if len(timings) >= 20 else max(timings)


def bench_analytics(programme: Any, rounds: int) -> None:
    from django.core.cache import cache
    from rest_framework.test import APIClient

    from assessment.models import Membership, User
    from programmes.analytics import CohortFilter, cohort_analytics
    from programmes.models import ProgrammeGroup

    group = ProgrammeGroup.objects.filter(programme=programme).first()
    cases = {
        "whole programme": CohortFilter(),
        "sector C": CohortFilter(sector="C"),
        "province 64 + small": CohortFilter(province="64", size_band="small"),
        "one group": CohortFilter(group=group.pk if group else None),
    }
    for name, filters in cases.items():
        cold = []
        for _ in range(3):
            cache.clear()
            started = time.perf_counter()
            figures = cohort_analytics(programme, filters, language="zh-Hans")
            cold.append((time.perf_counter() - started) * 1000)
        warm = []
        for _ in range(rounds):
            started = time.perf_counter()
            cohort_analytics(programme, filters, language="zh-Hans")
            warm.append((time.perf_counter() - started) * 1000)
        print(
            f"analytics, {name} ({figures['counts']['enrolled']:,} SMEs): cold median {statistics.median(cold):.0f} ms "
            f"(max {max(cold):.0f}); warm median {statistics.median(warm):.1f} ms, p95 {p95(warm):.1f} ms"
        )
    viewer = User.objects.create_user(f"bench-viewer-{time.time_ns()}@bench.example", "pw-bench-12345")
    Membership.objects.create(user=viewer, organization=programme.operator, role=Membership.Role.ANALYST)
    client = APIClient(HTTP_HOST="localhost")
    client.force_authenticate(viewer)
    url = f"/api/v1/programmes/{programme.pk}/analytics/"
    assert client.get(url).status_code == 200
    http = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(url)
        http.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    print(
        f"analytics API GET (in-process, warm, whole programme, {len(response.content) // 1024} KB): "
        f"median {statistics.median(http):.1f} ms, p95 {p95(http):.1f} ms (goal ≤ 300 ms)"
    )


def bench_exports(programme: Any) -> None:
    from assessment.models import User
    from programmes.analytics import CohortFilter
    from programmes.exports import cohort_export_request, cohort_export_run

    user = User.objects.filter(email__startswith="bench-viewer-").first()
    for format in ("csv", "xlsx"):
        export = cohort_export_request(
            programme=programme, format=format, filters=CohortFilter(), language="zh-Hans", requested_by=user
        )
        started = time.perf_counter()
        done = cohort_export_run(export_id=export.pk)
        elapsed = time.perf_counter() - started
        assert done is not None
        assert done.status == "ready", done.error
        print(
            f"export {format.upper()}: {done.rows_done:,} rows, {done.size / 1_048_576:.1f} MB in {elapsed:.1f} s "
            f"(goal ≤ 60 s; includes {done.rows_done:,} AccessRecords)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smes", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--fresh", action="store_true", help="drop the benchmark database first")
    args = parser.parse_args()
    ensure_database(BENCH_URL, args.fresh)
    setup_django()
    print(f"machine: {machine()}")
    programme = build(args.smes)
    programme.refresh_from_db()
    bench_analytics(programme, args.rounds)
    bench_exports(programme)
    print(f"machine after: {machine()}")


if __name__ == "__main__":
    main()
