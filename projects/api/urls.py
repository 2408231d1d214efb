from django.urls import include, path

from projects.api import views

urlpatterns: list = [
    path("projects", views.ProjectsView.as_view(), name="projects"),
    path("projects/<uuid:project_id>", views.ProjectDetailView.as_view(), name="project-detail"),
    path("users/me/default-organization", views.DefaultOrganizationView.as_view(), name="users-me-default-org"),
    path("", include("projects.api.test_definition_urls")),
]
