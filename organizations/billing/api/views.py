from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from argus.openapi import error_response, error_responses
from organizations.access import Need, OrganizationScopedView
from organizations.billing.api.serializers import (
    AIUsageQuerySerializer,
    AIUsageSummarySerializer,
    BillingOverviewSerializer,
    CheckoutRequestSerializer,
    CheckoutResponseSerializer,
    PortalRequestSerializer,
    PortalResponseSerializer,
    WebhookResponseSerializer,
)
from organizations.billing.budgets import BudgetPeriod
from organizations.billing.selectors import ai_usage_summary, billing_overview
from organizations.billing.services import checkout_session_create, portal_session_create, stripe_event_process
from organizations.roles import Role

ERRORS = {
    403: error_response(403, "Below the admin role, or an API key without the 'admin' scope"),
    **error_responses(404),
}
PROVIDER = {
    502: error_response(502, "Stripe refused or could not be reached; nothing was changed"),
    503: error_response(503, "Billing is not configured on this server"),
}
VALIDATION = error_responses(422)
ADMIN = Need(Role.ADMIN, "admin")


class BillingOverviewView(OrganizationScopedView):
    access = {"GET": ADMIN}

    @extend_schema(
        operation_id="billing_overview",
        responses={200: BillingOverviewSerializer, **ERRORS},
        tags=["billing"],
        summary="Plan, subscription and every plan limit against its current use",
    )
    def get(self, request: Request, org_id: UUID) -> Response:
        organization = self.access_to(org_id).organization
        return Response(BillingOverviewSerializer(billing_overview(organization=organization)).data)


class CheckoutView(OrganizationScopedView):
    access = {"POST": ADMIN}

    @extend_schema(
        operation_id="billing_checkout",
        request=CheckoutRequestSerializer,
        responses={
            200: CheckoutResponseSerializer,
            409: error_response(409, "Already subscribed: change plans in the portal"),
            **ERRORS,
            **VALIDATION,
            **PROVIDER,
        },
        tags=["billing"],
        summary="Start a Stripe Checkout for a paid plan; the plan changes when Stripe's webhook confirms it",
    )
    def post(self, request: Request, org_id: UUID) -> Response:
        organization = self.access_to(org_id).organization
        serializer = CheckoutRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = checkout_session_create(
            organization=organization,
            plan=serializer.validated_data["plan"],
            success_url=serializer.validated_data.get("success_url"),
            cancel_url=serializer.validated_data.get("cancel_url"),
        )
        return Response({"checkout_url": session.checkout_url, "session_id": session.session_id})


class PortalView(OrganizationScopedView):
    access = {"POST": ADMIN}

    @extend_schema(
        operation_id="billing_portal",
        request=PortalRequestSerializer,
        responses={
            200: PortalResponseSerializer,
            409: error_response(409, "No billing account yet: start a checkout first"),
            **ERRORS,
            **VALIDATION,
            **PROVIDER,
        },
        tags=["billing"],
        summary="Open the Stripe customer portal (change plan, card, invoices, cancel)",
    )
    def post(self, request: Request, org_id: UUID) -> Response:
        organization = self.access_to(org_id).organization
        serializer = PortalRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        url = portal_session_create(organization=organization, return_url=serializer.validated_data.get("return_url"))
        return Response({"portal_url": url})


class AIUsageView(OrganizationScopedView):
    access = {"GET": ADMIN}

    @extend_schema(
        operation_id="billing_ai_usage",
        parameters=[AIUsageQuerySerializer],
        responses={200: AIUsageSummarySerializer, **ERRORS, **VALIDATION},
        tags=["billing"],
        summary="AI spend today and this month against the budgets, by model and by day",
    )
    def get(self, request: Request, org_id: UUID) -> Response:
        organization = self.access_to(org_id).organization
        query = AIUsageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        summary = ai_usage_summary(organization=organization, days=query.validated_data["days"])
        budgets = {status.period: status for status in summary.pop("budgets")}
        summary["today"] = budgets[BudgetPeriod.DAILY]
        summary["this_month"] = budgets[BudgetPeriod.MONTHLY]
        return Response(AIUsageSummarySerializer(summary).data)


class StripeWebhookView(APIView):
    """Stripe's deliveries: no user or key, the signature over the raw body is the authentication."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="billing_stripe_webhook",
        request=None,
        parameters=[OpenApiParameter("Stripe-Signature", str, OpenApiParameter.HEADER, required=True)],
        responses={
            200: WebhookResponseSerializer,
            400: error_response(400, "Missing or invalid signature, or not a Stripe event"),
            **PROVIDER,
        },
        tags=["billing"],
        summary="Stripe webhook: keeps plan and Stripe ids in step with subscription events, once per event",
    )
    def post(self, request: Request) -> Response:
        # The signature covers the exact bytes Stripe sent; request.data would re-serialise them.
        result = stripe_event_process(payload=request.body, signature=request.headers.get("Stripe-Signature"))
        return Response(
            {
                "received": True,
                "event_id": result.event_id,
                "type": result.type,
                "outcome": result.outcome,
                "duplicate": result.duplicate,
            }
        )
