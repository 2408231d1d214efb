"""Email through Django's email backend (SMTP in production), to the channel's `recipients`."""

from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email

from notifications.transports.base import CleanConfig, ConfigError, Message, PermanentError, TransientError, Transport

MAX_RECIPIENTS = 50


class EmailTransport(Transport):
    kind = "email"

    def clean_config(self, raw: dict[str, Any], *, existing_secrets: dict[str, Any]) -> CleanConfig:
        recipients = raw.get("recipients")
        if not isinstance(recipients, list) or not recipients:
            raise ConfigError({"config.recipients": ["A non-empty list of email addresses is required."]})
        if len(recipients) > MAX_RECIPIENTS:
            raise ConfigError({"config.recipients": [f"At most {MAX_RECIPIENTS} recipients."]})
        cleaned: list[str] = []
        for address in recipients:
            try:
                if not isinstance(address, str):
                    raise ValidationError("not a string")
                validate_email(address.strip())
            except ValidationError:
                raise ConfigError({"config.recipients": [f"{address!r} is not a valid email address."]}) from None
            if address.strip().lower() not in (a.lower() for a in cleaned):
                cleaned.append(address.strip())
        unknown = set(raw) - {"recipients"}
        if unknown:
            raise ConfigError({"config": [f"Unknown keys for an email channel: {', '.join(sorted(unknown))}."]})
        return CleanConfig(public={"recipients": cleaned}, secrets={})

    def send(self, *, message: Message, config: dict[str, Any]) -> int | None:
        email = EmailMultiAlternatives(
            subject=message.title,
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=list(config["recipients"]),
            headers={"X-Argus-Delivery": message.delivery_id, "X-Argus-Event": message.event_type},
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = {code for code, _ in exc.recipients.values()}
            if all(code >= 500 for code in codes):
                raise PermanentError(f"Recipients refused: {', '.join(sorted(exc.recipients))}") from exc
            raise TransientError(f"Recipients temporarily refused: {', '.join(sorted(exc.recipients))}") from exc
        except smtplib.SMTPResponseException as exc:
            reason = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
            if exc.smtp_code >= 500:
                raise PermanentError(reason, status_code=exc.smtp_code) from exc
            raise TransientError(reason, status_code=exc.smtp_code) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientError(f"Mail server unavailable: {type(exc).__name__}: {exc}") from exc
        return None
