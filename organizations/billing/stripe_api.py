"""The one place Argus builds its Stripe client, so every call honours STRIPE_API_BASE and the secret key."""

from __future__ import annotations

import logging

import stripe
from django.conf import settings

from organizations.billing.errors import BillingNotConfigured, BillingProviderError

logger = logging.getLogger(__name__)


def stripe_client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise BillingNotConfigured("Billing is not configured on this server (STRIPE_SECRET_KEY is not set)")
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
    )


def provider_error(exc: stripe.StripeError, *, doing: str) -> BillingProviderError:
    """Stripe's message is safe to show (it never echoes the secret key); the request id helps support."""
    logger.warning("Stripe call failed while %s: %s (request %s)", doing, exc.user_message or exc, exc.request_id)
    message = exc.user_message or "the payment provider could not be reached"
    return BillingProviderError(f"Could not {doing}: {message}")
