"""The counters in the machine's Redis: shared by threads and by separate server processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import redis

from argus.ratelimit import hit

pytestmark = pytest.mark.redis

REPO = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/0"


def test_threads_hammering_one_redis_counter_get_exactly_the_limit(redis_cache, settings):
    settings.ARGUS_RATE_LIMITS = {"general": "37/3600"}
    results: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(10)

    def worker() -> None:
        barrier.wait()
        for _ in range(20):
            allowed = hit("general", "key:shared").allowed
            with lock:
                results.append(allowed)

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Counter(results) == {True: 37, False: 163}
    # The counter lives in Redis under this run's prefix and expires on its own.
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{redis_cache}:*rl:general:key:shared:*"))
    assert len(keys) == 1
    assert 3600 < client.ttl(keys[0]) <= 3605


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


CREATE_KEY = """
from tests import factories
owner = factories.make_profile("bench@example.com")
org = factories.make_org(owner, name="Two servers")
_key, raw = factories.make_api_key(org, owner, scopes=["read"])
print(raw)
"""


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    """Two Daphne processes on one SQLite file and one Redis, as two web servers behind a balancer."""
    data = tmp_path_factory.mktemp("two-servers")
    prefix = f"argus-test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "argus.settings",
        "ARGUS_DATA_DIR": str(data),
        "ARGUS_SQLITE_PATH": str(data / "argus.sqlite3"),
        "ARGUS_SECRET_KEY": "two-servers-test",
        "ARGUS_DEBUG": "0",
        "REDIS_URL": REDIS_URL,
        "ARGUS_CACHE_PREFIX": prefix,
        "ARGUS_RATE_LIMIT_GENERAL": "30/3600",
        "ARGUS_LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    _manage(env, "migrate", "--noinput")
    raw_key = _manage(env, "shell", "-c", CREATE_KEY).strip().splitlines()[-1]
    ports = [_free_port(), _free_port()]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "argus.asgi:application"],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for port in ports
    ]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        deadline = time.monotonic() + 60
        for url, proc in zip(urls, procs, strict=True):
            while True:
                assert proc.poll() is None, proc.stderr.read().decode()[-3000:] if proc.stderr else ""
                try:
                    # Outside /api/: waiting for the servers counts against no limit.
                    if httpx.get(url + "/.well-known/jwks.json", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        yield urls, raw_key
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def _unexpected(responses: list[httpx.Response], expected: set[int]) -> list[tuple[int, str]]:
    return [(r.status_code, r.text[:300]) for r in responses if r.status_code not in expected]


def _fire(urls: list[str], headers: dict[str, str], total: int) -> list[httpx.Response]:
    clients = [httpx.Client(base_url=url, headers=headers, timeout=90) for url in urls]
    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            return list(pool.map(lambda i: clients[i % 2].get("/api/v1/users/me"), range(total)))
    finally:
        for client in clients:
            client.close()


@pytest.mark.slow
def test_two_server_processes_share_one_limit_per_api_key(two_servers):
    urls, raw_key = two_servers
    responses = _fire(urls, {"X-API-Key": raw_key}, 70)
    assert Counter(r.status_code for r in responses) == {200: 30, 429: 40}, _unexpected(responses, {200, 429})
    # Both servers answered both kinds: the limit really was shared, not reached by one alone.
    served_by = {(r.url.port, r.status_code) for r in responses}
    assert {status for _, status in served_by} == {200, 429}
    assert len({port for port, _ in served_by}) == 2
    for response in responses:
        assert int(response.headers["X-RateLimit-Limit"]) == 30
        assert int(response.headers["X-RateLimit-Reset"]) > time.time()
    remaining = sorted(int(r.headers["X-RateLimit-Remaining"]) for r in responses if r.status_code == 200)
    assert remaining == list(range(30))
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.json()["status_code"] == 429
    assert int(refused.headers["Retry-After"]) >= 1


@pytest.mark.slow
def test_two_server_processes_share_one_limit_per_address_for_401s(two_servers):
    urls, _ = two_servers
    responses = _fire(urls, {}, 50)
    assert Counter(r.status_code for r in responses) == {401: 30, 429: 20}, _unexpected(responses, {401, 429})
    assert all(r.json()["status_code"] == r.status_code for r in responses)
    assert all("X-RateLimit-Remaining" in r.headers for r in responses)


def test_an_unreachable_cache_serves_requests_unlimited_and_logs_it(settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
    settings.ARGUS_RATE_LIMITS = {"general": "1/3600"}
    states = [hit("general", "addr:192.0.2.1") for _ in range(3)]
    assert all(state.allowed for state in states)
    assert states[0].remaining == 1
    assert "requests are not being limited" in caplog.text
