"""Stripe billing: checkout and portal sessions, and the webhook that alone changes an organization's plan."""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from argus.errors import BadRequest, Conflict
from organizations.billing.errors import BillingNotConfigured, InvalidWebhookSignature
from organizations.billing.models import StripeEvent, StripeSubscription
from organizations.billing.stripe_api import provider_error, stripe_client
from organizations.models import Organization, Plan

logger = logging.getLogger(__name__)

# Subscription states that pay for a plan. past_due keeps the plan while Stripe retries the card.
LIVE_STATUSES = frozenset({"active", "trialing", "past_due"})
# States a subscription never leaves: a late event claiming otherwise is older news.
TERMINAL_STATUSES = frozenset({"canceled", "incomplete_expired"})
PLAN_RANK = {Plan.FREE: 0, Plan.TEAM: 1, Plan.ENTERPRISE: 2}
SUBSCRIPTION_EVENTS = frozenset(
    {
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.paused",
        "customer.subscription.resumed",
    }
)


@dataclass(frozen=True)
class CheckoutSession:
    session_id: str
    checkout_url: str


@dataclass(frozen=True)
class WebhookResult:
    event_id: str
    type: str
    outcome: str
    duplicate: bool


def price_id_for(plan: str) -> str:
    price_id = settings.STRIPE_PRICE_IDS.get(plan) or ""
    if not price_id:
        raise BillingNotConfigured(f"No Stripe price is configured for the {plan} plan (STRIPE_PRICE_{plan.upper()})")
    return price_id


def plan_for_price(price_id: str) -> str:
    """The plan a Stripe price sells, or "" for a price Argus does not know."""
    for plan, configured in settings.STRIPE_PRICE_IDS.items():
        if configured and configured == price_id:
            return plan
    return ""


def stripe_customer_ensure(*, organization: Organization) -> str:
    """The organization's Stripe customer id, creating the customer on first use.

    No row lock is held across the network call (SQLite would block every writer meanwhile): Stripe's
    idempotency key makes concurrent first calls return one customer, and only an empty column is filled.
    """
    if organization.stripe_customer_id:
        return organization.stripe_customer_id
    try:
        customer = stripe_client().v1.customers.create(
            params={"name": organization.name, "metadata": {"organization_id": str(organization.id)}},
            options={"idempotency_key": f"argus-customer-{organization.id}"},
        )
    except stripe.StripeError as exc:
        raise provider_error(exc, doing="create the billing customer") from exc
    Organization.objects.filter(pk=organization.pk, stripe_customer_id__isnull=True).update(
        stripe_customer_id=customer.id
    )
    organization.refresh_from_db(fields=["stripe_customer_id"])
    return organization.stripe_customer_id or customer.id


def checkout_session_create(
    *, organization: Organization, plan: str, success_url: str | None, cancel_url: str | None
) -> CheckoutSession:
    """A Stripe Checkout page that subscribes the organization to `plan`; the webhook applies the result."""
    if plan not in settings.STRIPE_PRICE_IDS:
        raise BadRequest(f"Plan {plan!r} cannot be bought; choose one of {', '.join(settings.STRIPE_PRICE_IDS)}")
    price_id = price_id_for(plan)
    if organization.plan != Plan.FREE and organization.stripe_subscription_id:
        # A second checkout would start a second subscription; plan changes belong to the portal.
        raise Conflict(
            f"The organization already has a {organization.plan} subscription; change plans in the customer portal",
            code="subscription_exists",
        )
    customer_id = stripe_customer_ensure(organization=organization)
    metadata = {"organization_id": str(organization.id), "plan": plan}
    try:
        session = stripe_client().v1.checkout.sessions.create(
            params={
                "mode": "subscription",
                "customer": customer_id,
                "client_reference_id": str(organization.id),
                "line_items": [{"price": price_id, "quantity": 1}],
                "success_url": success_url or settings.STRIPE_DEFAULT_RETURN_URL,
                "cancel_url": cancel_url or settings.STRIPE_DEFAULT_RETURN_URL,
                "metadata": metadata,
                "subscription_data": {"metadata": metadata},
            }
        )
    except stripe.StripeError as exc:
        raise provider_error(exc, doing="start the checkout") from exc
    return CheckoutSession(session_id=session.id, checkout_url=session.url or "")


def portal_session_create(*, organization: Organization, return_url: str | None) -> str:
    """The Stripe customer portal URL, where the customer changes plan, card or cancels."""
    if not organization.stripe_customer_id:
        raise Conflict("The organization has no billing account yet; start a checkout first", code="no_customer")
    try:
        session = stripe_client().v1.billing_portal.sessions.create(
            params={
                "customer": organization.stripe_customer_id,
                "return_url": return_url or settings.STRIPE_DEFAULT_RETURN_URL,
            }
        )
    except stripe.StripeError as exc:
        raise provider_error(exc, doing="open the customer portal") from exc
    return session.url


def subscriptions_cancel(*, organization: Organization) -> list[str]:
    """Cancel, at Stripe and at once, every subscription of the organization that can still bill it.

    Called before the organization is deleted: a deleted organization must stop paying. Raises (and cancels
    nothing more) when Stripe refuses or cannot be reached, so the caller keeps the organization; one that
    Stripe no longer knows is already gone. Returns the ids cancelled.
    """
    open_ids = list(
        StripeSubscription.objects.filter(organization=organization)
        .exclude(status__in=TERMINAL_STATUSES)
        .values_list("subscription_id", flat=True)
    )
    if not open_ids:
        return []
    client = stripe_client()
    for subscription_id in open_ids:
        try:
            client.v1.subscriptions.cancel(subscription_id)
        except stripe.InvalidRequestError as exc:
            if exc.code != "resource_missing":
                raise provider_error(exc, doing=f"cancel subscription {subscription_id}") from exc
        except stripe.StripeError as exc:
            raise provider_error(exc, doing=f"cancel subscription {subscription_id}") from exc
        StripeSubscription.objects.filter(subscription_id=subscription_id).update(status="canceled")
        logger.info("Cancelled subscription %s of organization %s", subscription_id, organization.pk)
    return open_ids


# --- Webhook ----------------------------------------------------------------------------------------


def _verified_event(*, payload: bytes, signature: str | None) -> dict[str, Any]:
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise BillingNotConfigured("Stripe webhooks are not configured on this server (STRIPE_WEBHOOK_SECRET)")
    try:
        stripe.Webhook.construct_event(payload, signature, secret, tolerance=settings.STRIPE_WEBHOOK_TOLERANCE)
    except stripe.SignatureVerificationError as exc:
        raise InvalidWebhookSignature() from exc
    except (ValueError, TypeError, AttributeError) as exc:
        # Signed but not an event Stripe would send (not JSON, not an object): the library cannot build it.
        raise BadRequest("The webhook body is not a Stripe event in JSON", code="invalid_payload") from exc
    event = json.loads(payload)
    data = event.get("data") if isinstance(event, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict) or not event.get("id"):
        raise BadRequest("The webhook body is not a Stripe event", code="invalid_payload")
    return event


def _organization_for(*, customer_id: str | None, organization_id: str | None) -> Organization | None:
    """Whose event this is: the customer we created, else the organization id we put in the metadata."""
    if customer_id:
        org = Organization.objects.filter(stripe_customer_id=customer_id).first()
        if org is not None:
            return org
    if organization_id:
        try:
            org = Organization.objects.filter(pk=uuid.UUID(str(organization_id))).first()
        except ValueError:  # a malformed id in metadata names no organization
            return None
        # Metadata names an organization only if the event's customer is not someone else's.
        if org is not None and org.stripe_customer_id in (None, customer_id):
            if customer_id and org.stripe_customer_id is None:
                Organization.objects.filter(pk=org.pk, stripe_customer_id__isnull=True).update(
                    stripe_customer_id=customer_id
                )
            return org
    return None


def _price_of(subscription: dict[str, Any]) -> str:
    items = (subscription.get("items") or {}).get("data") or []
    for item in items:
        price = item.get("price") or {}
        if price.get("id"):
            return str(price["id"])
    return ""


def _organization_plan_sync(*, organization: Organization) -> str:
    """Derive plan and subscription id from every known subscription, so arrival order cannot matter."""
    live = [s for s in organization.stripe_subscriptions.all() if s.status in LIVE_STATUSES and s.plan]
    best = max(live, key=lambda s: (PLAN_RANK[s.plan], s.subscription_created), default=None)
    plan = best.plan if best else Plan.FREE
    subscription_id = best.subscription_id if best else None
    if (organization.plan, organization.stripe_subscription_id) != (plan, subscription_id):
        Organization.objects.filter(pk=organization.pk).update(
            plan=plan, stripe_subscription_id=subscription_id, updated_at=timezone.now()
        )
        logger.info("Organization %s is now on the %s plan (subscription %s)", organization.pk, plan, subscription_id)
        return f"plan {organization.plan} -> {plan}"
    return f"plan unchanged ({plan})"


def _subscription_apply(
    *, subscription: dict[str, Any], as_of: int, deleted: bool = False
) -> tuple[str, Organization | None]:
    """Keep the newest known state of one subscription, then re-derive its organization's plan."""
    subscription_id = str(subscription.get("id") or "")
    customer_id = subscription.get("customer")
    if isinstance(customer_id, dict):
        customer_id = customer_id.get("id")
    metadata = subscription.get("metadata") or {}
    organization = _organization_for(customer_id=customer_id, organization_id=metadata.get("organization_id"))
    if not subscription_id or organization is None:
        logger.warning("Stripe subscription %s of customer %s matches no organization", subscription_id, customer_id)
        return "no matching organization", None
    # Lock the organization: concurrent deliveries for it apply one after another, each seeing the last.
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    status = "canceled" if deleted else str(subscription.get("status") or "")
    price_id = _price_of(subscription)
    plan = plan_for_price(price_id)
    if status in LIVE_STATUSES and not plan:
        logger.warning("Subscription %s pays for unknown price %s; no plan granted", subscription_id, price_id)

    known = StripeSubscription.objects.select_for_update().filter(subscription_id=subscription_id).first()
    if known is not None:
        if as_of < known.state_as_of:
            return f"stale subscription state ignored ({status} older than {known.status})", organization
        if known.status in TERMINAL_STATUSES and status not in TERMINAL_STATUSES:
            return f"subscription already {known.status}; {status} ignored", organization
    StripeSubscription.objects.update_or_create(
        subscription_id=subscription_id,
        defaults={
            "organization": organization,
            "customer_id": customer_id or "",
            "status": status,
            "price_id": price_id,
            "plan": plan,
            "subscription_created": int(subscription.get("created") or as_of),
            "state_as_of": as_of,
        },
    )
    return f"subscription {status}; " + _organization_plan_sync(organization=organization), organization


def _checkout_completed(
    *, session: dict[str, Any], subscription: dict[str, Any] | None, as_of: int
) -> tuple[str, Organization | None]:
    customer_id = session.get("customer")
    organization = _organization_for(customer_id=customer_id, organization_id=session.get("client_reference_id"))
    if organization is None:
        return "no matching organization", None
    if subscription is None:
        return "checkout without subscription", organization
    return _subscription_apply(subscription=subscription, as_of=as_of)


def _subscription_of_checkout(event: dict[str, Any]) -> dict[str, Any] | None:
    """The subscription a completed checkout started, as Stripe holds it now (the session names only its id)."""
    session = event["data"].get("object") or {}
    subscription_id = session.get("subscription")
    if session.get("mode") != "subscription" or not subscription_id:
        return None
    if isinstance(subscription_id, dict):
        return subscription_id
    try:
        subscription = stripe_client().v1.subscriptions.retrieve(str(subscription_id))
    except stripe.StripeError as exc:
        # A 502 makes Stripe deliver the event again later.
        raise provider_error(exc, doing="read the new subscription") from exc
    return subscription.to_dict()


def stripe_event_process(*, payload: bytes, signature: str | None) -> WebhookResult:
    """Verify one webhook delivery and apply it once; a replayed event id changes nothing."""
    event = _verified_event(payload=payload, signature=signature)
    event_id, event_type = str(event["id"]), str(event.get("type") or "")
    if StripeEvent.objects.filter(event_id=event_id).exists():
        return WebhookResult(event_id=event_id, type=event_type, outcome="already processed", duplicate=True)

    # Network first, outside the transaction: a database lock must never wait on Stripe.
    fetched_subscription = None
    fetched_at = 0
    if event_type == "checkout.session.completed":
        fetched_subscription = _subscription_of_checkout(event)
        fetched_at = int(time.time())

    created = int(event.get("created") or time.time())
    with transaction.atomic():
        record, is_new = StripeEvent.objects.get_or_create(
            event_id=event_id,
            defaults={"type": event_type, "created": created, "livemode": bool(event.get("livemode")), "outcome": ""},
        )
        if not is_new:
            return WebhookResult(event_id=event_id, type=event_type, outcome="already processed", duplicate=True)
        obj = event["data"].get("object") or {}
        organization = None
        if event_type in SUBSCRIPTION_EVENTS:
            outcome, organization = _subscription_apply(
                subscription=obj, as_of=created, deleted=event_type == "customer.subscription.deleted"
            )
        elif event_type == "checkout.session.completed":
            outcome, organization = _checkout_completed(
                session=obj, subscription=fetched_subscription, as_of=max(fetched_at, created)
            )
        else:
            outcome = "ignored"
        record.outcome = outcome[:255]
        record.organization = organization
        record.save(update_fields=["outcome", "organization"])
    logger.info("Stripe event %s (%s): %s", event_id, event_type, outcome)
    return WebhookResult(event_id=event_id, type=event_type, outcome=outcome, duplicate=False)
