from django.urls import path

from notifications.api import views

urlpatterns = [
    path("notifications/channels", views.ChannelsView.as_view(), name="notification-channels"),
    path("notifications/channels/<uuid:channel_id>", views.ChannelDetailView.as_view(), name="notification-channel"),
    path(
        "notifications/channels/<uuid:channel_id>/test",
        views.ChannelTestView.as_view(),
        name="notification-channel-test",
    ),
    path(
        "notifications/channels/<uuid:channel_id>/rules",
        views.ChannelRulesView.as_view(),
        name="notification-channel-rules",
    ),
    path(
        "notifications/channels/<uuid:channel_id>/deliveries",
        views.ChannelDeliveriesView.as_view(),
        name="notification-channel-deliveries",
    ),
    path("notifications/rules/<uuid:rule_id>", views.RuleDetailView.as_view(), name="notification-rule"),
    path("notifications/inbox", views.InboxView.as_view(), name="notification-inbox"),
    path("notifications/inbox/unread-count", views.InboxUnreadCountView.as_view(), name="notification-inbox-unread"),
    path("notifications/inbox/read-all", views.InboxReadAllView.as_view(), name="notification-inbox-read-all"),
    path("notifications/inbox/<uuid:item_id>/read", views.InboxItemReadView.as_view(), name="notification-inbox-read"),
]
