from django.urls import path

from testruns.api import heals, views

urlpatterns = [
    path("test/run", views.StartRunView.as_view(), name="test-run"),
    path("test/status/<uuid:run_id>", views.RunStatusView.as_view(), name="test-status"),
    path("projects/<uuid:project_id>/runs", views.ProjectRunsView.as_view(), name="project-runs"),
    path("runs/<uuid:run_id>", views.RunDetailView.as_view(), name="run-detail"),
    path("runs/<uuid:run_id>/artifacts/<str:name>", views.RunArtifactView.as_view(), name="run-artifact"),
    path("runs/<uuid:run_id>/cancel", views.RunCancelView.as_view(), name="run-cancel"),
    path("time-travel/history/<str:thread_id>", views.CheckpointHistoryView.as_view(), name="time-travel-history"),
    path(
        "time-travel/checkpoints/<str:checkpoint_id>",
        views.CheckpointDetailView.as_view(),
        name="time-travel-checkpoint",
    ),
    path("time-travel/replay", views.ReplayView.as_view(), name="time-travel-replay"),
    path("projects/<uuid:project_id>/heals", heals.ProjectHealsView.as_view(), name="project-heals"),
    path("heals/<uuid:heal_id>", heals.HealDetailView.as_view(), name="heal-detail"),
    path("heals/<uuid:heal_id>/accept", heals.HealAcceptView.as_view(), name="heal-accept"),
    path("heals/<uuid:heal_id>/reject", heals.HealRejectView.as_view(), name="heal-reject"),
]
