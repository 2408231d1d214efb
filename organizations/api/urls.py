from django.urls import path

from organizations.api import members, views

urlpatterns = [
    path("users/me/organizations", views.UserOrganizationsView.as_view(), name="users-me-organizations"),
    path("organizations", views.OrganizationsView.as_view(), name="organizations"),
    path("organizations/<uuid:org_id>", views.OrganizationDetailView.as_view(), name="organization-detail"),
    path("organizations/<uuid:org_id>/transfer", views.TransferOwnershipView.as_view(), name="organization-transfer"),
    path("teams/organizations/<uuid:org_id>/members", members.MembersView.as_view(), name="members"),
    path("teams/organizations/<uuid:org_id>/members/invite", members.InviteView.as_view(), name="members-invite"),
    path(
        "teams/organizations/<uuid:org_id>/members/<uuid:member_id>",
        members.MemberDetailView.as_view(),
        name="member-detail",
    ),
    path(
        "teams/organizations/<uuid:org_id>/members/<uuid:member_id>/role",
        members.MemberRoleView.as_view(),
        name="member-role",
    ),
    path(
        "teams/organizations/<uuid:org_id>/members/<uuid:member_id>/invitation",
        members.InvitationView.as_view(),
        name="member-invitation",
    ),
    path(
        "teams/organizations/<uuid:org_id>/members/<uuid:member_id>/invitation/resend",
        members.InvitationResendView.as_view(),
        name="member-invitation-resend",
    ),
    path("invitations/accept", members.InvitationAcceptView.as_view(), name="invitations-accept"),
]
