from django.urls import path

from organizations.billing.api.views import (
    AIUsageView,
    BillingOverviewView,
    CheckoutView,
    PortalView,
    StripeWebhookView,
)

urlpatterns = [
    path("billing/organizations/<uuid:org_id>", BillingOverviewView.as_view(), name="billing-overview"),
    path("billing/organizations/<uuid:org_id>/checkout", CheckoutView.as_view(), name="billing-checkout"),
    path("billing/organizations/<uuid:org_id>/portal", PortalView.as_view(), name="billing-portal"),
    path("billing/organizations/<uuid:org_id>/ai-usage", AIUsageView.as_view(), name="billing-ai-usage"),
    path("billing/stripe/webhook", StripeWebhookView.as_view(), name="billing-stripe-webhook"),
]
