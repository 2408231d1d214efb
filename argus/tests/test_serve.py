"""The web process (Daphne through argus.serve) keeps stream credentials out of its access log."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from argus.serve import redact

ROOT = Path(__file__).resolve().parents[2]


def test_redact_replaces_only_the_credential_values() -> None:
    assert redact("/api/v1/stream?token=eyJ.a.b&since=3") == "/api/v1/stream?token=[redacted]&since=3"
    assert redact("/s?x=1&api_key=argus_sk_abc") == "/s?x=1&api_key=[redacted]"
    assert redact("/s?API_KEY=k#frag") == "/s?API_KEY=[redacted]#frag"
    assert redact("/tokens?mytoken=1&token_type=x") == "/tokens?mytoken=1&token_type=x"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_access_log_of_a_real_server_shows_no_token(tmp_path) -> None:
    port = _free_port()
    env = {**os.environ, "ARGUS_DATA_DIR": str(tmp_path), "DATABASE_URL": "", "REDIS_URL": ""}
    proc = subprocess.Popen(
        [sys.executable, "-m", "argus.serve", "-b", "127.0.0.1", "-p", str(port), "argus.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/no-such-page?token=s3cret-jwt&api_key=argus_sk_s3cret&since=4"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url, timeout=5)
            except urllib.error.HTTPError as answered:
                assert answered.code == 404
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=30)
    access = [x for x in output.splitlines() if '"GET /no-such-page' in x]
    assert len(access) == 1, output
    assert '"GET /no-such-page?token=[redacted]&api_key=[redacted]&since=4" 404' in access[0]
    assert "s3cret" not in output
