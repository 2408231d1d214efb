"""A real Chromium's EventSource against a real Daphne, including a server restart mid-stream.

Run by test_eventsource.py in a child process (it needs its own data directory and settings):

    ARGUS_DATA_DIR=... python -m testruns.streaming.tests.eventsource_check

The page is served by Argus itself (same origin, as the dashboard would be) and authenticates with
`?token=`. Three events are stored before the browser connects, two arrive live, then Daphne is
stopped: the browser reconnects on its own with Last-Event-ID to a new Daphne on the same port, and
receives the rest once. Prints one JSON line: what the browser saw and the requests it made.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[3]

LISTEN = """
window.seen = []; window.opens = 0; window.done = false;
const source = new EventSource(%s);
source.onopen = () => { window.opens += 1; };
for (const kind of ["state_update", "log", "screenshot", "complete"]) {
  source.addEventListener(kind, (e) => {
    window.seen.push({kind: e.type, id: e.lastEventId, data: JSON.parse(e.data)});
    if (e.type === "complete") { source.close(); window.done = true; }
  });
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_daphne(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "argus.asgi:application"],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/.well-known/jwks.json", timeout=2)
            return proc
        except httpx.TransportError:
            if proc.poll() is not None:
                raise RuntimeError("daphne exited during start-up") from None
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("daphne did not start")


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from playwright.sync_api import sync_playwright

    from accounts.jwt import mint_local_token
    from testruns.engine.browser import CHROMIUM_ARGS, chromium_path
    from testruns.events import append_event
    from testruns.models import Run
    from tests import factories

    call_command("migrate", verbosity=0)
    owner = factories.make_profile("browser@example.com", user_id="user_browser")
    org = factories.make_org(owner, name="Browser")
    project = factories.make_project(org)
    run = Run.objects.create(organization=org, project=project, app_url=project.app_url, status=Run.Status.RUNNING)
    token = mint_local_token(email=owner.email, user_id=owner.user_id)

    # Sync Playwright runs an event loop in this thread, where Django refuses database calls: once the
    # browser is up, events are stored from a thread of their own (as a worker would, elsewhere).
    database = ThreadPoolExecutor(max_workers=1)

    def add(kind: str, data: dict) -> None:
        database.submit(append_event, run_id=run.id, kind=kind, data=data).result()

    add("state_update", {"status": "running", "current_test": "login_test"})
    add("log", {"level": "info", "message": "Navigating to login page"})
    add("screenshot", {"base64": "iVBORw0KGgo=", "step": 1})

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_daphne(port)
    requests: list[dict[str, str | None]] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = browser.new_page()
            # all_headers(): `headers` leaves out what the network stack adds, Last-Event-ID included.
            page.on(
                "request",
                lambda r: (
                    requests.append({"url": r.url, "last_event_id": r.all_headers().get("last-event-id")})
                    if "/stream/" in r.url
                    else None
                ),
            )
            page.goto(f"{base}/.well-known/jwks.json")
            page.evaluate(LISTEN % json.dumps(f"/api/v1/stream/runs/{run.id}?token={token}"))
            page.wait_for_function("window.seen.length === 3", timeout=15_000)
            add("log", {"level": "info", "message": "live 1"})
            add("log", {"level": "info", "message": "live 2"})
            page.wait_for_function("window.seen.length === 5", timeout=15_000)

            server.terminate()  # the connection drops under the browser
            server.wait(10)
            add("log", {"level": "info", "message": "while the server was down"})
            server = start_daphne(port)
            add("complete", {"passed": 1, "failed": 0, "duration_seconds": 3})
            page.wait_for_function("window.done === true", timeout=30_000)
            seen = page.evaluate("window.seen")
            opens = page.evaluate("window.opens")
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    print(json.dumps({"seen": seen, "opens": opens, "requests": requests}))


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "argus.settings")
    sys.path.insert(0, str(REPO))
    main()
