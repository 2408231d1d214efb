"""Distributed mode for real: PostgreSQL, Redis, two `celery worker` processes and `celery beat`.

One worker is killed with SIGKILL in the middle of a run; beat notices the silent heartbeat and re-queues
the run, and the other worker finishes it from the last checkpoint, every step recorded once.
The processes get their own database and Redis database and only this test's processes are killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from testruns.engine.testing import DEMO_TESTS, DemoAppServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = os.environ.get("ARGUS_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_TEST_URL = os.environ.get("ARGUS_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
SIGN_IN = DEMO_TESTS[0]["steps"][:6]
# Long enough to kill a worker in the middle, short enough to keep the suite quick.
LONG_TEST = [*SIGN_IN, *["Wait 0.5 seconds", "Expect to see Blue mug"] * 6]

SETUP = """
from django.db import transaction
from tests import factories
from testruns import services
owner = factories.make_profile("owner@example.com")
org = factories.make_org(owner, plan="team")
project = factories.make_project(org, app_url=APP_URL)
factories.make_test(project, STEPS, name="long")
with transaction.atomic():
    run = services.run_start(project=project, test_ids=[], options={"step_timeout_ms": 5000})
print(run.id)
"""


def _services_available() -> str | None:
    try:
        import psycopg
        import redis

        psycopg.connect(PG_ADMIN_URL, connect_timeout=2).close()
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # the machine's services are not there: nothing to test against
        return str(exc)
    return None


@pytest.fixture(scope="module")
def distributed_env(tmp_path_factory) -> Iterator[dict[str, str]]:
    reason = _services_available()
    if reason:
        pytest.skip(f"PostgreSQL/Redis not reachable: {reason}")
    import psycopg
    import redis

    db_name = f"argus_durability_{os.getpid()}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}"')
        conn.execute(f'CREATE DATABASE "{db_name}"')
    redis.Redis.from_url(REDIS_TEST_URL).flushdb()
    data_dir = tmp_path_factory.mktemp("distributed")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "argus.settings",
        "DATABASE_URL": PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{db_name}",
        "REDIS_URL": REDIS_TEST_URL,
        "ARGUS_CACHE_PREFIX": db_name,
        "ARGUS_DATA_DIR": str(data_dir),
        "ARGUS_RUN_HEARTBEAT_SECONDS": "0.5",
        "ARGUS_RUN_STALE_SECONDS": "3",
        "ARGUS_RUN_RECOVERY_SECONDS": "1",
        "ARGUS_CELERY_EAGER": "0",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=180)
    yield env
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    redis.Redis.from_url(REDIS_TEST_URL).flushdb()


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    # A session of its own, so teardown can end the process and its Chromium without touching anything else.
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "argus", *args],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


class _Reader:
    """One autocommit connection for the test's polling (the server's connection slots are shared)."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)

    def __call__(self, env: dict[str, str], sql: str, *params: object) -> list[tuple]:
        return self.conn.execute(sql, params).fetchall()


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_run_survives_its_worker_being_killed(distributed_env, tmp_path):
    env = distributed_env
    procs: list[subprocess.Popen] = []
    reader: _Reader | None = None
    with DemoAppServer() as app:
        try:
            worker_args = ["worker", "--pool=solo", "--without-gossip", "--without-mingle", "-l", "INFO"]
            for name in ("alpha", "beta"):
                procs.append(_start([*worker_args, "-n", f"{name}@%h"], env, tmp_path / f"{name}.log"))
            procs.append(_start(["beat", "-s", str(tmp_path / "beat-schedule"), "-l", "INFO"], env, tmp_path / "b.log"))
            setup = SETUP.replace("APP_URL", repr(app.url)).replace("STEPS", repr(LONG_TEST))
            out = subprocess.run(
                [sys.executable, "manage.py", "shell", "-c", setup],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
                timeout=120,
            )
            run_id = out.stdout.strip().splitlines()[-1]
            reader = _query = _Reader(env["DATABASE_URL"])

            def mid_run():
                rows = _query(
                    env,
                    "select r.worker_id, (select count(*) from testruns_checkpoint c where c.run_id = r.id) "
                    "from testruns_run r where r.id = %s and r.status = 'running'",
                    run_id,
                )
                return rows[0] if rows and rows[0][1] >= len(SIGN_IN) + 3 else None

            holder, _ = _wait_for(mid_run, 90, "the run to be in the middle")
            pid = int(holder.rsplit(":", 1)[1])
            victim = next(p for p in procs if p.pid == pid)
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=10)

            def finished():
                rows = _query(
                    env,
                    "select status, worker_id, lease from testruns_run where id = %s and finished_at is not null",
                    run_id,
                )
                return rows[0] if rows else None

            status, worker_id, lease = _wait_for(finished, 120, "the run to finish on the other worker")
            logs = "\n".join(p.read_text(errors="replace") for p in tmp_path.glob("*.log"))
            assert status == "passed", logs[-4000:]
            assert worker_id != holder and lease == 2
            steps = _query(
                env,
                "select s.index, count(*) from testruns_stepresult s join testruns_testresult t "
                "on t.id = s.test_result_id where t.run_id = %s group by s.index order by s.index",
                run_id,
            )
            assert steps == [(i, 1) for i in range(len(LONG_TEST))]
            messages = [
                row[0]
                for row in _query(
                    env,
                    "select data->>'message' from testruns_runevent where run_id = %s and kind = 'log' "
                    "and data->>'message' like 'Step %%' order by seq",
                    run_id,
                )
            ]
            numbers = [m.split(":")[0] for m in messages]  # "Step 7: ... (512 ms)": durations differ per try
            assert numbers == [f"Step {i + 1}" for i in range(len(LONG_TEST))]
            completes = _query(
                env, "select count(*) from testruns_runevent where run_id = %s and kind = 'complete'", run_id
            )
            assert completes == [(1,)]
        finally:
            for proc in procs:
                _kill_group(proc)
            if reader is not None:
                reader.conn.close()
