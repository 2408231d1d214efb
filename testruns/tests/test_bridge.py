"""The CallBridge between the engine thread and the task thread: calls waited for, writes posted."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from testruns.events import LeaseLost
from testruns.execution.bridge import CallBridge


def serve(bridge: CallBridge, engine, *, tick=lambda: None):
    """Run `engine` on its own thread (as the worker does) and serve its calls on this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return bridge.serve_until(pool.submit(engine), tick=tick)


def test_posted_writes_and_calls_run_in_the_order_made_on_the_serving_thread():
    bridge = CallBridge()
    served: list[tuple[str, str]] = []
    serving_thread = threading.current_thread().name

    def record(name: str) -> str:
        served.append((name, threading.current_thread().name))
        return name.upper()

    def engine():
        answers = []
        for i in range(5):
            bridge.post(record, f"write{i}")
            answers.append(bridge.call(record, f"read{i}"))
        bridge.post(record, "last")
        return answers

    assert serve(bridge, engine) == [f"READ{i}" for i in range(5)]
    assert [name for name, _ in served] == [x for i in range(5) for x in (f"write{i}", f"read{i}")] + ["last"]
    assert {thread for _, thread in served} == {serving_thread}


def test_the_engine_does_not_wait_for_a_posted_write_but_serve_until_does():
    bridge = CallBridge()
    release = threading.Event()
    stored: list[str] = []
    posted_after: list[float] = []

    def slow_write():
        release.wait(5)
        stored.append("written")

    def engine():
        started = time.monotonic()
        bridge.post(slow_write)
        posted_after.append(time.monotonic() - started)
        threading.Timer(0.3, release.set).start()
        return "done"

    assert serve(bridge, engine) == "done"
    assert posted_after[0] < 0.1
    assert stored == ["written"]  # serve_until returned only once the posted write was done


def test_posting_waits_while_the_queue_is_full():
    bridge = CallBridge(max_posted=2)
    gate = threading.Event()
    posted_at: list[float] = []

    def engine():
        started = time.monotonic()
        for _ in range(3):
            bridge.post(gate.wait, 5)
            posted_at.append(time.monotonic() - started)

    threading.Timer(0.4, gate.set).start()
    serve(bridge, engine)
    assert posted_at[1] < 0.2  # two fit
    assert posted_at[2] >= 0.3  # the third waited for room


def test_a_failed_posted_write_stops_later_writes_and_the_engine_at_its_next_call():
    bridge = CallBridge()
    written: list[str] = []
    engine_saw: list[BaseException] = []

    def refuse():
        raise LeaseLost("taken over")

    def engine():
        bridge.post(written.append, "before")
        bridge.post(refuse)
        bridge.post(written.append, "queued after the failure")
        try:
            bridge.call(written.append, "read after the failure")
        except LeaseLost as exc:
            engine_saw.append(exc)
            raise

    with pytest.raises(LeaseLost, match="taken over"):
        serve(bridge, engine)
    assert written == ["before"]
    assert len(engine_saw) == 1


def test_a_failed_last_write_is_raised_by_serve_until_even_without_another_call():
    bridge = CallBridge()

    def refuse():
        raise LeaseLost("taken over")

    def engine():
        bridge.post(refuse)
        return "finished"

    with pytest.raises(LeaseLost):
        serve(bridge, engine)


def test_closing_releases_an_engine_waiting_for_room_to_post():
    bridge = CallBridge(max_posted=1)
    outcome: list[BaseException] = []

    def engine():
        try:
            bridge.post(time.sleep, 0)
            bridge.post(time.sleep, 0)  # nobody serves: waits for room
        except LeaseLost as exc:
            outcome.append(exc)

    thread = threading.Thread(target=engine)
    thread.start()
    time.sleep(0.2)
    assert thread.is_alive()
    bridge.close(LeaseLost("the task stopped serving"))
    thread.join(5)
    assert not thread.is_alive() and len(outcome) == 1
