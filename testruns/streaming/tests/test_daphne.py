"""The stream behind a real Daphne, in its own process, as in production (bench/stream_latency.py does the work).

What only a real server shows: headers and events flushed at once over HTTP, a worker in another
process reaching the stream (embedded mode by a datagram wake-up or the poll, Redis mode by the push), and a
client hanging up noticed by the server so its slot comes back. No wall-clock thresholds here; the
bench prints the latency numbers.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench" / "stream_latency.py"


def run_bench(mode: str) -> dict:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--modes", mode, "--count", "30", "--interval", "0.01"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
    (result,) = json.loads(done.stdout.strip().splitlines()[-1])["stream_latency"]
    return result


@pytest.mark.slow
def test_embedded_mode_delivers_every_event_once_in_order_and_frees_slots_on_hang_up():
    result = run_bench("embedded")
    assert result["error"] is None
    assert (result["sent"], result["received"], result["in_order_once"]) == (30, 30, True)
    assert result["slots"]["first_11"] == [200] * 10 + [429]
    assert result["slots"]["after_hang_up"] == [200] * 10


@pytest.mark.slow
@pytest.mark.redis
def test_redis_mode_delivers_every_event_once_in_order_and_frees_slots_on_hang_up():
    result = run_bench("redis")
    assert result["error"] is None
    assert (result["sent"], result["received"], result["in_order_once"]) == (30, 30, True)
    assert result["slots"]["ok"] is True, result["slots"]
