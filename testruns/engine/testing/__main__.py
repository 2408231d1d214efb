"""Serve the demo app: `python -m testruns.engine.testing --port 8001` (started by `manage.py runargus`)."""

from __future__ import annotations

import argparse
import signal
import threading

from .server import DemoAppServer


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve Argus's demo web app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    with DemoAppServer(args.host, args.port) as server:
        print(f"demo app at {server.url}/", flush=True)
        stopped.wait()


if __name__ == "__main__":
    main()
