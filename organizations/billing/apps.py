from django.apps import AppConfig


class BillingConfig(AppConfig):
    """Stripe plans and AI budgets: a sub-app of organizations with its own tables and migrations."""

    name = "organizations.billing"
    label = "billing"
    verbose_name = "Billing"
    default_auto_field = "django.db.models.BigAutoField"
