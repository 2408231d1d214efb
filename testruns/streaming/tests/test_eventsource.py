"""A real browser's EventSource: parsing, query-token auth, and automatic resume with Last-Event-ID."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.browser
@pytest.mark.slow
def test_eventsource_gets_every_event_once_across_a_server_restart(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "argus.settings",
        "ARGUS_DATA_DIR": str(tmp_path),
        "ARGUS_SECRET_KEY": "eventsource-" + uuid.uuid4().hex,
        "ARGUS_STREAM_RETRY_MS": "300",  # reconnect quickly after the restart
        "ARGUS_LOG_LEVEL": "WARNING",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "ARGUS_SQLITE_PATH"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "testruns.streaming.tests.eventsource_check"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    seen = result["seen"]
    assert [e["id"] for e in seen] == ["1", "2", "3", "4", "5", "6", "7"]
    assert [e["kind"] for e in seen] == ["state_update", "log", "screenshot", "log", "log", "log", "complete"]
    assert seen[0]["data"] == {"status": "running", "current_test": "login_test"}
    assert seen[5]["data"]["message"] == "while the server was down"
    assert result["opens"] >= 2  # it reconnected by itself
    resumed = [r for r in result["requests"] if r["last_event_id"] is not None]
    assert resumed and resumed[0]["last_event_id"] == "5"
