"""Slack incoming webhooks: a Block Kit message with the facts and a button to the run.

The webhook URL is itself the credential (anyone holding it can post), so it is a secret.
"""

from __future__ import annotations

import json
from typing import Any

from notifications.transports.base import (
    CleanConfig,
    ConfigError,
    Message,
    Transport,
    clean_http_url,
    kept_secret,
    post_with_guard,
)

PRIORITY_MARK = {"low": "", "normal": "", "high": ":warning: ", "urgent": ":rotating_light: "}


def build_blocks(message: Message) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": message.title[:150], "emoji": True}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": PRIORITY_MARK.get(message.priority, "") + message.text[:2900]},
        },
    ]
    if message.facts:
        blocks.append(
            {
                "type": "section",
                "fields": [{"type": "mrkdwn", "text": f"*{label}*\n{value}"} for label, value in message.facts[:10]],
            }
        )
    if message.url:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "text": {"type": "plain_text", "text": "Open in Argus"}, "url": message.url}
                ],
            }
        )
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"`{message.event_type}` · priority {message.priority}"}],
        }
    )
    # `text` is what notifications and clients without Block Kit show.
    fallback = f"{message.title}: {message.url}" if message.url else message.title
    return {"text": fallback, "blocks": blocks}


class SlackTransport(Transport):
    kind = "slack"
    secret_fields = ("webhook_url",)

    def clean_config(self, raw: dict[str, Any], *, existing_secrets: dict[str, Any]) -> CleanConfig:
        errors: dict[str, list[str]] = {}
        url = clean_http_url(kept_secret(raw, "webhook_url", existing_secrets), "config.webhook_url", errors)
        unknown = set(raw) - {"webhook_url"}
        if unknown:
            errors["config"] = [f"Unknown keys for a Slack channel: {', '.join(sorted(unknown))}."]
        if errors:
            raise ConfigError(errors)
        return CleanConfig(public={}, secrets={"webhook_url": url})

    def send(self, *, message: Message, config: dict[str, Any]) -> int | None:
        body = json.dumps(build_blocks(message)).encode()
        return post_with_guard(config["webhook_url"], content=body, headers={"Content-Type": "application/json"})
