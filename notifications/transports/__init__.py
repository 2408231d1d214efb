"""One transport per channel kind, behind the `Transport` interface of `base`."""

from __future__ import annotations

from notifications.transports.base import Transport
from notifications.transports.email import EmailTransport
from notifications.transports.in_app import InAppTransport
from notifications.transports.slack import SlackTransport
from notifications.transports.webhook import WebhookTransport

TRANSPORTS: dict[str, Transport] = {
    t.kind: t for t in (EmailTransport(), SlackTransport(), WebhookTransport(), InAppTransport())
}


def get_transport(kind: str) -> Transport:
    return TRANSPORTS[kind]
