"""Daphne, with the credentials a query string may carry left out of its access log.

Browsers cannot set headers on an EventSource, so the run stream also accepts `?token=` and
`?api_key=` (testruns/streaming/auth.py). Daphne's access log writes every request's path with its
query string; here those two parameters' values are replaced before a line is written.

    python -m argus.serve -b 0.0.0.0 -p 8000 argus.asgi:application   # daphne's own arguments
"""

from __future__ import annotations

import re
from typing import Any

from daphne import cli
from daphne.access import AccessLogGenerator

_CREDENTIALS = re.compile(r"([?&](?:token|api_key)=)[^&#\s]*", re.IGNORECASE)


def redact(path: str) -> str:
    """`/stream?token=eyJ...&x=1` -> `/stream?token=[redacted]&x=1`."""
    return _CREDENTIALS.sub(r"\1[redacted]", path)


class RedactingAccessLog(AccessLogGenerator):
    def __call__(self, protocol: str, action: str, details: dict[str, Any]) -> None:
        if isinstance(details.get("path"), str):
            details = {**details, "path": redact(details["path"])}
        super().__call__(protocol, action, details)


def main() -> None:
    cli.AccessLogGenerator = RedactingAccessLog  # the name daphne's command line builds its access log with
    cli.CommandLineInterface.entrypoint()


if __name__ == "__main__":
    main()
