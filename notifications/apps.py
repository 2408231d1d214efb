from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from notifications.receivers import on_budget_exceeded
        from organizations.billing.signals import budget_exceeded

        budget_exceeded.connect(on_budget_exceeded, dispatch_uid="notifications.budget_exceeded")
