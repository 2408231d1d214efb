"""Embedded mode's cross-process wake-up: "look now" from a writer in another process to open streams.

The in-memory channel layer reaches only the consumers of its own process, and in embedded mode the
events are written by the Celery worker while the streams live in Daphne; without this they learn of an
event only at their next database poll (ARGUS_STREAM_POLL_SECONDS). So:

- A process with open streams listens on a unix datagram socket, `<DATA_DIR>/stream-wake/<pid>.sock`,
  bound on its event loop when its first stream opens (`listen`).
- `notify(run_id, seq)` (called by testruns.events.push_event after the event is committed, in embedded
  mode) sends `"<run_id> <seq>"` to every other process's socket there. It never blocks and never
  raises: a socket whose process is gone is removed, a full one is skipped.
- The listener hands each datagram to a callback; the streams turn it into the in-memory group push a
  writer in their own process would have made, so the stream reads the table at once.

Nothing depends on the datagram arriving: the stream's database poll stays, so a lost one delays an
event by at most one poll interval, as before.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

DIRECTORY = "stream-wake"
MAX_DATAGRAM = 256
# sun_path is 108 bytes on Linux, including the terminating NUL.
MAX_SOCKET_PATH = 107

OnWake = Callable[[str, int], None]


def wake_dir() -> Path:
    return Path(settings.DATA_DIR) / DIRECTORY


class _Listener:
    """This process's socket, read on one event loop (the ASGI server's)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, sock: socket.socket, path: Path, on_wake: OnWake) -> None:
        self.loop, self.sock, self.path, self.on_wake = loop, sock, path, on_wake
        self.pid = os.getpid()
        loop.add_reader(sock.fileno(), self._readable)

    def _readable(self) -> None:
        while True:
            try:
                datagram = self.sock.recv(MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                logger.warning("Stream wake-up socket %s failed; streams poll only", self.path, exc_info=True)
                self.close()
                return
            try:
                run_id, seq = datagram.decode().split()
                self.on_wake(run_id, int(seq))
            except Exception:
                logger.warning("Ignoring a malformed stream wake-up %r", datagram[:80], exc_info=True)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if not self.loop.is_closed():
                self.loop.remove_reader(self.sock.fileno())
        self.sock.close()
        if self.pid == os.getpid():
            with contextlib.suppress(OSError):
                self.path.unlink()


_lock = threading.Lock()
_listener: _Listener | None = None


def listen(on_wake: OnWake) -> bool:
    """Call from the event loop that serves streams: bind this process's socket on it (once per loop).

    Returns whether the process is listening; when it cannot (say, a data directory whose path is too
    long for a unix socket), streams still work by their poll.
    """
    global _listener
    loop = asyncio.get_running_loop()
    with _lock:
        current = _listener
        if current is not None and current.loop is loop and current.pid == os.getpid() and not loop.is_closed():
            current.on_wake = on_wake
            return True
        if current is not None:
            if current.pid == os.getpid():
                current.close()  # a loop that has ended (tests run one per test); its socket path is ours
            _listener = None
        path = wake_dir() / f"{os.getpid()}.sock"
        if len(os.fsencode(path)) > MAX_SOCKET_PATH:
            logger.info("Stream wake-ups are off: %s is too long for a unix socket; streams poll only", path)
            return False
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                path.unlink()  # left by a dead process that had our pid
            sock.bind(str(path))
            sock.setblocking(False)
            _listener = _Listener(loop, sock, path, on_wake)
        except OSError:
            sock.close()
            logger.warning("Could not listen for stream wake-ups at %s; streams poll only", path, exc_info=True)
            return False
        return True


def _close_at_exit() -> None:
    if _listener is not None and _listener.pid == os.getpid():
        _listener.close()


atexit.register(_close_at_exit)


class _Sender:
    """One unbound datagram socket per process (a forked child makes its own)."""

    def __init__(self) -> None:
        self.sock: socket.socket | None = None
        self.pid: int | None = None
        self.lock = threading.Lock()

    def send(self, payload: bytes) -> None:
        directory = wake_dir()
        try:
            names = [entry.name for entry in os.scandir(directory) if entry.name.endswith(".sock")]
        except FileNotFoundError:
            return  # no process has ever listened here
        own = f"{os.getpid()}.sock"
        with self.lock:
            if self.sock is None or self.pid != os.getpid():
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                self.sock.setblocking(False)
                self.pid = os.getpid()
            for name in names:
                if name == own:
                    continue  # this process's own streams are reached through its channel layer
                path = directory / name
                try:
                    self.sock.sendto(payload, str(path))
                except (ConnectionRefusedError, FileNotFoundError):
                    with contextlib.suppress(OSError):
                        path.unlink()  # its process is gone (killed before it could remove it)
                except (BlockingIOError, OSError):
                    pass  # a full or broken socket: that stream finds the event at its next poll


_sender = _Sender()


def _after_fork_in_child() -> None:
    # Locks another thread held at fork time would stay held in the child; its parent's sockets are not its own.
    global _lock, _listener, _sender
    _lock, _listener, _sender = threading.Lock(), None, _Sender()


os.register_at_fork(after_in_child=_after_fork_in_child)


def notify(run_id: object, seq: int) -> None:
    """Wake other processes' streams of this run. Never raises."""
    try:
        _sender.send(f"{run_id} {seq}".encode())
    except Exception:
        logger.warning("Stream wake-up for run %s failed; streams will poll", run_id, exc_info=True)
