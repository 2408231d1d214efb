"""The engine's overhead against a plain Playwright script doing the same steps, side by side in one run,
and the same suite end to end through the API and a worker.

    .venv/bin/python bench/engine_bench.py [--tests 20] [--rounds 3] [--modes a,b,c] [--redis]

One suite (>= 20 tests of >= 10 steps: registration forms and task lists) against a local app on
127.0.0.1, run by:

  a  a plain Playwright script: one warm browser, a fresh context per test, idiomatic locators
     (get_by_label / get_by_role) and web-first assertions (expect)
  b  Argus's engine in-process: plain-English steps parsed and resolved, an in-memory event sink, a
     checkpoint store that serialises the whole run state to JSON after every step and node (its
     sizes are reported), fingerprints recorded for the healer
  c  Argus end to end: a throwaway data directory (embedded: SQLite, filesystem broker; --redis: the
     machine's PostgreSQL and Redis) with the suite saved as test definitions (mode b's steps), ONE
     Daphne and ONE Celery worker (concurrency 1) started once; per round POST /api/v1/test/run, then
     the run's SSE stream read until `complete` (timed from the POST). Event latency: each event's
     receive time minus its stored created_at (same clock), over all events of all timed rounds

Modes a and b share one Chromium (launched before timing); the worker has its own, warmed by an
untimed run like the others. Modes run in interleaved rounds (a, b, c, c, b, a, ...) so drift on a
busy machine hits all alike; each time is the median round, and `ratio_b_a` / `ratio_c_a` are the
medians of the per-round ratios (the runs of one round ran back to back, under the same load; the
ratios of the medians are printed too). The last line printed is one JSON object with the results.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from playwright.sync_api import expect

from bench.apps.bench_app import bench_app
from testruns.engine.browser import BrowserHost
from testruns.engine.interfaces import RunOptions, RunPlan, StepSpec, TestSpec
from testruns.engine.memory import (
    JsonCheckpointStore,
    MemoryArtifactStore,
    MemoryFingerprintStore,
    MemorySink,
)
from testruns.engine.runner import Engine
from testruns.streaming.latency import percentile
from testruns.streaming.sse import decode_block

# A step as both modes read it: (kind, target, value). Mode b says it in plain English.
Step = tuple[str, str | None, str | None]

PEOPLE = [
    ("Ada", "Lovelace", "France"), ("Alan", "Turing", "Germany"), ("Grace", "Hopper", "Japan"),
    ("Edsger", "Dijkstra", "Brazil"), ("Barbara", "Liskov", "France"), ("Donald", "Knuth", "Japan"),
    ("Frances", "Allen", "Germany"), ("Ken", "Thompson", "Brazil"), ("Radia", "Perlman", "France"),
    ("John", "Backus", "Japan"),
]  # fmt: skip


def make_suite(n_tests: int) -> list[tuple[str, list[Step]]]:
    suite: list[tuple[str, list[Step]]] = []
    for i in range(n_tests):
        first, last, country = PEOPLE[i % len(PEOPLE)]
        if i % 2 == 0:
            steps: list[Step] = [
                ("goto", None, "/register"),
                ("fill", "First name", first),
                ("fill", "Last name", last),
                ("fill", "Email", f"{first.lower()}@example.com"),
                ("fill", "Phone", f"+33 1 23 45 67 {i:02d}"),
                ("fill", "Company", f"{last} Labs"),
                ("select", "Country", country),
                ("check", "Newsletter", None),
                ("check", "I accept the terms", None),
                ("click", "Register", None),
                ("see", None, f"Registered {first} {last} from {country}"),
                ("value", "Email", f"{first.lower()}@example.com"),
            ]
        else:
            tasks = [f"Task {i}-{k}" for k in range(4)]
            steps = [("goto", None, "/tasks")]
            for task in tasks:
                steps += [("fill", "New task", task), ("click", "Add task", None)]
            steps += [("see", None, "4 tasks"), ("see", None, tasks[-1]), ("value", "New task", "")]
        suite.append((f"bench {i + 1}", steps))
    return suite


def english(step: Step) -> str:
    kind, target, value = step
    return {
        "goto": f"Open {value}",
        "fill": f'Type "{value}" into {target}',
        "select": f"Select {value} from {target}",
        "check": f"Check {target}",
        "click": f"Click {target}",
        "see": f'Expect to see "{value}"',
        "value": f'Expect {target} to have value "{value}"' if value else f"Expect {target} to be empty",
    }[kind]


@dataclass
class ModeResult:
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)


def mode_a(host: BrowserHost, app_url: str, suite: list[tuple[str, list[Step]]]) -> ModeResult:
    """Plain Playwright: what a team would write by hand for the same tests (on the host's thread,
    where its Playwright lives; the engine runs there too)."""
    return host.call(_mode_a, host, app_url, suite)


def _mode_a(host: BrowserHost, app_url: str, suite: list[tuple[str, list[Step]]]) -> ModeResult:
    browser = host.browser()
    started = time.perf_counter()
    for _name, steps in suite:
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()
        for kind, target, value in steps:
            if kind == "goto":
                page.goto(app_url + str(value))
            elif kind == "fill":
                page.get_by_label(str(target)).fill(str(value))
            elif kind == "select":
                page.get_by_label(str(target)).select_option(label=str(value))
            elif kind == "check":
                page.get_by_label(str(target)).check()
            elif kind == "click":
                page.get_by_role("button", name=str(target)).click()
            elif kind == "see":
                expect(page.locator("body")).to_contain_text(str(value))
            elif kind == "value":
                expect(page.get_by_label(str(target))).to_have_value(str(value))
        context.close()
    return ModeResult(time.perf_counter() - started)


def mode_b(host: BrowserHost, app_url: str, suite: list[tuple[str, list[Step]]]) -> ModeResult:
    """Argus's engine in-process, with in-memory ports and JSON checkpoints."""
    plan = RunPlan(
        run_id="bench",
        thread_id="bench",
        app_url=app_url,
        tests=[
            TestSpec(test_id=f"t{i}", name=name, steps=[StepSpec(text=english(s)) for s in steps])
            for i, (name, steps) in enumerate(suite)
        ],
        options=RunOptions(),
    )
    sink, checkpoints = MemorySink(), JsonCheckpointStore()
    started = time.perf_counter()
    outcome = Engine(host).execute(
        plan,
        sink=sink,
        checkpoints=checkpoints,
        artifacts=MemoryArtifactStore(),
        fingerprints=MemoryFingerprintStore(),
    )
    seconds = time.perf_counter() - started
    if outcome.status != "passed":
        bad = [(r.name, r.error) for r in outcome.results if r.status != "passed"]
        raise SystemExit(f"engine run did not pass: {bad[:3]}")
    sizes = checkpoints.sizes()
    return ModeResult(
        seconds,
        {
            "checkpoints": len(sizes),
            "checkpoint_bytes_median": int(statistics.median(sizes)),
            "checkpoint_bytes_max": max(sizes),
            "events": len(sink.events),
        },
    )


# --- Mode c: end to end through the API and a worker ---------------------------------------------------
REPO = Path(__file__).resolve().parent.parent

# Run by `manage.py shell` in the throwaway data directory: the caller, an organization on a plan whose
# run limits do not get in the way, the project pointing at the bench app, the suite as test
# definitions (the same plain-English steps as mode b), and a token. Prints one JSON line.
SETUP = """
import json, os
from accounts.jwt import mint_local_token
from tests import factories
spec = json.loads(open(os.environ["ARGUS_BENCH_SUITE_FILE"]).read())
owner = factories.make_profile("bench@example.com", user_id="user_bench")
org = factories.make_org(owner, name="Bench", plan="enterprise")
project = factories.make_project(org, name="Engine bench", app_url=spec["app_url"])
tests = {t["name"]: str(factories.make_test(project, t["steps"], name=t["name"]).id) for t in spec["tests"]}
token = mint_local_token(email=owner.email, user_id=owner.user_id, ttl_seconds=6 * 3600)
print(json.dumps({"project_id": str(project.id), "tests": tests, "token": token}))
"""

# Stored times of the events of the given runs (epoch seconds), and the sizes of their checkpoints as
# the worker stored them (JSON of the run state), read once at the end through the ORM.
EVENT_TIMES = """
import json, os
from testruns.models import Checkpoint, RunEvent
runs = json.loads(open(os.environ["ARGUS_BENCH_RUNS_FILE"]).read())
times = {r: {} for r in runs}
for run_id, seq, created in RunEvent.objects.filter(run_id__in=runs).values_list("run_id", "seq", "created_at"):
    times[str(run_id)][seq] = created.timestamp()
states = Checkpoint.objects.filter(run_id__in=runs).values_list("state", flat=True)
sizes = [len(json.dumps(s, separators=(",", ":"))) for s in states]
print(json.dumps({"times": times, "checkpoint_sizes": sizes}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    """One event of a mode-c run as the SSE client got it."""

    run_id: str
    seq: int
    kind: str
    at: float  # time.time() when its bytes reached the client


class ApiStack:
    """One Daphne and one Celery worker (concurrency 1) on a throwaway data directory, started once.

    Embedded mode by default: SQLite, the filesystem broker, the in-process channel layer (the worker
    reaches Daphne's streams by a datagram on a unix socket in the data directory, the stream's short
    database poll being the fallback; testruns/streaming/wake.py). With `redis`, the
    distributed set-up: the machine's PostgreSQL (a throwaway database) and Redis (broker, channel
    layer, cache).
    """

    def __init__(self, *, redis: bool, stream_poll: float | None = None) -> None:
        self.redis = redis
        self._tmp = tempfile.TemporaryDirectory(prefix="argus-engine-bench-")
        self.data = Path(self._tmp.name)
        self.env = self._environment()
        if stream_poll is not None:
            # Diagnosis only: how much of the event latency is the stream's poll interval.
            self.env["ARGUS_STREAM_POLL_SECONDS"] = str(stream_poll)
        self.processes: list[subprocess.Popen] = []
        self.received: list[Received] = []
        self.stream_opened: dict[str, float] = {}  # run id -> time.time() the stream's first bytes arrived
        self.runs: list[str] = []  # timed runs only
        self.base = ""
        self.headers: dict[str, str] = {}
        self.project_id = ""
        self.tests: dict[str, str] = {}
        self._database_created = False

    def _environment(self) -> dict[str, str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "argus.settings",
            "ARGUS_DATA_DIR": str(self.data),
            "ARGUS_SQLITE_PATH": str(self.data / "argus.sqlite3"),
            "ARGUS_SECRET_KEY": "bench-" + uuid.uuid4().hex,
            "ARGUS_DEBUG": "0",
            "ARGUS_LOG_LEVEL": "WARNING",
            # Counted as usual, never refused: the bench starts more runs than an hour's default allows.
            "ARGUS_RATE_LIMIT_GENERAL": "1000000000/3600",
            "ARGUS_RATE_LIMIT_TEST_EXECUTION": "1000000000/3600",
        }
        for name in (
            "DATABASE_URL",
            "REDIS_URL",
            "CELERY_BROKER_URL",
            "ARGUS_CELERY_EAGER",
            "ARGUS_STREAM_POLL_SECONDS",
        ):
            env.pop(name, None)
        if self.redis:
            env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/argus_engine_bench_{uuid.uuid4().hex[:8]}"
            env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
            env["ARGUS_CACHE_PREFIX"] = "argus-bench-" + uuid.uuid4().hex[:8]
        return env

    def _manage(self, *args: str, extra_env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env={**self.env, **(extra_env or {})},
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.data / f"{name}.log", "wb")  # noqa: SIM115 - kept open for the process's life
        # Its own process group: the worker's pool child and its Chromium are stopped with it.
        proc = subprocess.Popen(
            argv, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(proc)
        return proc

    def start(self, app_url: str, suite: list[tuple[str, list[Step]]]) -> None:
        if self.redis:
            import psycopg

            name = self.env["DATABASE_URL"].rsplit("/", 1)[1]
            with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            self._database_created = True
        self._manage("migrate", "--noinput")
        spec = {
            "app_url": app_url,
            "tests": [{"name": name, "steps": [english(s) for s in steps]} for name, steps in suite],
        }
        suite_file = self.data / "suite.json"
        suite_file.write_text(json.dumps(spec))
        made = json.loads(
            self._manage("shell", "-c", SETUP, extra_env={"ARGUS_BENCH_SUITE_FILE": str(suite_file)})
            .strip()
            .splitlines()[-1]
        )
        self.project_id, self.tests = made["project_id"], made["tests"]
        self.headers = {"Authorization": f"Bearer {made['token']}"}
        port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        daphne = self._spawn(
            "daphne", [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "argus.asgi:application"]
        )
        self._spawn(
            "worker",
            [sys.executable, "-m", "celery", "-A", "argus", "worker", "--concurrency", "1", "--loglevel", "WARNING"],
        )
        deadline = time.monotonic() + 60
        while True:
            if daphne.poll() is not None:
                raise RuntimeError(f"daphne exited during start-up: {self._log_tail('daphne')}")
            try:
                if httpx.get(f"{self.base}/api/v1/projects", headers=self.headers, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("daphne did not start within 60 seconds")
            time.sleep(0.2)

    def _log_tail(self, name: str) -> str:
        try:
            return (self.data / f"{name}.log").read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def run_suite(self, suite: list[tuple[str, list[Step]]]) -> float:
        """POST the run, follow its stream to `complete`; seconds from the POST to `complete` received."""
        test_ids = [self.tests[name] for name, _ in suite]
        client = httpx.Client(timeout=httpx.Timeout(30.0, read=300.0))
        try:
            started = time.perf_counter()
            response = client.post(
                f"{self.base}/api/v1/test/run",
                headers=self.headers,
                json={"project_id": self.project_id, "test_ids": test_ids},
            )
            if response.status_code != 202:
                raise RuntimeError(f"POST /api/v1/test/run answered {response.status_code}: {response.text[:300]}")
            run_id = str(response.json()["run_id"])
            received: list[Received] = []
            complete: dict[str, Any] | None = None
            with client.stream("GET", f"{self.base}/api/v1/stream/runs/{run_id}", headers=self.headers) as stream:
                if stream.status_code != 200:
                    raise RuntimeError(f"the stream answered {stream.status_code}: {stream.read()[:300]!r}")
                buffer = ""
                for chunk in stream.iter_bytes():
                    now = time.time()
                    self.stream_opened.setdefault(run_id, now)
                    buffer += chunk.decode()
                    while "\n\n" in buffer:
                        block, buffer = buffer.split("\n\n", 1)
                        message = decode_block(block)
                        if message.event is None or message.id is None:
                            continue  # retry hint or heartbeat
                        received.append(Received(run_id, message.id, message.event, now))
                        if message.event == "complete":
                            complete = message.data
                            break
                    if complete is not None:
                        break
            seconds = time.perf_counter() - started
        finally:
            client.close()
        if complete is None:
            raise RuntimeError(f"run {run_id}: the stream ended without `complete`:\n{self._log_tail('worker')}")
        if complete.get("status", "passed") != "passed" or complete.get("failed"):
            raise RuntimeError(f"run {run_id} did not pass: {complete}")
        self.runs.append(run_id)
        self.received.extend(received)
        return seconds

    def forget(self) -> None:
        """Drop what the warm-up recorded: only timed runs count."""
        self.runs.clear()
        self.received.clear()
        self.stream_opened.clear()

    def event_latencies(self) -> tuple[list[float], int, list[int]]:
        """Receive time minus stored `created_at` (ms) of every live event of the timed runs, the number of
        backlog events left out (stored before the stream was open: they measure the POST, not the
        stream), and the stored checkpoints' JSON sizes."""
        runs_file = self.data / "runs.json"
        runs_file.write_text(json.dumps(self.runs))
        stored = json.loads(
            self._manage("shell", "-c", EVENT_TIMES, extra_env={"ARGUS_BENCH_RUNS_FILE": str(runs_file)})
            .strip()
            .splitlines()[-1]
        )
        latencies, backlog = [], 0
        for event in self.received:
            created = stored["times"][event.run_id].get(str(event.seq))
            if created is None:
                raise RuntimeError(f"event {event.seq} of run {event.run_id} was received but is not stored")
            if created < self.stream_opened[event.run_id]:
                backlog += 1
                continue
            latencies.append((event.at - created) * 1000)
        return latencies, backlog, stored["checkpoint_sizes"]

    def close(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.processes:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        if self._database_created:
            import psycopg

            name = self.env["DATABASE_URL"].rsplit("/", 1)[1]
            with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._tmp.cleanup()


def mode_c(stack: ApiStack) -> Callable[[BrowserHost, str, list[tuple[str, list[Step]]]], ModeResult]:
    """Through the API and a worker: the stack was started once; its Daphne and worker stay warm."""

    def run(_host: BrowserHost, _app_url: str, suite: list[tuple[str, list[Step]]]) -> ModeResult:
        return ModeResult(stack.run_suite(suite))

    return run


MODES: dict[str, Callable[[BrowserHost, str, list[tuple[str, list[Step]]]], ModeResult]] = {
    "a": mode_a,
    "b": mode_b,
}
LABELS = {
    "a": "plain Playwright script",
    "b": "Argus engine (in-process)",
    "c": "API + worker, SSE to complete",
}


def _stop_on_sigterm(signum: int, _frame: object) -> None:
    # A SystemExit unwinds through the finally blocks, which stop Daphne, the worker and the browser.
    raise SystemExit(128 + signum)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tests", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--modes", default="a,b,c", help="comma-separated; a is always run (the ratios' base)")
    parser.add_argument("--redis", action="store_true", help="mode c distributed: the machine's PostgreSQL and Redis")
    parser.add_argument(
        "--stream-poll",
        type=float,
        help="mode c: ARGUS_STREAM_POLL_SECONDS for Daphne (diagnosis; default: the product's own, 0.05 embedded)",
    )
    args = parser.parse_args()
    wanted = ["a", *(m for m in dict.fromkeys(x.strip() for x in args.modes.split(",")) if m in LABELS and m != "a")]
    signal.signal(signal.SIGTERM, _stop_on_sigterm)

    suite = make_suite(args.tests)
    n_steps = sum(len(steps) for _, steps in suite)
    server = bench_app().start()
    host = BrowserHost()
    stack: ApiStack | None = None
    modes = {k: v for k, v in MODES.items() if k in wanted}
    latencies: list[float] = []
    backlog = 0
    stored_sizes: list[int] = []
    try:
        if "c" in wanted:
            stack = ApiStack(redis=args.redis, stream_poll=args.stream_poll)
            stack.start(server.url, suite)
            modes["c"] = mode_c(stack)
        host.browser()
        # Warm-up: first contexts and first page loads pay one-off costs in every mode (mode c: the
        # worker's first task imports the engine and launches its Chromium, Daphne its first queries).
        warm = make_suite(2)
        for fn in modes.values():
            fn(host, server.url, warm)
        if stack is not None:
            stack.forget()
        results: dict[str, list[ModeResult]] = {k: [] for k in modes}
        for r in range(args.rounds):
            order = list(modes) if r % 2 == 0 else list(reversed(modes))
            for key in order:
                results[key].append(modes[key](host, server.url, suite))
        if stack is not None:
            latencies, backlog, stored_sizes = stack.event_latencies()
    finally:
        if stack is not None:
            stack.close()
        host.close()
        server.stop()

    med = {k: statistics.median(m.seconds for m in v) for k, v in results.items()}
    paired = {
        k: [m.seconds / a.seconds for a, m in zip(results["a"], results[k], strict=True)] for k in results if k != "a"
    }
    where = ("PostgreSQL + Redis" if args.redis else "SQLite + filesystem broker") if stack else ""
    print(f"suite: {len(suite)} tests, {n_steps} steps, {args.rounds} interleaved rounds (median shown)")
    print(f"{'mode':<4} {'what':<30} {'seconds':>8} {'ms/step':>8} {'x a':>7} {'rounds':>24}")
    for key in results:
        rounds = " ".join(f"{m.seconds:.2f}" for m in results[key])
        ratio = f"{statistics.median(paired[key]):.3f}" if key in paired else "1"
        print(f"{key:<4} {LABELS[key]:<30} {med[key]:>8.2f} {1000 * med[key] / n_steps:>8.1f} {ratio:>7} {rounds:>24}")
    for key, ratios in paired.items():
        print(f"{key}/a per round: {' '.join(f'{r:.3f}' for r in ratios)}; ratio of medians {med[key] / med['a']:.3f}")
    summary: dict[str, Any] = {
        "tests": len(suite),
        "steps": n_steps,
        "rounds": args.rounds,
        "a_s": round(med["a"], 3),
    }
    if "b" in results:
        extra = results["b"][-1].extra
        print(
            f"b: checkpoints per run {extra['checkpoints']}, JSON bytes median {extra['checkpoint_bytes_median']}, "
            f"max {extra['checkpoint_bytes_max']}; events per run {extra['events']}"
        )
        summary.update(
            b_s=round(med["b"], 3),
            ratio_b_a=round(statistics.median(paired["b"]), 3),
            ratio_of_medians_b_a=round(med["b"] / med["a"], 3),
            checkpoint_bytes_median=extra["checkpoint_bytes_median"],
        )
    if "c" in results:
        p50 = round(percentile(latencies, 50), 1) if latencies else None
        p95 = round(percentile(latencies, 95), 1) if latencies else None
        print(
            f"c ({where}): {len(latencies)} events over SSE, stored -> client p50 {p50} ms, p95 {p95} ms, "
            f"max {round(max(latencies), 1) if latencies else None} ms ({backlog} backlog events sent on connect "
            f"left out); stored checkpoints {len(stored_sizes)}, JSON bytes median "
            f"{int(statistics.median(stored_sizes)) if stored_sizes else None}"
        )
        summary.update(
            c_s=round(med["c"], 3),
            ratio_c_a=round(statistics.median(paired["c"]), 3),
            ratio_of_medians_c_a=round(med["c"] / med["a"], 3),
            event_latency_p50_ms=p50,
            event_latency_p95_ms=p95,
            events_measured=len(latencies),
            mode_c_backend="postgres+redis" if args.redis else "sqlite+filesystem",
            stream_poll_seconds=args.stream_poll,
        )
        if "b" in results:
            # The worker's share: the same engine with the database ports, behind the API and the stream.
            c_b = [c.seconds / b.seconds for b, c in zip(results["b"], results["c"], strict=True)]
            print(f"c/b per round: {' '.join(f'{r:.3f}' for r in c_b)}")
            summary["ratio_c_b"] = round(statistics.median(c_b), 3)
        if "checkpoint_bytes_median" not in summary and stored_sizes:
            summary["checkpoint_bytes_median"] = int(statistics.median(stored_sizes))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
