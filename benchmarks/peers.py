"""Measure peer lookups while submissions arrive: no reader should count in the database.

    .venv/bin/python benchmarks/peers.py [--peers 1000000] [--rate 10] [--reads 100] [--seconds 60] [--rebuild-every 30]

Set-up (kept between runs, in its own PostgreSQL database BENCH_PEERS_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/sme_bench_peers): `--peers` synthetic submitted results of established
organisations (benchmarks/scoring.py's SQL), 50 scored MIIT assessments whose comparisons are read, and
fully answered drafts of established organisations for the submitter to submit.

The run: the peer distributions are rebuilt once (timed), then a second process submits drafts through
`assessment_submit` at `--rate` per second (each updating the cached distributions on commit), a third
rebuilds them every `--rebuild-every` seconds (beat's repair, as a worker runs it), while this process reads
`--reads` peer comparisons per second (the automatic group choice: one cache read of the candidate groups'
totals and dimensions; each as a results page or report asks for it) for `--seconds`; `--reads 0` reads
back to back, which keeps one of the cores busy with the reader alone. It prints the latency of each
comparison (median, p95, the slowest, how many took ≥ 50 ms: all, and apart those while a rebuild ran),
how many readers counted in the database (should be 0), the submission rate achieved, and the machine with
its load average. Redis: BENCH_REDIS_URL, else a redis-server the script starts on a free port (a shared
Redis database may be flushed by someone else's tests mid-run); keys prefixed `bench-peers`.
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_PEERS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sme_bench_peers")
REDIS = os.environ.get("BENCH_REDIS_URL", "")  # empty: a redis-server of the benchmark's own
SEED = 20261207
SUBJECTS = 50


def _scoring_bench() -> Any:
    """benchmarks/scoring.py, for its data set-up (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_scoring", ROOT / "benchmarks" / "scoring.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.BENCH_URL = BENCH_URL
    return module


def own_redis() -> subprocess.Popen[bytes]:
    """A redis-server on a free port, without persistence; its URL goes to REDIS_URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.1)
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    return server


def setup_django() -> None:
    os.environ.update(DATABASE_URL=BENCH_URL, REDIS_URL=os.environ.get("REDIS_URL") or REDIS)
    os.environ["CACHE_KEY_PREFIX"] = "bench-peers"
    os.environ["CELERY_BROKER_URL"] = "memory://"  # the path tasks submissions enqueue go nowhere
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average {load}"
    )


def create_drafts(version: Any, count: int) -> None:
    """`count` fully answered drafts of established organisations (random profiles), made once and kept."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from assessment.models import Answer, Assessment, Organization, Question, User
    from scoring.selectors import framework_structure

    bench = _scoring_bench()
    have = Assessment.objects.filter(organization__name__startswith="draft-", status="draft").count()
    if have >= count:
        return
    user, _ = User.objects.get_or_create(email="bench@example.com")
    framework = framework_structure(version)
    questions = {q.key: q for q in Question.objects.filter(version=version).prefetch_related("options")}
    points = {key: {o.key: str(o.points) for o in q.options.all()} for key, q in questions.items()}
    rng = random.Random(SEED + have)
    start = Organization.objects.filter(name__startswith="draft-").count()
    old = timezone.now() - timedelta(days=365)
    with transaction.atomic():
        organizations = Organization.objects.bulk_create(
            Organization(
                name=f"draft-{start + i}",
                uscc=f"S{start + i:017d}",
                sector=rng.choice("CCCFIE"),
                size_band=rng.choice(["micro", "small", "medium"]),
                province=rng.choice(["32", "44", "33", "37", "11", "51"]),
            )
            for i in range(count - have)
        )
        Organization.objects.filter(pk__in=[o.pk for o in organizations]).update(created_at=old)
        drafts = Assessment.objects.bulk_create(
            Assessment(organization=o, framework_version=version, created_by=user) for o in organizations
        )
        rows = []
        for assessment in drafts:
            for item in bench.random_items(framework, rng):
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


def set_up(peers: int, drafts: int) -> Any:
    from django.core.management import call_command
    from django.db import connection

    from assessment.models import User
    from assessment.selectors import framework_version_get
    from scoring.models import AssessmentResult
    from scoring.services import results_rescore

    bench = _scoring_bench()
    bench.ensure_database(BENCH_URL)
    call_command("migrate", verbosity=0)
    call_command("import_framework", *map(str, sorted((ROOT / "frameworks").glob("*.yaml"))), verbosity=0)
    version = framework_version_get("miit-2024-manufacturing")
    synthetic = AssessmentResult.objects.filter(organization__name__startswith="peer-").count()
    if synthetic < peers:
        if synthetic:
            sys.exit(f"{synthetic} synthetic peers exist, {peers} asked: drop {BENCH_URL} first.")
        user, _ = User.objects.get_or_create(email="bench@example.com")
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                bench.PEER_SQL, {"organizations": peers, "per_organization": 1, "version": version.pk, "user": user.pk}
            )
        print(f"  set-up: {peers} peer results in {time.perf_counter() - started:.0f} s")
    subjects = bench.create_assessments(version, SUBJECTS)
    if AssessmentResult.objects.filter(assessment_id__in=subjects).count() < len(subjects):
        results_rescore(assessment_ids=subjects, with_path=False)
    create_drafts(version, drafts)
    return version


def submitter(rate: float, seconds: float, done: Any) -> None:
    """Submit drafts at `rate` per second for `seconds`."""
    setup_django()
    from assessment.models import Assessment, User
    from assessment.services.assessments import assessment_submit

    user = User.objects.get(email="bench@example.com")
    drafts = list(
        Assessment.objects.filter(organization__name__startswith="draft-", status="draft").order_by("pk")[
            : int(rate * seconds) + 10
        ]
    )
    started = time.monotonic()
    submitted = 0
    for n, assessment in enumerate(drafts):
        due = started + n / rate
        now = time.monotonic()
        if now - started >= seconds:
            break
        if due > now:
            time.sleep(due - now)
        assessment_submit(assessment=assessment, submitted_by=user, pledge=True)
        submitted += 1
    done.put((submitted, time.monotonic() - started))


def rebuilder(every: float, seconds: float, version_id: int, done: Any) -> None:
    """Rebuild the distributions every `every` seconds for `seconds`, as beat's task does on a worker."""
    setup_django()
    from scoring.peers import peer_distributions_rebuild

    started = time.monotonic()
    spans = []  # (start, end) of each rebuild, on the machine's monotonic clock (the same in every process)
    while (due := started + (len(spans) + 1) * every) < started + seconds:
        time.sleep(max(0.0, due - time.monotonic()))
        begun = time.monotonic()
        peer_distributions_rebuild(version_id=version_id)
        spans.append((begun, time.monotonic()))
    done.put(spans)


def latencies(timings: list[float]) -> str:
    if len(timings) < 2:
        return f"{len(timings)} comparison(s)"
    ordered = sorted(timings)
    p95 = statistics.quantiles(ordered, n=20)[-1]
    return (
        f"{len(ordered)} comparisons, median {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms, "
        f"slowest {ordered[-1]:.1f} ms, {sum(t >= 50 for t in ordered)} ≥ 50 ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peers", type=int, default=1_000_000, help="synthetic submitted results")
    parser.add_argument("--rate", type=float, default=10.0, help="submissions per second during the run")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long readers and submissions run")
    parser.add_argument(
        "--reads", type=float, default=100.0, help="comparisons per second to read (0: back to back, saturating a core)"
    )
    parser.add_argument("--rebuild-every", type=float, default=30.0, help="seconds between rebuilds (0: none)")
    args = parser.parse_args()
    server = None if REDIS else own_redis()
    try:
        run(args)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)


def run(args: argparse.Namespace) -> None:
    setup_django()
    print(f"machine before: {machine()}")
    version = set_up(args.peers, int(args.rate * args.seconds) + 10)
    from django.db import connection

    from scoring import distributions
    from scoring.models import AssessmentResult
    from scoring.peers import peer_comparison, peer_distributions_rebuild

    started = time.perf_counter()
    slots = peer_distributions_rebuild(version_id=version.pk)
    group = AssessmentResult.objects.filter(framework_version=version, peer_group=True).count()
    print(f"rebuild: {slots} distributions of {group} results in {time.perf_counter() - started:.1f} s")
    subjects = list(
        AssessmentResult.objects.filter(framework_version=version, organization__name__startswith="rescore-")
    )
    for subject in subjects[:5]:
        peer_comparison(subject)  # warm the connection and the code
    connection.close()  # the other processes fork: they must not share this connection
    distributions.STATS.clear()
    fork = multiprocessing.get_context("fork")
    submitted_queue: Any = fork.Queue()
    rebuilt_queue: Any = fork.Queue()
    processes = [fork.Process(target=submitter, args=(args.rate, args.seconds, submitted_queue))]
    if args.rebuild_every:
        processes.append(
            fork.Process(target=rebuilder, args=(args.rebuild_every, args.seconds, version.pk, rebuilt_queue))
        )
    for process in processes:
        process.start()
    rng = random.Random(SEED)
    timings = []
    started = time.monotonic()
    deadline = started + args.seconds
    while (now := time.monotonic()) < deadline:
        if args.reads:  # paced like page views arriving, not back to back (that measures a saturated core)
            due = started + len(timings) / args.reads
            if due > now:
                time.sleep(due - now)
        subject = rng.choice(subjects)
        begun = time.monotonic()
        peer_comparison(subject)
        timings.append((begun, (time.monotonic() - begun) * 1000))
    submitted, elapsed = submitted_queue.get(timeout=args.seconds + 600)
    spans = rebuilt_queue.get(timeout=600) if args.rebuild_every else []
    for process in processes:
        process.join()
    during = [ms for at, ms in timings if any(start <= at <= end for start, end in spans)]
    outside = [ms for at, ms in timings if not any(start <= at <= end for start, end in spans)]
    every = [ms for _, ms in timings]
    print(
        f"peers under submissions ({group} results before the run; {submitted} submitted in {elapsed:.0f} s = "
        f"{submitted / elapsed:.1f}/s; {len(spans)} rebuild(s) meanwhile, "
        f"{', '.join(f'{end - start:.1f} s' for start, end in spans) or 'none'}): {len(every)} comparisons "
        f"({len(every) / args.seconds:.0f}/s; automatic group, total + 4 dimensions)\n"
        f"  all: {latencies(every)} (goal: p95 ≤ 5 ms, none ≥ 50 ms)\n"
        f"  outside rebuilds: {latencies(outside)}\n"
        f"  during rebuilds: {latencies(during)}\n"
        f"  readers that counted in the database: {distributions.STATS['read_database']} (goal 0)"
    )
    print(f"machine after: {machine()}")


if __name__ == "__main__":
    main()
