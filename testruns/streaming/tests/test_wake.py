"""Embedded mode's cross-process wake-up: a writer in another process reaches this process's streams."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import uuid
from pathlib import Path

import pytest

from testruns import events
from testruns.streaming import stream, wake

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def wake_data_dir(settings, tmp_path_factory):
    settings.DATA_DIR = tmp_path_factory.mktemp("wk")  # short: a unix socket's path has at most 107 bytes
    yield settings.DATA_DIR
    wake._close_at_exit()


PUSH = """
import sys, django
django.setup()
from channels.layers import InMemoryChannelLayer, get_channel_layer
from testruns import events
assert isinstance(get_channel_layer(), InMemoryChannelLayer)
for run_id, seq in zip(sys.argv[1::2], sys.argv[2::2]):
    events.push_event(run_id=run_id, seq=int(seq))
"""


async def push_from_another_process(data_dir, *pushes: tuple[str, int]) -> None:
    """As a Celery worker in embedded mode does after committing events: a process of its own, whose
    in-memory channel layer has no member of the run's group."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(ARGUS_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="argus.settings")
    argv = [str(part) for push in pushes for part in push]
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", PUSH, *argv, env=env, cwd=ROOT, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await asyncio.wait_for(child.communicate(), timeout=60)
    assert child.returncode == 0, stderr.decode()[-2000:]


def test_a_push_in_another_process_reaches_a_group_member_here(wake_data_dir, in_memory_layer):
    run_id = str(uuid.uuid4())
    handler = stream._CrossProcessWakeups(in_memory_layer)

    async def scenario() -> dict:
        channel = await in_memory_layer.new_channel()
        await in_memory_layer.group_add(events.run_group_name(run_id), channel)
        assert wake.listen(handler)
        await push_from_another_process(wake_data_dir, (run_id, 42))
        return await asyncio.wait_for(in_memory_layer.receive(channel), timeout=5)

    assert asyncio.run(scenario()) == {"type": events.EVENT_MESSAGE_TYPE, "seq": 42}


def test_a_wake_up_for_a_run_nobody_here_follows_is_dropped(wake_data_dir, in_memory_layer):
    followed, other = str(uuid.uuid4()), str(uuid.uuid4())
    handler = stream._CrossProcessWakeups(in_memory_layer)

    async def scenario() -> dict:
        channel = await in_memory_layer.new_channel()
        await in_memory_layer.group_add(events.run_group_name(followed), channel)
        assert wake.listen(handler)
        await push_from_another_process(wake_data_dir, (other, 1), (followed, 2))
        return await asyncio.wait_for(in_memory_layer.receive(channel), timeout=5)

    assert asyncio.run(scenario())["seq"] == 2  # the first datagram woke nobody


def test_a_socket_left_by_a_dead_process_is_removed_and_nothing_raises(wake_data_dir):
    directory = wake.wake_dir()
    directory.mkdir(parents=True)
    stale = directory / "999999.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(stale))
    sock.close()  # its process "died": the file stays, nobody reads it
    wake.notify(uuid.uuid4(), 1)
    assert not stale.exists()


def test_no_listener_anywhere_is_fine(wake_data_dir):
    wake.notify(uuid.uuid4(), 1)  # no directory at all
    assert not wake.wake_dir().exists()


def test_a_data_directory_too_long_for_a_socket_means_polling_only(settings, tmp_path):
    settings.DATA_DIR = tmp_path / ("d" * 120)

    async def scenario() -> bool:
        return wake.listen(lambda run_id, seq: None)

    assert asyncio.run(scenario()) is False


def test_the_listener_moves_to_a_new_event_loop_and_removes_its_socket_at_exit(wake_data_dir):
    path = wake.wake_dir() / f"{os.getpid()}.sock"

    async def scenario() -> bool:
        return wake.listen(lambda run_id, seq: None)

    assert asyncio.run(scenario()) and path.exists()
    assert asyncio.run(scenario()) and path.exists()  # a second loop (the first is closed) binds again
    wake._close_at_exit()
    assert not path.exists()
