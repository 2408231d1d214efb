from django.urls import include, path

urlpatterns: list = [
    path("", include("projects.api.test_definition_urls")),
]
