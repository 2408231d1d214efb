"""How long an event takes from `append_event` to an SSE client holding it, over real HTTP.

`measure_stream_latency` opens one stream with httpx in a thread, then calls `append(i)` `count`
times (the caller stores an event whose data carries `"probe": i`, e.g. through `append_event`),
timing each from just before the append to the moment its bytes reach the client. Both clocks are
this process's `perf_counter`, so the server may be anywhere. Used by `bench/stream_latency.py`.
"""

from __future__ import annotations

import math
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from testruns.streaming.sse import decode_block


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class LatencyReport:
    samples_ms: list[float]  # append started -> client holds the event
    sent: int
    store_ms: list[float] = field(default_factory=list)  # the append call alone (the database write + push)
    delivery_ms: list[float] = field(default_factory=list)  # append returned -> client holds the event
    received_ids: list[int] = field(default_factory=list)  # SSE ids of the probes, in arrival order
    error: str | None = None

    @property
    def in_order_once(self) -> bool:
        ids = self.received_ids
        return len(ids) == len(set(ids)) and ids == sorted(ids) and len(ids) == self.sent

    def summary(self) -> dict[str, float | int | bool | str | None]:
        samples = self.samples_ms
        return {
            "sent": self.sent,
            "received": len(samples),
            "in_order_once": self.in_order_once,
            "p50_ms": round(percentile(samples, 50), 1) if samples else None,
            "p95_ms": round(percentile(samples, 95), 1) if samples else None,
            "max_ms": round(max(samples), 1) if samples else None,
            "mean_ms": round(statistics.fmean(samples), 1) if samples else None,
            "store_p50_ms": round(percentile(self.store_ms, 50), 1) if self.store_ms else None,
            "store_p95_ms": round(percentile(self.store_ms, 95), 1) if self.store_ms else None,
            "delivery_p50_ms": round(percentile(self.delivery_ms, 50), 1) if self.delivery_ms else None,
            "delivery_p95_ms": round(percentile(self.delivery_ms, 95), 1) if self.delivery_ms else None,
            "error": self.error,
        }


def measure_stream_latency(
    *,
    url: str,
    headers: dict[str, str],
    append: Callable[[int], None],
    count: int = 200,
    interval: float = 0.02,
    timeout: float = 30.0,
) -> LatencyReport:
    sent_at: dict[int, float] = {}
    stored_at: dict[int, float] = {}
    received_at: dict[int, float] = {}
    report = LatencyReport(samples_ms=[], sent=count)
    connected = threading.Event()
    stop = threading.Event()

    def listen() -> None:
        try:
            with (
                httpx.Client(timeout=httpx.Timeout(timeout)) as client,
                client.stream("GET", url, headers=headers) as response,
            ):
                if response.status_code != 200:
                    report.error = f"HTTP {response.status_code}: {response.read()[:300]!r}"
                    return
                buffer = ""
                for chunk in response.iter_bytes():
                    now = time.perf_counter()
                    connected.set()  # the first chunk (the retry hint) means the stream is open
                    buffer += chunk.decode()
                    while "\n\n" in buffer:
                        block, buffer = buffer.split("\n\n", 1)
                        message = decode_block(block)
                        if isinstance(message.data, dict) and "probe" in message.data:
                            received_at[message.data["probe"]] = now
                            report.received_ids.append(message.id or 0)
                    if len(received_at) >= count or stop.is_set():
                        return
        except httpx.HTTPError as exc:
            report.error = f"{type(exc).__name__}: {exc}"
        finally:
            connected.set()

    listener = threading.Thread(target=listen, name="stream-latency-client", daemon=True)
    listener.start()
    if not connected.wait(timeout) or report.error:
        report.error = report.error or "the stream did not open"
        return report
    for i in range(count):
        sent_at[i] = time.perf_counter()
        append(i)
        stored_at[i] = time.perf_counter()
        report.store_ms.append((stored_at[i] - sent_at[i]) * 1000)
        time.sleep(interval)
    listener.join(timeout)
    stop.set()
    measured = [i for i in sorted(received_at) if i in sent_at]
    report.samples_ms = [(received_at[i] - sent_at[i]) * 1000 for i in measured]
    report.delivery_ms = [max(0.0, (received_at[i] - stored_at[i]) * 1000) for i in measured]
    return report


def measure_close_latency(
    *, url: str, headers: dict[str, str], complete: Callable[[], None], timeout: float = 30.0
) -> float:
    """Milliseconds from storing a run's `complete` event to the client seeing the response end."""
    opened = threading.Event()
    ended_at: list[float] = []

    def listen() -> None:
        with (
            httpx.Client(timeout=httpx.Timeout(timeout)) as client,
            client.stream("GET", url, headers=headers) as response,
        ):
            for _chunk in response.iter_bytes():
                opened.set()
            ended_at.append(time.perf_counter())
        opened.set()

    listener = threading.Thread(target=listen, name="stream-close-client", daemon=True)
    listener.start()
    if not opened.wait(timeout):
        raise TimeoutError("the stream did not open")
    started = time.perf_counter()
    complete()
    listener.join(timeout)
    if not ended_at:
        raise TimeoutError("the stream did not end after complete")
    return (ended_at[0] - started) * 1000
