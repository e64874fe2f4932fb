"""Measure `manage.py rescore` on Celery workers: throughput with 1 and with 2 worker processes.

    .venv/bin/python benchmarks/rescore.py [--assessments 100000] [--chunk-size 500] [--with-path]

Uses its own PostgreSQL database (BENCH_RESCORE_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/sme_bench_rescore) holding `--assessments` submitted MIIT assessments with
random full answers (benchmarks/scoring.py's set-up, kept between runs), and a redis-server of its own on a
free port (broker and cache). For each case it starts a real `celery worker -c N` (none for "inline"), runs
`manage.py rescore` (a new run: every assessment, in chunks). Prints assessments per second, in all and per
process, from the first chunk's start to the last one's end (the database's timestamps: the command's
start-up and its once-a-second polling are the same for any number of workers, so they are printed apart),
the speed-up of 2 processes over 1, and the machine with its load average. `--with-path` computes each path
to the next level during the run (by default it is left pending, computed on first read).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_URL = os.environ.get("BENCH_RESCORE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sme_bench_rescore")


def _scoring_bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_scoring", ROOT / "benchmarks" / "scoring.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.BENCH_URL = BENCH_URL
    return module


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def wait_ready(worker: subprocess.Popen[str]) -> None:
    assert worker.stdout is not None
    for line in worker.stdout:
        if " ready." in line:
            return
    sys.exit(f"the worker exited ({worker.wait()})")


def vacuum() -> None:
    """What autovacuum does between runs (it is off on this machine's PostgreSQL): each run leaves every result
    row it replaced dead, and a table of dead rows makes the next run's deletes and inserts dearer; and without
    statistics of the freshly made answers the planner reads a chunk's 15,500 answers by scanning all of them
    (at 100,000 assessments, 270 ms a chunk instead of 5 ms, half of it on a parallel worker)."""
    import psycopg

    with psycopg.connect(BENCH_URL, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def case(label: str, processes: int, count: int, arguments: list[str], environment: dict[str, str]) -> float:
    """Assessments a second rescored by `processes` worker processes (0: --inline), from the first chunk's start
    to the last one's end; the command's own time (its start-up, its polling) is printed beside it."""
    from scoring.models import RescoreRun
    from scoring.selectors import rescore_run_rate

    vacuum()
    worker = None
    if processes:
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "celery", "-c", str(processes)]
        command += ["-n", f"bench-{processes}@%h", "--loglevel", "INFO", "--without-gossip", "--without-mingle"]
        worker = subprocess.Popen(
            command, env=environment, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        wait_ready(worker)
        # The worker's log is no longer read: let it go nowhere rather than fill the pipe.
        threading_drain(worker)
    started = time.perf_counter()
    rescore = [sys.executable, "manage.py", "rescore", "--verbosity", "0", *arguments]
    subprocess.run(rescore + ([] if processes else ["--inline"]), env=environment, cwd=ROOT, check=True)
    elapsed = time.perf_counter() - started
    if worker is not None:
        worker.terminate()
        worker.wait(timeout=60)
    rate = rescore_run_rate(RescoreRun.objects.latest("pk"))
    assert rate is not None
    print(
        f"rescore, {label}: {count} assessments at {rate:.0f}/s ({rate / max(processes, 1):.0f}/s per process), "
        f"first chunk's start to last one's end; the command took {elapsed:.1f} s ({count / elapsed:.0f}/s); "
        f"load average after {load()}",
        flush=True,
    )
    return rate


def threading_drain(worker: subprocess.Popen[str]) -> None:
    import threading

    threading.Thread(target=lambda: [None for _ in worker.stdout or ()], daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assessments", type=int, default=100_000, help="stored assessments to rescore")
    parser.add_argument("--chunk-size", type=int, default=500)
    parser.add_argument("--with-path", action="store_true", help="compute the paths during the run")
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; load average before {load()}",
        flush=True,
    )
    bench = _scoring_bench()
    bench.ensure_database(BENCH_URL)
    bench.setup_django()
    from assessment.models import Assessment
    from assessment.selectors import framework_version_get

    bench.create_assessments(framework_version_get("miit-2024-manufacturing"), args.assessments)
    count = Assessment.objects.count()
    port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    environment = {**os.environ, "DATABASE_URL": BENCH_URL, "REDIS_URL": url, "CELERY_BROKER_URL": url}
    arguments = ["--chunk-size", str(args.chunk_size), *(["--with-path"] if args.with_path else [])]
    what = "with paths" if args.with_path else "paths left pending"
    try:
        time.sleep(0.5)
        inline = case(f"inline, one process, {what}", 0, count, arguments, environment)
        one = case(f"1 worker process, {what}", 1, count, arguments, environment)
        two = case(f"2 worker processes, {what}", 2, count, arguments, environment)
    finally:
        redis.terminate()
        redis.wait(timeout=10)
    print(
        f"rescore: 2 worker processes ÷ 1 = {two / one:.2f}× (goal ≥ 1.8×); 1 worker ÷ inline = {one / inline:.2f}× "
        f"the rate; {count} assessments, chunks of {args.chunk_size}"
    )


if __name__ == "__main__":
    main()
