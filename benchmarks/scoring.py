"""Measure scoring: the engine on one MIIT assessment, rescoring stored assessments, peer lookups.

    .venv/bin/python benchmarks/scoring.py [--assessments 100000] [--peers 1000000]

Uses its own PostgreSQL database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/sme_bench),
created on first run; the generated data is kept, so later runs skip the set-up. Prints the figures;
docs/performance.md records them with the machine they ran on.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sme_bench")
SEED = 20261121


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django() -> None:
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("import_framework", *map(str, sorted((ROOT / "frameworks").glob("*.yaml"))), verbosity=0)


def random_items(framework: Any, rng: random.Random) -> list[dict[str, Any]]:
    """A plausible full answer set: every question answered, any option or level."""
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


def bench_engine(framework: Any) -> None:
    from scoring.engine import parse_answers, path_to_level, score

    rng = random.Random(SEED)
    answer_sets = [parse_answers(framework, random_items(framework, rng)) for _ in range(500)]
    for answers in answer_sets[:20]:
        score(framework, answers)  # warm the per-framework caches
    timings = []
    for answers in answer_sets:
        started = time.perf_counter()
        for _ in range(20):
            score(framework, answers)
        timings.append((time.perf_counter() - started) / 20 * 1e6)
    print(
        f"engine: score one MIIT assessment: median {statistics.median(timings):.0f} µs, "
        f"p95 {statistics.quantiles(timings, n=20)[-1]:.0f} µs (goal ≤ 100 µs; 500 random full answer sets)"
    )
    started = time.perf_counter()
    for answers in answer_sets[:200]:
        path_to_level(framework, answers)
    print(f"engine: path to the next level: {(time.perf_counter() - started) / 200 * 1000:.1f} ms per assessment")


def create_assessments(version: Any, count: int) -> list[int]:
    """`count` submitted MIIT assessments with random full answers, made once and kept."""
    from django.db import connection, transaction

    from assessment.models import Answer, Assessment, Organization, Question, User
    from scoring.selectors import framework_structure

    existing = list(Assessment.objects.filter(organization__name__startswith="rescore-").values_list("pk", flat=True))
    if len(existing) >= count:
        return existing[:count]
    user, _ = User.objects.get_or_create(email="bench@example.com")
    framework = framework_structure(version)
    questions = {q.key: q for q in Question.objects.filter(version=version).prefetch_related("options")}
    points = {key: {o.key: str(o.points) for o in q.options.all()} for key, q in questions.items()}
    rng = random.Random(SEED)
    started = time.perf_counter()
    for batch_start in range(len(existing), count, 5000):
        size = min(5000, count - batch_start)
        with transaction.atomic():
            organizations = Organization.objects.bulk_create(
                Organization(name=f"rescore-{batch_start + i}", sector="C", size_band="small", province="32")
                for i in range(size)
            )
            assessments = Assessment.objects.bulk_create(
                Assessment(organization=o, framework_version=version, created_by=user) for o in organizations
            )
            rows = []
            for assessment in assessments:
                for item in random_items(framework, rng):
                    keys = item.get("choices") or ([item["choice"]] if "choice" in item else [])
                    rows.append(
                        Answer(
                            assessment=assessment,
                            question=questions[item["question"]],
                            option_keys=keys,
                            option_points=[points[item["question"]][k] for k in keys],
                            level=item.get("level"),
                        )
                    )
            Answer.objects.bulk_create(rows, batch_size=10000)
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE assessment_assessment SET status = 'submitted', submitted_at = now(), pledged_at = now(), "
                    "submitted_by_id = created_by_id WHERE id = ANY(%s)",
                    [[a.pk for a in assessments]],
                )
        print(f"  set-up: {batch_start + size} assessments with answers ({time.perf_counter() - started:.0f} s)")
    if len(existing) < count:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would (off here): without it a chunk's answers are read by a scan
    return list(Assessment.objects.filter(organization__name__startswith="rescore-").values_list("pk", flat=True))


def bench_rescore(version: Any, count: int) -> None:
    from scoring.services import results_rescore

    if count == 0:
        return
    ids = create_assessments(version, count)
    started = time.perf_counter()
    for start in range(0, len(ids), 500):
        results_rescore(assessment_ids=ids[start : start + 500])
    elapsed = time.perf_counter() - started
    print(
        f"rescore: {len(ids)} stored assessments in {elapsed:.0f} s ({elapsed / len(ids) * 1000:.2f} ms each, "
        f"{len(ids) / elapsed:.0f} per second, one process; score, path to the next level and rows written)"
    )


PEER_SQL = """
INSERT INTO assessment_organization (name, uscc, sector, size_band, province, city, created_at, description, kind)
SELECT 'peer-' || g, 'B' || lpad(g::text, 17, '0'), (ARRAY['C','C','C','F','I','E'])[1 + g %% 6],
       (ARRAY['micro','small','medium'])[1 + g %% 3], (ARRAY['32','44','33','37','11','51'])[1 + g %% 6],
       '', now() - interval '1 year', '', 'sme'
FROM generate_series(1, %(organizations)s) AS g;

INSERT INTO assessment_assessment (organization_id, framework_version_id, status, created_by_id, created_at,
                                   updated_at, submitted_at, submitted_by_id, pledged_at, reopened_questions)
SELECT o.id, %(version)s, 'submitted', %(user)s, now(), now(), now(), %(user)s, now(), '[]'::jsonb
FROM assessment_organization o CROSS JOIN generate_series(1, %(per_organization)s)
WHERE o.name LIKE 'peer-%%';

INSERT INTO scoring_assessmentresult (assessment_id, framework_version_id, scoring_version, total, max_total, level,
    completeness, card, frozen, computed_at, peer_group, organization_id, sector, size_band, province, path_pending)
SELECT a.id, a.framework_version_id, 1, round((random() * 100)::numeric, 2), 100, 0, 1, '{}'::jsonb, true, now(),
       true, o.id, o.sector, o.size_band, o.province, false
FROM assessment_assessment a JOIN assessment_organization o ON o.id = a.organization_id
WHERE o.name LIKE 'peer-%%';

INSERT INTO scoring_dimensionresult (result_id, framework_version_id, organization_id, dimension, score, max,
    peer_group, sector, size_band, province)
SELECT r.id, r.framework_version_id, r.organization_id, d.key, round((random() * d.max)::numeric, 2), d.max, true,
       r.sector, r.size_band, r.province
FROM scoring_assessmentresult r
CROSS JOIN (VALUES ('foundation', 50), ('operations', 4), ('management', 30), ('outcomes', 20)) AS d(key, max)
WHERE r.card = '{}'::jsonb;

ANALYZE;
"""


def median_ms(values: list[float]) -> str:
    """The median as "1.2 ms", or "n/a" when nothing was measured (an empty group shows no percentiles)."""
    return f"{statistics.median(values):.1f} ms" if values else "n/a"


def p95_ms(values: list[float]) -> str:
    """The 95th percentile as "1.2 ms": "n/a" below two measurements, which have no percentiles."""
    return f"{statistics.quantiles(values, n=20)[-1]:.1f} ms" if len(values) >= 2 else "n/a"


def bench_peers(version: Any, peers: int) -> None:
    from django.db import connection

    from assessment.models import User
    from scoring.models import AssessmentResult
    from scoring.peers import PeerFilter, peer_comparison

    synthetic = AssessmentResult.objects.filter(organization__name__startswith="peer-").count()
    if peers > 0 and synthetic < peers:
        user, _ = User.objects.get_or_create(email="bench@example.com")
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                # One submitted result per organisation: peers count an organisation once.
                PEER_SQL,
                {"organizations": peers, "per_organization": 1, "version": version.pk, "user": user.pk},
            )
        print(f"  set-up: {peers} peer results in {time.perf_counter() - started:.0f} s")
    group = AssessmentResult.objects.filter(framework_version=version, peer_group=True).count()
    subjects = list(
        AssessmentResult.objects.filter(framework_version=version, organization__name__startswith="rescore-").order_by(
            "pk"
        )[:50]
    ) or list(AssessmentResult.objects.filter(framework_version=version).exclude(card={}).order_by("pk")[:50])
    cases: dict[str, PeerFilter | None] = {
        "chosen automatically (narrowest large enough of four groups)": None,
        "all peers": PeerFilter(),
        "same sector": PeerFilter(sector="C"),
        "same province": PeerFilter(province="32"),
        "sector + size + province": PeerFilter(sector="C", size_band="small", province="32"),
    }
    if not subjects:
        print(f"peers ({group} in the group): n/a, no scored assessment to compare (run with --assessments 1 or more)")
        return
    for label, peer_filter in cases.items():
        full, lookups = [], []
        for subject in subjects:
            started = time.perf_counter()
            standings = peer_comparison(subject, peer_filter).standings
            full.append((time.perf_counter() - started) * 1000)
            lookups.append(full[-1] / len(standings) if standings else None)
        warm = full[1:]  # the first call builds the cached distributions
        per_percentile = [ms for ms in lookups[1:] if ms is not None]
        print(
            f"peers ({group} in the group before filters), {label}: per percentile (total or one dimension) median "
            f"{median_ms(per_percentile)} (goal ≤ 5 ms); total + 4 dimensions with quartiles median "
            f"{median_ms(warm)}, p95 {p95_ms(warm)}; first call (builds the distributions) {full[0]:.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assessments", type=int, default=100_000, help="stored assessments to rescore")
    parser.add_argument("--peers", type=int, default=1_000_000, help="submitted results in the peer group")
    args = parser.parse_args()
    ensure_database(BENCH_URL)
    setup_django()
    from assessment.selectors import framework_version_get
    from scoring.selectors import framework_structure

    version = framework_version_get("miit-2024-manufacturing")
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, database {BENCH_URL}"
    )
    bench_engine(framework_structure(version))
    bench_rescore(version, args.assessments)
    bench_peers(version, args.peers)


if __name__ == "__main__":
    main()
