from django.apps import AppConfig


class TestrunsConfig(AppConfig):
    name = "testruns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # notifications and billing sit below testruns and must not import it: they expose hooks, and
        # the numbers that only runs know (the weekly digest, plan usage) are plugged in here.
        from notifications.digest import register_digest_source
        from testruns.digest import weekly_digest_stats
        from testruns.usage import register_usage_counters

        register_digest_source(weekly_digest_stats)
        register_usage_counters()
