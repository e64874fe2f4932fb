"""Measure the REST API over HTTP: a minimal authenticated GET, a one-answer PATCH, a full MIIT PUT + submit.

    .venv/bin/python benchmarks/api.py [--requests 1000] [--submissions 200] [--concurrency 8] [--workers 2]

Creates a fresh PostgreSQL database of its own (BENCH_API_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/sme_bench_api): migrations, frameworks/*.yaml, one organisation whose
respondents each have a write API key. Starts gunicorn on a free local port against it (Redis database 2
for cache and throttles, throttles out of the way, DEBUG off) and drives it with one thread, one
keep-alive session and one key per concurrent client. The three operations take turns in rounds on the
same server. Prints latencies at the client and inside the worker (gunicorn's access log), their ratios
to the GET's, and CPU per request (workers, PostgreSQL backends, this client; Linux /proc).
docs/performance.md records the figures with the machine they ran on. Stops the server and drops the
database at the end unless --keep.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_API_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sme_bench_api")
REDIS_URL = "redis://127.0.0.1:6379/2"  # a database no test uses; flushed before and after
FRAMEWORK = "miit-2024-manufacturing"
GET_PATH = "/api/v1/frameworks/"  # the cheapest authenticated operation: key lookup, throttle, one small query
GOALS = {"PATCH": 2.0, "PUT + submit": 8.0}  # p50 and p95, as multiples of the GET's
SEED = 20261122


def database_recreate(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def redis_flush() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


# --- set-up, in this process ---------------------------------------------------------------------


@dataclass(frozen=True)
class Fixture:
    keys: list[str]  # one write key per client, each for its own respondent
    drafts: list[int]  # shared by the PATCH clients, every question already answered
    fresh: list[int]  # one per PUT + submit
    questions: list[Any]  # the engine's MIIT questions


def prepare(clients: int, drafts: int, fresh: int) -> Fixture:
    """Migrate, import the frameworks, add an organisation, respondents with keys, and draft assessments.

    The PATCH drafts start fully answered, so every timed PATCH replaces an answer.
    """
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("import_framework", *map(str, sorted((ROOT / "frameworks").glob("*.yaml"))), verbosity=0)

    from api.models import ApiKey
    from api.services import api_key_create
    from assessment.models import Membership, User
    from assessment.selectors import framework_version_get
    from assessment.services.assessments import answers_upsert, assessment_create
    from assessment.services.organizations import organization_create
    from scoring.selectors import framework_structure

    owner = User.objects.create_user("owner@bench.example")
    organization = organization_create(
        owner=owner, name="基准测试制造有限公司", sector="C", size_band="small", province="32"
    )
    keys = []
    for i in range(clients):
        respondent = User.objects.create_user(f"respondent{i}@bench.example")
        Membership.objects.create(user=respondent, organization=organization, role=Membership.Role.RESPONDENT)
        _key, secret = api_key_create(user=respondent, name=f"bench {i}", scope=ApiKey.Scope.WRITE)
        keys.append(secret)
    version = framework_version_get(FRAMEWORK)
    started = time.perf_counter()
    questions = list(framework_structure(version).questions.values())
    rng = random.Random(SEED)
    assessments = []
    for i in range(drafts + fresh):
        assessment = assessment_create(organization=organization, framework_version=version, created_by=owner)
        if i < drafts:
            items = [{"question": q.key, **random_value(q, rng)} for q in questions]
            answers_upsert(assessment=assessment, items=items, answered_by=owner)
        assessments.append(assessment.pk)
    print(
        f"  set-up: {drafts} answered drafts for PATCH and {fresh} empty ones for PUT + submit "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return Fixture(keys, assessments[:drafts], assessments[drafts:], questions)


def random_value(question: Any, rng: random.Random) -> dict[str, Any]:
    """A valid value for a MIIT question: a scenario level, a single choice, or some of a multiple choice."""
    if question.kind == "scenario":
        return {"level": rng.randint(0, 4)}
    if question.kind == "single_choice":
        return {"choice": rng.choice(question.options).key}
    if question.kind == "multiple_choice":
        keys = [o.key for o in question.options if not o.exclusive]
        return {"choices": rng.sample(keys, rng.randint(0, len(keys)))}
    raise ValueError(f"{question.key}: no value generator for {question.kind} questions")


# --- the server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """gunicorn serving config.wsgi against the benchmark database, in a subprocess."""

    def __init__(self, port: int, workers: int, threads: int, logs: Path) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.log = logs / "gunicorn.log"
        env = {
            **os.environ,
            "DATABASE_URL": BENCH_URL,
            "REDIS_URL": REDIS_URL,
            "API_THROTTLE_RATE": "1000000/min",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
        command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", str(workers), "--threads", str(threads), "--log-level", "warning"]
        # Each request's time inside a worker (µs), from reading the request to the response sent: no queueing.
        command += ["--access-logfile", str(logs / "access.log"), "--access-logformat", "%(m)s %(U)s %(s)s %(D)s"]
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        self.access_log = AccessLog(logs / "access.log")
        self._wait_healthy()

    def cpu(self) -> dict[str, dict[int, float]]:
        """CPU seconds so far of each gunicorn worker and each PostgreSQL backend of the benchmark database."""
        import psycopg

        workers = [pid for pid in _processes() if _stat(pid)[1] == str(self.process.pid)]
        name = BENCH_URL.rsplit("/", 1)[1]
        with psycopg.connect(BENCH_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [name]).fetchall()
        return {"worker": _cpu_seconds(workers), "database": _cpu_seconds([pid for (pid,) in rows])}

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                if requests.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not answer /healthz within 60 s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _processes() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat from the state field on (field 3), or nothing if the process has gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return ["", ""]


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    ticks = os.sysconf("SC_CLK_TCK")
    fields = {pid: _stat(pid) for pid in pids}
    return {pid: (int(f[11]) + int(f[12])) / ticks for pid, f in fields.items() if len(f) > 12}


# --- the load --------------------------------------------------------------------------------------


class Client:
    """One concurrent caller: a keep-alive session with its own key."""

    def __init__(self, index: int, base: str, key: str) -> None:
        self.index = index
        self.base = base
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {key}", "Accept-Language": "en"})

    def call(self, method: str, path: str, body: Any = None) -> float:
        """Send one request; its latency in milliseconds. Anything but a 2xx stops the benchmark."""
        started = time.perf_counter()
        response = self.session.request(method, self.base + path, json=body, timeout=60)
        elapsed = (time.perf_counter() - started) * 1000
        if not 200 <= response.status_code < 300:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return elapsed


def p50(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


class AccessLog:
    """Gunicorn's access log: the server-side time of each request, read phase by phase."""

    PARTS = {"GET": "GET", "PATCH": "PATCH", "PUT": "PUT", "POST": "submit"}

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def skip(self) -> None:
        self.offset = self.path.stat().st_size

    def read(self) -> dict[str, list[float]]:
        """Milliseconds per part since the last read or skip; "total" sums the parts of one assessment."""
        time.sleep(0.5)  # a worker logs the request just after sending the response
        with self.path.open("rb") as log:
            log.seek(self.offset)
            lines = log.read().decode().splitlines()
            self.offset = log.tell()
        parts: dict[str, list[float]] = {}
        per_assessment: dict[str, float] = {}  # PUT + submit, paired by the assessment in the path
        for line in lines:
            method, path, _status, micros = line.split()
            ms = int(micros) / 1000
            parts.setdefault(self.PARTS[method], []).append(ms)
            if method in ("PUT", "POST"):
                assessment = path.split("/")[4]
                per_assessment[assessment] = per_assessment.get(assessment, 0.0) + ms
        total = list(per_assessment.values()) if per_assessment else [ms for part in parts.values() for ms in part]
        return {**parts, "total": total}


@dataclass
class Phase:
    name: str
    latencies: dict[str, list[float]] = field(default_factory=dict)  # ms per timed part; "total" is the sum
    server: dict[str, list[float]] = field(default_factory=dict)  # the same, inside the gunicorn worker
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds: workers, database backends, this client
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies["total"]) / self.seconds


Job = Callable[[Client, int], dict[str, float]]


def run(phase: Phase, clients: list[Client], jobs: range, job: Job, server: Server) -> None:
    """Run `jobs` on all clients at once, each client taking the next job number when it is free; add to `phase`."""
    lock = threading.Lock()
    numbers = iter(jobs)
    errors: list[BaseException] = []
    start = threading.Barrier(len(clients) + 1)

    def work(client: Client) -> None:
        start.wait()
        while not errors:
            with lock:
                number = next(numbers, None)
            if number is None:
                return
            try:
                parts = job(client, number)
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread, which re-raises it
                errors.append(exc)
                return
            with lock:
                for part, ms in parts.items():
                    phase.latencies.setdefault(part, []).append(ms)
                phase.latencies.setdefault("total", []).append(sum(parts.values()))

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    server.access_log.skip()
    cpu_before = server.cpu()
    client_before = time.process_time()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    phase.seconds += time.perf_counter() - started
    phase.cpu["client"] = phase.cpu.get("client", 0.0) + time.process_time() - client_before
    if errors:
        raise errors[0]
    for part, values in server.access_log.read().items():
        phase.server.setdefault(part, []).extend(values)
    # A backend that closed during the block (DB_CONN_MAX_AGE) is left out; its successor counts from zero.
    for kind, after in server.cpu().items():
        used = sum(seconds - cpu_before[kind].get(pid, 0.0) for pid, seconds in after.items())
        phase.cpu[kind] = phase.cpu.get(kind, 0.0) + used


def measure(
    fixture: Fixture, clients: list[Client], requests_per_phase: int, rounds: int, server: Server
) -> list[Phase]:
    """Warm up, then time the three operations in alternating rounds: load from elsewhere falls on all alike."""
    questions = fixture.questions
    drafts = fixture.drafts
    rng = random.Random(SEED)
    # Values are drawn before the clock starts; JSON encoding stays in the timing (a real client pays it).
    patches = [(q.key, random_value(q, rng)) for q in (rng.choice(questions) for _ in range(requests_per_phase))]
    full_sets = [[{"question": q.key, **random_value(q, rng)} for q in questions] for _ in fixture.fresh]

    def get(client: Client, number: int) -> dict[str, float]:
        return {"GET": client.call("GET", GET_PATH)}

    def patch(client: Client, number: int) -> dict[str, float]:
        # Respondent i works on draft i mod D: with C clients, about C/D of them share a draft and its row lock.
        question, value = patches[number]
        assessment = drafts[client.index % len(drafts)]
        return {"PATCH": client.call("PATCH", f"/api/v1/assessments/{assessment}/answers/{question}/", value)}

    def put_submit(client: Client, number: int) -> dict[str, float]:
        assessment = fixture.fresh[number]
        body = {"framework": FRAMEWORK, "answers": full_sets[number]}
        put = client.call("PUT", f"/api/v1/assessments/{assessment}/answers/", body)
        submit = client.call("POST", f"/api/v1/assessments/{assessment}/submit/", {"pledge": True})
        return {"PUT": put, "submit": submit}

    # Warm-up, not timed: every gunicorn worker builds its framework structures and opens its connections.
    warm = range(min(len(clients) * 10, requests_per_phase))
    run(Phase("warm-up"), clients, warm, get, server)
    run(Phase("warm-up"), clients, warm, patch, server)
    phases = [(Phase("GET"), get, requests_per_phase), (Phase("PATCH"), patch, requests_per_phase)]
    phases.append((Phase("PUT + submit"), put_submit, len(fixture.fresh)))
    for r in range(rounds):
        for phase, job, jobs in phases:
            run(phase, clients, range(jobs * r // rounds, jobs * (r + 1) // rounds), job, server)
    return [phase for phase, _job, _jobs in phases]


DESCRIPTIONS = {
    "GET": f"GET {GET_PATH}",
    "PATCH": "PATCH /api/v1/assessments/{id}/answers/{question}/ (one answer)",
    "PUT + submit": "PUT /api/v1/assessments/{id}/answers/ (every MIIT question) + POST …/submit/",
}


def figures(latencies: dict[str, list[float]]) -> str:
    text = f"p50 {p50(latencies['total']):.1f} ms, p95 {p95(latencies['total']):.1f} ms"
    parts = [part for part in latencies if part != "total"]
    if len(parts) > 1:
        text += (
            " (" + ", ".join(f"{part} {p50(latencies[part]):.1f} / {p95(latencies[part]):.1f}" for part in parts) + ")"
        )
    return text


def report(phases: list[Phase]) -> None:
    get = phases[0]
    for phase in phases:
        print(
            f"{DESCRIPTIONS[phase.name]}: {len(phase.latencies['total'])} in {phase.seconds:.1f} s, "
            f"{phase.throughput:.0f}/s"
        )
        print(f"    at the client: {figures(phase.latencies)}")
        print(f"    in the worker: {figures(phase.server)}")
        jobs = len(phase.latencies["total"])
        print(
            f"    CPU per {'pair' if phase.name == 'PUT + submit' else 'request'}: gunicorn worker "
            f"{phase.cpu['worker'] / jobs * 1000:.1f} ms, PostgreSQL {phase.cpu['database'] / jobs * 1000:.1f} ms, "
            f"this client {phase.cpu['client'] / jobs * 1000:.1f} ms"
        )
    for phase in phases[1:]:
        goal = GOALS[phase.name]
        ratios = {
            where: (p50(mine["total"]) / p50(base["total"]), p95(mine["total"]) / p95(base["total"]))
            for where, mine, base in (("client", phase.latencies, get.latencies), ("worker", phase.server, get.server))
        }
        verdict = "met" if max(ratios["client"]) <= goal else "NOT met"
        print(
            f"{phase.name} / GET at the client: p50 {ratios['client'][0]:.1f}×, p95 {ratios['client'][1]:.1f}× "
            f"(goal ≤ {goal:g}×: {verdict}); in the worker: p50 {ratios['worker'][0]:.1f}×, "
            f"p95 {ratios['worker'][1]:.1f}×"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000, help="timed GETs, and timed PATCHes")
    parser.add_argument("--submissions", type=int, default=200, help="timed PUT + submit pairs (fresh assessments)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients (threads, keys, respondents)")
    parser.add_argument("--drafts", type=int, help="draft assessments the PATCH clients share (default: clients / 2)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating timed blocks of the three operations")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (more than 1: gthread)")
    parser.add_argument("--keep", action="store_true", help="keep the database (and Redis database 2) afterwards")
    args = parser.parse_args()
    drafts = args.drafts or max(1, args.concurrency // 2)

    database_recreate(BENCH_URL)
    redis_flush()
    logs = Path(tempfile.mkdtemp(prefix="bench-api-"))
    server = None
    try:
        fixture = prepare(args.concurrency, drafts, args.submissions)
        from django.db import connection, connections

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            postgres = cursor.fetchone()[0].split()[0]
        connections.close_all()
        server = Server(free_port(), args.workers, args.threads, logs)
        print(
            f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, PostgreSQL {postgres} and Redis on loopback, database {BENCH_URL}; "
            f"load average before: {os.getloadavg()[0]:.2f}"
        )
        print(
            f"server: gunicorn {version('gunicorn')}, {args.workers} workers × {args.threads} thread(s); client on the "
            f"same machine: {args.concurrency} thread(s), each with its own keep-alive session, key and respondent; "
            f"PATCHes spread over {drafts} draft assessment(s)"
        )
        clients = [Client(i, server.base, key) for i, key in enumerate(fixture.keys)]
        report(measure(fixture, clients, args.requests, args.rounds, server))
        print(f"load average after (1 min): {os.getloadavg()[0]:.2f}")
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"kept: database {BENCH_URL}, Redis {REDIS_URL}, gunicorn logs in {logs}")
        else:
            database_recreate(BENCH_URL, drop_only=True)
            redis_flush()
            shutil.rmtree(logs)


if __name__ == "__main__":
    main()
