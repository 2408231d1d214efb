import re
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from accounts.jwt import mint_local_token
from accounts.models import UserProfile
from organizations.models import Invitation, Membership
from organizations.roles import Role
from organizations.services import hash_token
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

MEMBER_FIELDS = {"id", "user_id", "email", "role", "status", "invited_at", "accepted_at", "created_at"}
TOKEN = re.compile(r'"token": "([A-Za-z0-9_-]+)"')


def _member_client(org, role, email=None):
    profile = factories.make_profile(email)
    membership = factories.add_member(org, profile, role)
    return profile, membership, client_for(profile)


def _token_of(message) -> str:
    match = TOKEN.search(message.body)
    assert match, message.body
    return match.group(1)


def _invite(client, org, email="new@example.com", role="member"):
    return client.post(
        f"/api/v1/teams/organizations/{org.id}/members/invite", {"email": email, "role": role}, format="json"
    )


def _accept(token, profile):
    client = client_for(profile)
    return client.post("/api/v1/invitations/accept", {"token": token}, format="json")


def test_list_members_shows_active_and_pending(owner, org, as_owner):
    _invite(as_owner, org, "pending@example.com")
    response = as_owner.get(f"/api/v1/teams/organizations/{org.id}/members")
    assert response.status_code == 200
    owner_row, pending_row = response.json()
    owner_membership = Membership.objects.get(organization=org, profile=owner)
    assert owner_row == {
        "id": str(owner_membership.id),
        "user_id": owner.user_id,
        "email": "owner@example.com",
        "role": "owner",
        "status": "active",
        "invited_at": None,
        "accepted_at": owner_row["accepted_at"],
        "created_at": owner_row["created_at"],
    }
    assert owner_row["accepted_at"] is not None
    assert set(pending_row) == MEMBER_FIELDS
    assert (pending_row["email"], pending_row["status"], pending_row["accepted_at"]) == (
        "pending@example.com",
        "pending",
        None,
    )


def test_viewers_list_members_but_keys_need_the_admin_scope(org, owner, api):
    _, _, viewer = _member_client(org, Role.VIEWER)
    assert viewer.get(f"/api/v1/teams/organizations/{org.id}/members").status_code == 200
    _, read_key = factories.make_api_key(org, owner, scopes=["read", "write"])
    _, admin_key = factories.make_api_key(org, owner, scopes=["admin"])
    url = f"/api/v1/teams/organizations/{org.id}/members"
    assert api.get(url, **factories.api_key_header(read_key)).status_code == 403
    assert api.get(url, **factories.api_key_header(admin_key)).status_code == 200


def test_invite_creates_a_pending_member_and_emails_a_single_use_token(owner, org, as_owner, mailoutbox):
    response = _invite(as_owner, org, "New.Person@Example.com", "viewer")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == MEMBER_FIELDS
    membership = Membership.objects.get(pk=body["id"])
    assert body["user_id"].startswith("pending_") and len(body["user_id"]) > len("pending_")
    assert body["user_id"] == membership.user_id
    assert (body["email"], body["role"], body["status"]) == ("New.Person@Example.com", "viewer", "pending")
    assert body["invited_at"] is not None and body["accepted_at"] is None
    assert membership.invited_by == owner
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["New.Person@Example.com"]
    assert "Example Corp" in message.subject
    token = _token_of(message)
    assert token in message.alternatives[0][0]
    invitation = Invitation.objects.get(membership=membership)
    # Only the hash is stored, and the token is valid for the configured seven days.
    assert invitation.token_hash == hash_token(token)
    assert not Invitation.objects.filter(token_hash=token).exists()
    expected = timezone.now() + timedelta(days=7)
    assert abs((invitation.expires_at - expected).total_seconds()) < 60


def test_invite_defaults_to_member_role(org, as_owner, mailoutbox):
    response = as_owner.post(
        f"/api/v1/teams/organizations/{org.id}/members/invite", {"email": "d@example.com"}, format="json"
    )
    assert response.json()["role"] == "member"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"role": "member"}, "email"),
        ({"email": "a@example.com", "role": "owner"}, "role"),
        ({"email": "a@example.com", "role": "god"}, "role"),
        ({"email": "a@example.com", "team": "qa"}, "team"),
    ],
)
def test_invite_validation(org, as_owner, mailoutbox, payload, field):
    response = as_owner.post(f"/api/v1/teams/organizations/{org.id}/members/invite", payload, format="json")
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert Membership.objects.filter(organization=org).count() == 1
    assert mailoutbox == []


def test_inviting_someone_already_there_is_a_conflict(org, as_owner, mailoutbox):
    assert _invite(as_owner, org, "dup@example.com").status_code == 201
    again = _invite(as_owner, org, "DUP@example.com")
    assert again.status_code == 409
    assert again.json()["code"] == "already_invited"
    active = _invite(as_owner, org, "OWNER@example.com")
    assert active.status_code == 409
    assert active.json()["code"] == "already_member"
    assert len(mailoutbox) == 1


def test_invites_count_against_the_plan_member_limit(org, as_owner, mailoutbox):
    for n in range(4):  # the owner plus four: the free plan's five
        assert _invite(as_owner, org, f"p{n}@example.com").status_code == 201
    response = _invite(as_owner, org, "sixth@example.com")
    assert response.status_code == 403
    assert response.json()["code"] == "plan_limit_members"
    assert "5 members" in response.json()["detail"]
    assert not Membership.objects.filter(email="sixth@example.com").exists()


def test_only_admins_invite_and_keys_need_admin_scope(org, owner, api, mailoutbox):
    _, _, member = _member_client(org, Role.MEMBER)
    response = _invite(member, org)
    assert response.status_code == 403
    _, _, admin = _member_client(org, Role.ADMIN)
    assert _invite(admin, org, "by-admin@example.com").status_code == 201
    _, write_key = factories.make_api_key(org, owner, scopes=["read", "write"])
    url = f"/api/v1/teams/organizations/{org.id}/members/invite"
    denied = api.post(url, {"email": "k@example.com"}, format="json", **factories.api_key_header(write_key))
    assert denied.status_code == 403
    _, admin_key = factories.make_api_key(org, owner, scopes=["admin"])
    allowed = api.post(url, {"email": "k@example.com"}, format="json", **factories.api_key_header(admin_key))
    assert allowed.status_code == 201


def test_accepting_makes_the_member_active_with_the_real_user_id(org, as_owner, mailoutbox):
    _invite(as_owner, org, "Carol@Example.com", "admin")
    token = _token_of(mailoutbox[0])
    carol = factories.make_profile("carol@example.com", user_id="user_2carol")
    response = _accept(token, carol)
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "You joined Example Corp as admin"
    assert body["organization_id"] == str(org.id)
    assert body["member"]["user_id"] == "user_2carol"
    assert body["member"]["status"] == "active"
    assert body["member"]["accepted_at"] is not None
    membership = Membership.objects.get(pk=body["member"]["id"])
    assert (membership.profile, membership.user_id, membership.role) == (carol, "user_2carol", "admin")
    assert client_for(carol).get(f"/api/v1/organizations/{org.id}").status_code == 200
    # Single use.
    again = _accept(token, carol)
    assert again.status_code == 400
    assert again.json()["code"] == "invitation_used"


def test_accept_creates_the_profile_on_first_sight(org, as_owner, api, mailoutbox):
    _invite(as_owner, org, "fresh@example.com")
    token = _token_of(mailoutbox[0])
    jwt = mint_local_token(email="FRESH@example.com", user_id="user_2fresh")
    response = api.post(
        "/api/v1/invitations/accept", {"token": token}, format="json", HTTP_AUTHORIZATION=f"Bearer {jwt}"
    )
    assert response.status_code == 200
    assert UserProfile.objects.get(user_id="user_2fresh").memberships.get().organization == org


def test_accept_needs_the_invited_email(org, as_owner, mailoutbox):
    _invite(as_owner, org, "dave@example.com")
    token = _token_of(mailoutbox[0])
    response = _accept(token, factories.make_profile("mallory@example.com"))
    assert response.status_code == 403
    assert response.json()["code"] == "email_mismatch"
    assert Membership.objects.get(email="dave@example.com").status == "pending"


def test_expired_invitation(org, as_owner, mailoutbox):
    _invite(as_owner, org, "late@example.com")
    token = _token_of(mailoutbox[0])
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _accept(token, factories.make_profile("late@example.com"))
    assert response.status_code == 400
    assert response.json()["code"] == "invitation_expired"
    assert "resend" in response.json()["detail"]
    assert Membership.objects.get(email="late@example.com").status == "pending"


def test_unknown_token(org):
    response = _accept("no-such-token", factories.make_profile())
    assert response.status_code == 404
    assert response.json()["code"] == "invitation_not_found"


def test_revoked_invitation(org, owner, as_owner, mailoutbox):
    member_id = _invite(as_owner, org, "erin@example.com").json()["id"]
    token = _token_of(mailoutbox[0])
    response = as_owner.delete(f"/api/v1/teams/organizations/{org.id}/members/{member_id}/invitation")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Invitation revoked"}
    assert not Membership.objects.filter(pk=member_id).exists()
    refused = _accept(token, factories.make_profile("erin@example.com"))
    assert refused.status_code == 400
    assert refused.json()["code"] == "invitation_revoked"


def test_revoke_and_resend_only_for_pending_members(org, owner, as_owner):
    owner_id = Membership.objects.get(organization=org, profile=owner).id
    base = f"/api/v1/teams/organizations/{org.id}/members/{owner_id}/invitation"
    for response in [as_owner.delete(base), as_owner.post(f"{base}/resend")]:
        assert response.status_code == 400
        assert response.json()["code"] == "not_pending"


def test_resend_replaces_the_token(org, as_owner, mailoutbox):
    member_id = _invite(as_owner, org, "frank@example.com").json()["id"]
    old_token = _token_of(mailoutbox[0])
    Invitation.objects.update(expires_at=timezone.now() - timedelta(days=1))
    response = as_owner.post(f"/api/v1/teams/organizations/{org.id}/members/{member_id}/invitation/resend")
    assert response.status_code == 200
    body = response.json()
    assert (body["success"], body["message"]) == (True, "Invitation resent to frank@example.com")
    assert body["expires_at"] > timezone.now().isoformat()[:10]
    new_token = _token_of(mailoutbox[1])
    assert new_token != old_token
    frank = factories.make_profile("frank@example.com")
    assert _accept(old_token, frank).json()["code"] == "invitation_revoked"
    assert _accept(new_token, frank).status_code == 200


def test_members_cannot_revoke_or_resend(org, as_owner, mailoutbox):
    member_id = _invite(as_owner, org, "g@example.com").json()["id"]
    _, _, member = _member_client(org, Role.MEMBER)
    base = f"/api/v1/teams/organizations/{org.id}/members/{member_id}/invitation"
    assert member.delete(base).status_code == 403
    assert member.post(f"{base}/resend").status_code == 403
    assert len(mailoutbox) == 1


def test_accepting_needs_a_person_not_an_api_key(org, owner, api):
    _, raw = factories.make_api_key(org, owner, scopes=["read", "write", "admin"])
    response = api.post("/api/v1/invitations/accept", {"token": "x"}, format="json", **factories.api_key_header(raw))
    assert response.status_code == 403


def test_update_role(org, as_owner):
    _, membership, _ = _member_client(org, Role.VIEWER)
    response = as_owner.patch(
        f"/api/v1/teams/organizations/{org.id}/members/{membership.id}/role", {"role": "admin"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Role updated to admin"}
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_role_rules(org, owner, as_owner):
    owner_membership = Membership.objects.get(organization=org, profile=owner)
    _, target, _ = _member_client(org, Role.MEMBER)
    _, _, admin = _member_client(org, Role.ADMIN)
    base = f"/api/v1/teams/organizations/{org.id}/members"
    own = as_owner.patch(f"{base}/{owner_membership.id}/role", {"role": "admin"}, format="json")
    assert own.status_code == 400
    assert "transfer" in own.json()["detail"]
    assert as_owner.patch(f"{base}/{target.id}/role", {"role": "owner"}, format="json").status_code == 422
    assert as_owner.patch(f"{base}/{target.id}/role", {}, format="json").status_code == 422
    assert admin.patch(f"{base}/{target.id}/role", {"role": "viewer"}, format="json").status_code == 403
    target.refresh_from_db()
    assert target.role == Role.MEMBER


def test_remove_member_and_clear_their_default(org, as_owner):
    profile, membership, _ = _member_client(org, Role.MEMBER)
    UserProfile.objects.filter(pk=profile.pk).update(default_organization_id=org.id)
    response = as_owner.delete(f"/api/v1/teams/organizations/{org.id}/members/{membership.id}")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Member removed"}
    assert not Membership.objects.filter(pk=membership.pk).exists()
    profile.refresh_from_db()
    assert profile.default_organization_id is None
    assert client_for(profile).get(f"/api/v1/organizations/{org.id}").status_code == 404


def test_removal_rules(org, owner):
    owner_membership = Membership.objects.get(organization=org, profile=owner)
    _, admin_membership, admin = _member_client(org, Role.ADMIN)
    _, other_admin, _ = _member_client(org, Role.ADMIN)
    _, plain, member = _member_client(org, Role.MEMBER)
    base = f"/api/v1/teams/organizations/{org.id}/members"
    owner_removal = admin.delete(f"{base}/{owner_membership.id}")
    assert owner_removal.status_code == 400
    assert owner_removal.json()["detail"] == "Cannot remove organization owner"
    admin_removal = admin.delete(f"{base}/{other_admin.id}")
    assert admin_removal.status_code == 403
    assert admin_removal.json()["detail"] == "Admins cannot remove other admins"
    assert member.delete(f"{base}/{admin_membership.id}").status_code == 403
    assert admin.delete(f"{base}/{plain.id}").status_code == 200
    assert admin.delete(f"{base}/{admin_membership.id}").status_code == 200  # an admin may leave
    assert set(Membership.objects.filter(organization=org).values_list("id", flat=True)) == {
        owner_membership.id,
        other_admin.id,
    }


def test_members_of_another_organization_are_404(org, as_owner):
    stranger = factories.make_profile("stranger@example.com")
    other = factories.make_org(stranger, name="Secret Corp")
    victim = factories.add_member(other, factories.make_profile("victim@example.com"))
    for response in [
        as_owner.get(f"/api/v1/teams/organizations/{other.id}/members"),
        as_owner.delete(f"/api/v1/teams/organizations/{org.id}/members/{victim.id}"),
        as_owner.patch(
            f"/api/v1/teams/organizations/{org.id}/members/{victim.id}/role", {"role": "admin"}, format="json"
        ),
        as_owner.delete(f"/api/v1/teams/organizations/{other.id}/members/{victim.id}"),
        _invite(as_owner, other, "x@example.com"),
    ]:
        assert response.status_code == 404
        assert "victim" not in response.content.decode()
    assert Membership.objects.filter(pk=victim.pk, role=Role.MEMBER).exists()


# --- Real SMTP --------------------------------------------------------------------------------------
class _Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 Message accepted for delivery"


@pytest.fixture(scope="module")
def smtp_server():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_unused_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_invitation_goes_out_over_real_smtp(org, as_owner, settings, smtp_server):
    controller, inbox = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    before = len(inbox.messages)
    assert _invite(as_owner, org, "smtp@example.com").status_code == 201
    assert len(inbox.messages) == before + 1
    raw = inbox.messages[-1].decode()
    assert "To: smtp@example.com" in raw
    assert "You are invited to join Example Corp on Argus" in raw


def test_when_the_email_cannot_be_sent_nothing_is_written(org, as_owner, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _unused_port(), 2
    response = _invite(as_owner, org, "unreachable@example.com")
    assert response.status_code == 502
    assert response.json()["code"] == "email_failed"
    assert not Membership.objects.filter(email="unreachable@example.com").exists()
    assert not Invitation.objects.filter(email="unreachable@example.com").exists()
