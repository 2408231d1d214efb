from django.urls import path

from projects.api.test_definitions import ProjectTestsView, TestDefinitionView

urlpatterns = [
    path("projects/<uuid:project_id>/tests", ProjectTestsView.as_view(), name="project-tests"),
    path("tests/<uuid:test_id>", TestDefinitionView.as_view(), name="test-definition"),
]
