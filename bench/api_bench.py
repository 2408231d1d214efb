"""Authenticated API throughput against the framework's floor, side by side in one run.

    .venv/bin/python bench/api_bench.py [--duration 3] [--rounds 3] [--concurrency 16] [--postgres] [--redis]

Starts ONE Daphne server on the real ASGI app (DEBUG off, a throwaway SQLite database unless
--postgres, the in-process cache unless --redis), creates a user, an organization and an API key,
and drives keep-alive HTTP/1.1 load from a separate process against:

  bare     GET /bench/bare       a DRF view with no authentication, permission or throttle
  api_key  GET /api/v1/users/me  with X-API-Key
  jwt      GET /api/v1/users/me  with Authorization: Bearer <RS256 JWT>

Endpoints are measured in interleaved rounds (bare, api_key, jwt, bare, ...) so drift on a busy
machine hits all three alike; each figure is the median round. Rate limiting stays on (with limits
high enough never to refuse), so its cost is part of the authenticated numbers. The load generator
is a few dozen lines of asyncio on raw sockets rather than an HTTP library, so that on a small
machine the client takes as little CPU from the server as possible. Needs nothing but the project's
own dependencies. The last line printed is one JSON object with the results.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]

SETUP = """
import json
from accounts.jwt import mint_local_token
from tests import factories
owner = factories.make_profile("bench@example.com", user_id="user_bench")
org = factories.make_org(owner, name="Bench")
_key, raw = factories.make_api_key(org, owner, scopes=["read"])
print(json.dumps({"api_key": raw, "jwt": mint_local_token(email=owner.email, user_id=owner.user_id, ttl_seconds=7200)}))
"""


@dataclass
class Round:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    sample_error: str = ""  # the status line and body of one non-200 answer, to say what went wrong
    server_cpu: float = 0.0  # CPU seconds the server process used during the round

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


# --- Load generator (runs in its own process) -------------------------------------------------------
async def _connection(
    host: str, port: int, request: bytes, stop_at: float, latencies: list[float], samples: list[str]
) -> int:
    errors = 0
    reader, writer = await asyncio.open_connection(host, port)
    while time.perf_counter() < stop_at:
        started = time.perf_counter()
        try:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            # The server dropped the connection: an error, and a new connection for the next request.
            errors += 1
            if not samples:
                samples.append(f"connection lost: {exc!r}")
            writer.close()
            reader, writer = await asyncio.open_connection(host, port)
            continue
        latencies.append(time.perf_counter() - started)
        if status != 200:
            errors += 1
            if not samples:
                samples.append(f"{status} {body[:300].decode(errors='replace')}")
    writer.close()
    return errors


async def _load(host: str, port: int, request: bytes, concurrency: int, duration: float) -> Round:
    latencies: list[float] = []
    samples: list[str] = []
    started = time.perf_counter()
    stop_at = started + duration
    errors = await asyncio.gather(
        *(_connection(host, port, request, stop_at, latencies, samples) for _ in range(concurrency))
    )
    return Round(len(latencies), sum(errors), time.perf_counter() - started, latencies, "".join(samples))


def _load_process(args: tuple[str, int, bytes, int, float], results: multiprocessing.Queue) -> None:
    try:
        results.put(asyncio.run(_load(*args)))
    except BaseException as exc:
        # Reported by the parent instead of leaving it waiting for a result that never comes.
        results.put(exc)
        raise


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc; 0 elsewhere, and the CPU columns read 0)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(port: int, path: str, headers: dict[str, str], concurrency: int, duration: float, server_pid: int) -> Round:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: keep-alive"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    results: multiprocessing.Queue = multiprocessing.Queue()
    proc = multiprocessing.Process(
        target=_load_process, args=(("127.0.0.1", port, request, concurrency, duration), results)
    )
    cpu_before = _cpu_seconds(server_pid)
    proc.start()
    try:
        result = results.get(timeout=duration + 120)
    finally:
        proc.join(timeout=10)
        if proc.is_alive():
            proc.kill()
    if isinstance(result, BaseException):
        raise RuntimeError("the load generator failed") from result
    result.server_cpu = _cpu_seconds(server_pid) - cpu_before
    return result


# --- Server -----------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(data: Path, *, postgres: bool, redis: bool) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "argus.settings",
        **os.environ,
        "ARGUS_DATA_DIR": str(data),
        "ARGUS_SQLITE_PATH": str(data / "argus.sqlite3"),
        "ARGUS_SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "ARGUS_DEBUG": "0",
        "ARGUS_BENCH_ROUTES": "1",
        "ARGUS_LOG_LEVEL": "WARNING",
        # Counted as usual, never refused: the bench measures the cost of counting, not 429s.
        "ARGUS_RATE_LIMIT_GENERAL": "1000000000/3600",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "ARGUS_DB_POOL_SIZE", "ARGUS_DB_CONN_MAX_AGE"):
        env.pop(name, None)
    if postgres:
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/argus_bench_{uuid.uuid4().hex[:8]}"
    if redis:
        env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
        env["ARGUS_CACHE_PREFIX"] = "argus-bench-" + uuid.uuid4().hex[:8]
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"manage.py {args[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def _create_postgres_database(env: dict[str, str]) -> None:
    import psycopg

    name = env["DATABASE_URL"].rsplit("/", 1)[1]
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_postgres_database(env: dict[str, str]) -> None:
    import psycopg

    name = env["DATABASE_URL"].rsplit("/", 1)[1]
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "argus.asgi:application"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("daphne exited during start-up")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/bench/bare", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    sys.exit("daphne did not start within 60 seconds")


def _check(port: int, path: str, headers: dict[str, str]) -> None:
    response = httpx.get(f"http://127.0.0.1:{port}{path}", headers=headers, timeout=10)
    if response.status_code != 200:
        sys.exit(f"GET {path} answered {response.status_code}: {response.text[:300]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per endpoint per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16, help="keep-alive connections")
    parser.add_argument("--postgres", action="store_true", help="the machine's PostgreSQL instead of SQLite")
    parser.add_argument("--redis", action="store_true", help="the machine's Redis as cache (rate-limit counters)")
    parser.add_argument(
        "--pool", type=int, default=0, help="with --postgres: connections per process in a pool (ARGUS_DB_POOL_SIZE)"
    )
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="argus-bench-") as tmp:
        env = _environment(Path(tmp), postgres=options.postgres, redis=options.redis)
        if options.pool:
            env["ARGUS_DB_POOL_SIZE"] = str(options.pool)
        if options.postgres:
            _create_postgres_database(env)
        try:
            _manage(env, "migrate", "--noinput")
            credentials = json.loads(_manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
            port = _free_port()
            server = _start_server(env, port)
            try:
                results = run(port, server.pid, credentials, options)
            finally:
                server.terminate()
                server.wait(timeout=10)
        finally:
            if options.postgres:
                _drop_postgres_database(env)
    report(results, options)


TARGETS = {
    "bare": ("/bench/bare", lambda c: {}),
    "api_key": ("/api/v1/users/me", lambda c: {"X-API-Key": c["api_key"]}),
    "jwt": ("/api/v1/users/me", lambda c: {"Authorization": f"Bearer {c['jwt']}"}),
}


def run(port: int, server_pid: int, credentials: dict[str, str], options: argparse.Namespace) -> dict[str, list[Round]]:
    for path, headers in TARGETS.values():
        _check(port, path, headers(credentials))
        measure(port, path, headers(credentials), options.concurrency, 1.0, server_pid)  # warm-up
    results: dict[str, list[Round]] = {name: [] for name in TARGETS}
    for _ in range(options.rounds):
        for name, (path, headers) in TARGETS.items():
            round_ = measure(port, path, headers(credentials), options.concurrency, options.duration, server_pid)
            results[name].append(round_)
    return results


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(results: dict[str, list[Round]], options: argparse.Namespace) -> None:
    db = ("postgres" + (f" (pool of {options.pool})" if options.pool else "")) if options.postgres else "sqlite"
    cache = "redis" if options.redis else "locmem"
    print(
        f"one daphne process, {db}, {cache} cache, {options.concurrency} connections, "
        f"{options.rounds} rounds x {options.duration:g}s per endpoint"
    )
    print(
        f"{'endpoint':<10}{'requests':>10}{'errors':>8}{'rps':>10}{'p50 ms':>9}{'p99 ms':>9}{'server cpu ms/req':>19}"
    )
    rps: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for name, rounds in results.items():
        median_round = sorted(rounds, key=lambda r: r.rps)[len(rounds) // 2]
        latencies = [lat for r in rounds for lat in r.latencies]
        rps[name] = median_round.rps
        # Server CPU per request over all rounds: steadier than rps when other work shares the machine.
        cpu[name] = sum(r.server_cpu for r in rounds) * 1000 / max(1, sum(r.requests for r in rounds))
        print(
            f"{name:<10}{sum(r.requests for r in rounds):>10}{sum(r.errors for r in rounds):>8}"
            f"{median_round.rps:>10.0f}{_percentile(latencies, 0.5) * 1000:>9.2f}"
            f"{_percentile(latencies, 0.99) * 1000:>9.2f}{cpu[name]:>19.2f}"
        )
    for name, rounds in results.items():
        sample = next((r.sample_error for r in rounds if r.sample_error), "")
        if sample:
            print(f"{name}: non-200 answers, e.g. {sample}")
    summary = {
        "rps_bare": round(rps["bare"], 1),
        "rps_api_key": round(rps["api_key"], 1),
        "rps_jwt": round(rps["jwt"], 1),
        "ratio_api_key": round(rps["bare"] / rps["api_key"], 3),
        "ratio_jwt": round(rps["bare"] / rps["jwt"], 3),
        "cpu_ratio_api_key": round(cpu["api_key"] / cpu["bare"], 3) if cpu["bare"] else None,
        "cpu_ratio_jwt": round(cpu["jwt"] / cpu["bare"], 3) if cpu["bare"] else None,
        "database": db,
        "cache": cache,
        "errors": sum(r.errors for rounds in results.values() for r in rounds),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
