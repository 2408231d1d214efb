from django.urls import path

from apikeys.api import views

urlpatterns = [
    path("api-keys/organizations/<uuid:org_id>/keys", views.APIKeysView.as_view(), name="api-keys"),
    path("api-keys/organizations/<uuid:org_id>/keys/<uuid:key_id>", views.APIKeyDetailView.as_view(), name="api-key"),
    path(
        "api-keys/organizations/<uuid:org_id>/keys/<uuid:key_id>/rotate",
        views.APIKeyRotateView.as_view(),
        name="api-key-rotate",
    ),
]
