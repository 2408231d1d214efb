"""Run a whole embedded Argus from one command: web server, Celery worker with beat, and the demo app.

Each part is its own process, as in distributed mode; this command only starts them, forwards
Ctrl-C, and stops everything when one part dies, so a broken worker is never hidden behind a live server.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand


@dataclass
class Part:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None


class Command(BaseCommand):
    help = "Start Argus (Daphne), a Celery worker with beat, and the demo app; stop them all on Ctrl-C."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--demo-port", type=int, default=8001)
        parser.add_argument("--no-worker", action="store_true", help="Workers run elsewhere (distributed mode)")
        parser.add_argument("--no-demo", action="store_true", help="Do not serve the demo app")
        parser.add_argument("--concurrency", type=int, default=2, help="Runs executed in parallel by the worker")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        python = sys.executable
        parts = [
            Part(
                "web",
                [
                    python,
                    "-m",
                    "argus.serve",
                    "-b",
                    options["host"],
                    "-p",
                    str(options["port"]),
                    "argus.asgi:application",
                ],
            )
        ]
        if not options["no_worker"]:
            parts.append(
                Part(
                    "worker",
                    [
                        python,
                        "-m",
                        "celery",
                        "-A",
                        "argus",
                        "worker",
                        "--beat",
                        "--schedule",
                        str(settings.DATA_DIR / "celerybeat-schedule"),
                        "--concurrency",
                        str(options["concurrency"]),
                        "--loglevel",
                        "INFO",
                    ],
                )
            )
        if not options["no_demo"]:
            parts.append(
                Part(
                    "demo",
                    [
                        python,
                        "-m",
                        "testruns.engine.testing",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(options["demo_port"]),
                    ],
                )
            )
        for part in parts:
            part.process = subprocess.Popen(part.argv)
            self.stdout.write(f"started {part.name} (pid {part.process.pid})")
        self.stdout.write(
            f"\nArgus is at http://{options['host']}:{options['port']}/  (API docs: /docs)\n"
            "Get a token:   .venv/bin/python manage.py argus_token demo@argus.local\n"
            "Start a demo run and watch it stream: see README.md, section 'Your first run'.\n"
        )
        stopping = False

        def stop(*_: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while not stopping:
            for part in parts:
                assert part.process is not None
                code = part.process.poll()
                if code is not None:
                    self.stderr.write(f"{part.name} exited with code {code}; stopping Argus")
                    exit_code = code or 1
                    stopping = True
            time.sleep(0.5)
        for part in parts:
            if part.process and part.process.poll() is None:
                part.process.terminate()
        deadline = time.monotonic() + 10
        for part in parts:
            if part.process is None:
                continue
            try:
                part.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                part.process.kill()
        if exit_code:
            sys.exit(exit_code)
