"""The SSRF guard: private destinations are refused when connecting, also behind DNS answers and redirects."""

from __future__ import annotations

import ipaddress

import pytest

from argus.errors import ValidationFailed
from notifications import net
from notifications.events import events_for_run
from notifications.models import Delivery, NotificationChannel
from notifications.services.channels import channel_create
from notifications.services.deliveries import deliveries_plan_for_event, delivery_send
from notifications.tests.helpers import make_outcome
from tests import factories

SECRET = "whsec_0123456789abcdef"


@pytest.fixture
def dns(monkeypatch):
    """A DNS server the test controls: host -> addresses; unknown names fall through to the real one."""
    answers: dict[str, list[str]] = {}
    real = net.resolve_host

    def resolve(host: str, port: int) -> list[str]:
        return answers[host] if host in answers else real(host, port)

    monkeypatch.setattr(net, "resolve_host", resolve)
    return answers


@pytest.fixture
def strict(settings):
    settings.ARGUS_NOTIFICATIONS_ALLOW_PRIVATE_ADDRESSES = False
    settings.ARGUS_NOTIFICATIONS_ALLOWED_NETWORKS = []
    return settings


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "100.64.0.1",
        "169.254.169.254",
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fd00:ec2::254",
        "::ffff:127.0.0.1",
        "224.0.0.1",
    ],
)
def test_private_and_reserved_addresses_are_refused(strict, address):
    assert not net.address_allowed(ipaddress.ip_address(address))


def test_public_addresses_are_allowed(strict):
    assert net.address_allowed(ipaddress.ip_address("93.184.216.34"))
    assert net.address_allowed(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946"))


def test_allowing_private_addresses_still_refuses_cloud_metadata(settings):
    settings.ARGUS_NOTIFICATIONS_ALLOW_PRIVATE_ADDRESSES = True
    settings.ARGUS_NOTIFICATIONS_ALLOWED_NETWORKS = []
    assert net.address_allowed(ipaddress.ip_address("10.1.2.3"))
    assert not net.address_allowed(ipaddress.ip_address("169.254.169.254"))
    settings.ARGUS_NOTIFICATIONS_ALLOWED_NETWORKS = ["169.254.169.254/32"]
    assert net.address_allowed(ipaddress.ip_address("169.254.169.254"))


@pytest.mark.django_db
def test_a_private_url_is_refused_when_saved(strict, org):
    with pytest.raises(ValidationFailed) as refused:
        channel_create(
            organization=org,
            created_by=None,
            name="x",
            channel_type="webhook",
            config={"url": "http://127.0.0.1:8000/hook", "secret": SECRET},
        )
    assert "config.url" in refused.value.errors
    with pytest.raises(ValidationFailed):
        channel_create(
            organization=org,
            created_by=None,
            name="x",
            channel_type="slack",
            config={"webhook_url": "http://localhost/services/x"},
        )
    assert not NotificationChannel.objects.exists()


def _webhook_delivery(org, url: str) -> Delivery:
    project = factories.make_project(org)
    channel_create(
        organization=org,
        created_by=None,
        name="hook",
        channel_type="webhook",
        config={"url": url, "secret": SECRET},
        rules=[{"event_type": "run.failed"}],
    )
    event = next(e for e in events_for_run(make_outcome(project)) if e.event_type == "run.failed")
    [delivery] = deliveries_plan_for_event(event=event)
    return delivery


@pytest.mark.django_db
def test_a_name_that_resolves_to_a_private_address_when_sending_is_refused(strict, org, dns, receiver):
    # Public when saved, loopback when the message goes out: DNS rebinding.
    dns["hooks.example.test"] = ["93.184.216.34"]
    delivery = _webhook_delivery(org, f"http://hooks.example.test:{receiver.port}/hook")
    dns["hooks.example.test"] = ["127.0.0.1"]

    assert delivery_send(delivery_id=str(delivery.id)).status == "failed"
    delivery.refresh_from_db()
    assert delivery.reason.startswith("Refused destination: hooks.example.test resolves to 127.0.0.1")
    assert receiver.requests == []
    channel = NotificationChannel.objects.get()
    assert not channel.enabled and channel.disabled_reason.startswith("Refused destination")


@pytest.mark.django_db
def test_one_private_answer_among_public_ones_refuses_the_host(strict, org, dns, receiver):
    dns["mixed.example.test"] = ["93.184.216.34", "127.0.0.1"]
    delivery = _webhook_delivery(org, "http://93.184.216.34/hook")
    channel = NotificationChannel.objects.get()
    channel.config = {"url": f"http://mixed.example.test:{receiver.port}/hook"}
    channel.save()
    assert delivery_send(delivery_id=str(delivery.id)).status == "failed"
    assert receiver.requests == []


@pytest.mark.django_db
def test_a_redirect_to_a_private_address_is_refused(strict, settings, org, receiver, internal_receiver):
    # The receiver on 127.0.0.1 is allowed (an intranet service); it redirects to 127.0.0.2, which is not.
    settings.ARGUS_NOTIFICATIONS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    receiver.respond("/hook", (307, {"Location": internal_receiver.url("/admin")}, b""))
    delivery = _webhook_delivery(org, receiver.url("/hook"))

    assert delivery_send(delivery_id=str(delivery.id)).status == "failed"
    delivery.refresh_from_db()
    assert "Refused destination" in delivery.reason
    assert len(receiver.requests) == 1
    assert internal_receiver.requests == []


@pytest.mark.django_db
def test_a_redirect_to_a_name_resolving_privately_is_refused(strict, settings, org, dns, receiver, internal_receiver):
    settings.ARGUS_NOTIFICATIONS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    dns["internal.example.test"] = ["127.0.0.2"]
    receiver.respond("/hook", (308, {"Location": f"http://internal.example.test:{internal_receiver.port}/x"}, b""))
    delivery = _webhook_delivery(org, receiver.url("/hook"))

    assert delivery_send(delivery_id=str(delivery.id)).status == "failed"
    delivery.refresh_from_db()
    assert delivery.reason.startswith("Refused destination: internal.example.test resolves to 127.0.0.2")
    assert internal_receiver.requests == []


@pytest.mark.django_db
def test_an_allowed_redirect_is_followed_with_the_same_signed_body(settings, org, receiver, internal_receiver):
    settings.ARGUS_NOTIFICATIONS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.ARGUS_NOTIFICATIONS_ALLOW_PRIVATE_ADDRESSES = False
    receiver.respond("/hook", (307, {"Location": internal_receiver.url("/moved")}, b""))
    delivery = _webhook_delivery(org, receiver.url("/hook"))

    assert delivery_send(delivery_id=str(delivery.id)).status == "sent"
    [first], [second] = receiver.requests, internal_receiver.requests
    assert second.path == "/moved" and second.body == first.body
    assert second.headers["x-argus-signature"] == first.headers["x-argus-signature"]


@pytest.mark.django_db
def test_a_redirect_that_turns_post_into_get_is_a_permanent_failure(allow_private, org, receiver):
    receiver.respond("/hook", (302, {"Location": receiver.url("/elsewhere")}, b""))
    delivery = _webhook_delivery(org, receiver.url("/hook"))
    assert delivery_send(delivery_id=str(delivery.id)).status == "failed"
    delivery.refresh_from_db()
    assert delivery.reason.startswith("HTTP 302: redirected to")
    assert len(receiver.requests) == 1
