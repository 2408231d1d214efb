from django.urls import path

from accounts.api.views import MeView, PreferencesView

# users/me/organizations and users/me/default-organization are served by organizations.api
# (accounts sits below organizations and cannot know about them).
urlpatterns = [
    path("users/me", MeView.as_view(), name="users-me"),
    path("users/me/preferences", PreferencesView.as_view(), name="users-me-preferences"),
]
