from django.apps import AppConfig


class TestrunsConfig(AppConfig):
    name = "testruns"
    default_auto_field = "django.db.models.BigAutoField"
