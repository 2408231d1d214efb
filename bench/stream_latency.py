"""Stream latency: from `append_event` to an SSE client holding the event, embedded vs Redis, side by side.

    .venv/bin/python bench/stream_latency.py [--count 200] [--interval 0.02] [--modes embedded,redis]

For each mode, a child process makes a throwaway data directory (SQLite file), migrates it, creates
an organization, a project and a running run, starts ONE real Daphne (`daphne argus.asgi:application`)
on 127.0.0.1, opens `GET /api/v1/stream/runs/{id}` with httpx, and appends `count` events from its own
process (as a Celery worker would) `interval` seconds apart, timing each one.

  embedded  no REDIS_URL: the in-memory channel layer cannot reach Daphne's process, so the stream's
            short database poll (ARGUS_STREAM_POLL_SECONDS, 50 ms) is what delivers
  redis     REDIS_URL set: each stored event is pushed through the Redis channel layer and wakes the
            stream at once; the poll is only the safety net

Columns: p50/p95/max from just before `append_event` to the client holding the event; "store" is
the append call alone (database write and, with Redis, the push); "deliv" is the rest (the stream's
own share: wake-up or poll, read, send); "close" is from storing `complete` to the response ending.
Each mode also checks what latency cannot show: every probe arrived once and in order, and the
organization's stream slots are released when clients hang up (10 open, the 11th refused, all closed,
10 open again). The last line printed is one JSON object with the results.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(data: Path, mode: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "argus.settings",
        "ARGUS_DATA_DIR": str(data),
        "ARGUS_SQLITE_PATH": str(data / "argus.sqlite3"),
        "ARGUS_SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "ARGUS_DEBUG": "0",
        "ARGUS_LOG_LEVEL": "WARNING",
        "ARGUS_RATE_LIMIT_GENERAL": "1000000000/3600",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "ARGUS_STREAM_POLL_SECONDS"):
        env.pop(name, None)
    if mode == "redis":
        env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
        env["ARGUS_CACHE_PREFIX"] = "argus-bench-" + uuid.uuid4().hex[:8]
    return env


# --- Child: one mode ---------------------------------------------------------------------------------
def _start_daphne(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "argus.asgi:application"],
        cwd=REPO,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    probe = f"http://127.0.0.1:{port}/api/v1/stream/runs/{uuid.uuid4()}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("daphne exited during start-up")
        try:
            if httpx.get(probe, timeout=2).status_code == 401:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    sys.exit("daphne did not start within 60 seconds")


async def _slot_check(url: str, headers: dict[str, str]) -> dict[str, object]:
    """10 streams open, the 11th refused; all hung up; 10 open again (slots came back)."""

    async def open_many(client: httpx.AsyncClient, n: int) -> tuple[list[int], list]:
        statuses, responses = [], []
        for _ in range(n):
            request = client.build_request("GET", url, headers=headers)
            response = await client.send(request, stream=True)
            statuses.append(response.status_code)
            responses.append(response)
        return statuses, responses

    async def hang_up(responses: list) -> None:
        for response in responses:
            await response.aclose()

    limits = httpx.Limits(max_connections=50, max_keepalive_connections=0)
    # The latency measurement's own stream has just hung up too: on a loaded machine its slot may not be
    # back yet, so the first look is also repeated for a while (the same check, given the same time).
    deadline = time.monotonic() + 10
    while True:
        async with httpx.AsyncClient(timeout=10, limits=limits) as client:
            first, responses = await open_many(client, 11)
            await hang_up(responses)
        if first == [200] * 10 + [429] or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.25)
    # The server notices the hang-ups (http.disconnect) and releases the slots: well before the slot TTL
    # (60 s) would reclaim them, but how soon depends on the machine's load, so look again for a while.
    deadline = time.monotonic() + 10
    while True:
        await asyncio.sleep(0.25)
        async with httpx.AsyncClient(timeout=10, limits=limits) as client:
            again, responses = await open_many(client, 10)
            await hang_up(responses)
        if again == [200] * 10 or time.monotonic() > deadline:
            break
    return {
        "first_11": first,
        "after_hang_up": again,
        "ok": first == [200] * 10 + [429] and again == [200] * 10,
    }


def child(mode: str, count: int, interval: float) -> dict[str, object]:
    import django

    django.setup()
    from django.core.management import call_command

    from accounts.jwt import mint_local_token
    from testruns.events import append_event
    from testruns.models import Run
    from testruns.streaming.latency import measure_close_latency, measure_stream_latency
    from tests import factories

    call_command("migrate", verbosity=0)
    owner = factories.make_profile("bench@example.com", user_id="user_bench")
    org = factories.make_org(owner, name="Bench")
    project = factories.make_project(org)
    run = Run.objects.create(organization=org, project=project, app_url=project.app_url, status=Run.Status.RUNNING)
    token = mint_local_token(email=owner.email, user_id=owner.user_id, ttl_seconds=7200)
    headers = {"Authorization": f"Bearer {token}"}
    port = _free_port()
    server = _start_daphne(port)
    url = f"http://127.0.0.1:{port}/api/v1/stream/runs/{run.id}"
    try:
        # A few unmeasured events first, so connection set-up and first-query costs are not counted;
        # the measured stream then resumes after them (Last-Event-ID), as a reconnecting client would.
        measure_stream_latency(url=url, headers=headers, count=5, interval=interval, append=lambda i: _probe(run, i))
        resume = {**headers, "Last-Event-ID": str(Run.objects.get(id=run.id).event_seq)}
        report = measure_stream_latency(
            url=url, headers=resume, count=count, interval=interval, append=lambda i: _probe(run, i)
        )
        slots = asyncio.run(_slot_check(url, headers))
        close_ms = []
        for _ in range(5):
            closing = Run.objects.create(
                organization=org, project=project, app_url=project.app_url, status=Run.Status.RUNNING
            )
            close_ms.append(
                measure_close_latency(
                    url=f"http://127.0.0.1:{port}/api/v1/stream/runs/{closing.id}",
                    headers=headers,
                    complete=lambda run=closing: append_event(
                        run_id=run.id, kind="complete", data={"passed": 0, "failed": 0, "duration_seconds": 0}
                    ),
                )
            )
    finally:
        server.terminate()
        server.wait(10)
    return {"mode": mode, **report.summary(), "close_max_ms": round(max(close_ms), 1), "slots": slots}


def _probe(run, i: int) -> None:
    from testruns.events import append_event

    append_event(run_id=run.id, kind="log", data={"level": "info", "message": "latency probe", "probe": i})


# --- Parent: every mode, side by side ------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200, help="events measured per mode")
    parser.add_argument("--interval", type=float, default=0.02, help="seconds between events")
    parser.add_argument("--modes", default="embedded,redis")
    parser.add_argument("--child", choices=["embedded", "redis"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.count, args.interval)))
        return
    results = []
    for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
        with tempfile.TemporaryDirectory(prefix=f"argus-stream-{mode}-") as data:
            done = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    mode,
                    "--count",
                    str(args.count),
                    "--interval",
                    str(args.interval),
                ],
                cwd=REPO,
                env=_environment(Path(data), mode),
                capture_output=True,
                text=True,
            )
        if done.returncode != 0:
            sys.exit(f"{mode} failed:\n{done.stderr[-3000:]}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(
        f"{'mode':<10}{'sent':>6}{'recv':>6}{'once,in order':>15}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
        f"{'store p50':>11}{'store p95':>11}{'deliv p50':>11}{'deliv p95':>11}{'close max':>11}  slots"
    )
    for r in results:
        print(
            f"{r['mode']:<10}{r['sent']:>6}{r['received']:>6}{r['in_order_once']!s:>15}"
            f"{r['p50_ms']!s:>9}{r['p95_ms']!s:>9}{r['max_ms']!s:>9}{r['store_p50_ms']!s:>11}{r['store_p95_ms']!s:>11}"
            f"{r['delivery_p50_ms']!s:>11}{r['delivery_p95_ms']!s:>11}"
            f"{r['close_max_ms']!s:>11}"
            f"  {'ok' if r['slots']['ok'] else r['slots']}"
        )
    if len(results) == 2 and results[0]["p95_ms"] and results[1]["p95_ms"]:
        print(f"p95 {results[0]['mode']} / {results[1]['mode']}: {results[0]['p95_ms'] / results[1]['p95_ms']:.2f}")
    print(json.dumps({"stream_latency": results}))


if __name__ == "__main__":
    main()
