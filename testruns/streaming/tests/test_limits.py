"""Stream limits: the organization's concurrent-stream slots and the API's rate-limit headers."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from argus.ratelimit import stream_slots_in_use
from testruns.events import append_event
from testruns.models import Run
from testruns.streaming.tests.client import StreamClient
from testruns.streaming.tests.test_run_stream import append
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def path_for(run: Run) -> str:
    return f"/api/v1/stream/runs/{run.id}"


def test_the_eleventh_concurrent_stream_is_refused_and_a_closed_one_frees_its_slot(run, org, owner_token, fast_streams):
    headers = {"Authorization": f"Bearer {owner_token}"}

    async def scenario():
        open_streams = [await StreamClient(path_for(run), headers=headers).open() for _ in range(10)]
        assert [c.status for c in open_streams] == [200] * 10
        in_use_full = await sync_to_async(stream_slots_in_use)(org.id)
        refused = await StreamClient(path_for(run), headers=headers).open()
        refused_body = await refused.json()
        await open_streams[0].disconnect()
        again = await StreamClient(path_for(run), headers=headers).open()
        # The run ends: every stream closes by itself after `complete`, and each gives its slot back.
        await sync_to_async(append_event)(run_id=run.id, kind="complete", data={"passed": 1, "failed": 0})
        for client in [*open_streams[1:], again]:
            await client.rest()
            await client.wait_closed()
        await asyncio.sleep(0)
        return in_use_full, refused, refused_body, again.status, await sync_to_async(stream_slots_in_use)(org.id)

    in_use_full, refused, body, again_status, in_use_after = async_to_sync(scenario)()
    assert in_use_full == 10
    assert refused.status == 429
    assert int(refused.response_headers["retry-after"]) >= 1
    assert body["status_code"] == 429
    assert "10" in body["detail"]
    assert again_status == 200
    assert in_use_after == 0


def test_streams_of_another_organization_do_not_count(run, owner_token, fast_streams):
    other_owner = factories.make_profile("other@example.com")
    other_org = factories.make_org(other_owner, name="Other Corp")
    other_run = Run.objects.create(
        organization=other_org, project=factories.make_project(other_org), app_url="http://127.0.0.1:9/"
    )
    other_token = factories.bearer(other_owner)["HTTP_AUTHORIZATION"].split()[1]

    async def scenario():
        mine = [
            await StreamClient(path_for(run), headers={"Authorization": f"Bearer {owner_token}"}).open()
            for _ in range(10)
        ]
        theirs = await StreamClient(path_for(other_run), headers={"Authorization": f"Bearer {other_token}"}).open()
        for client in [*mine, theirs]:
            await client.disconnect()
        return theirs.status

    assert async_to_sync(scenario)() == 200


def test_refusals_before_the_stream_hold_no_slot(run, org, owner_token):
    async def scenario():
        refused = await StreamClient(
            path_for(run), headers={"Last-Event-ID": "x", "Authorization": "Bearer bad"}
        ).open()
        await refused.json()
        return await sync_to_async(stream_slots_in_use)(org.id)

    assert async_to_sync(scenario)() == 0


def test_stream_responses_carry_the_rate_limit_headers(run, owner_token, fast_streams):
    append(run, "complete", {"passed": 0, "failed": 0, "duration_seconds": 0})

    async def scenario():
        ok = await StreamClient(path_for(run), headers={"Authorization": f"Bearer {owner_token}"}).open()
        await ok.rest()
        refused = await StreamClient(path_for(run)).open()
        await refused.json()
        return ok.response_headers, refused.response_headers

    ok, refused = async_to_sync(scenario)()
    for headers in (ok, refused):
        assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(headers)
    assert int(ok["x-ratelimit-limit"]) == 1000  # the general category


def test_past_the_rate_limit_a_stream_is_a_429(run, owner_token, settings):
    settings.ARGUS_RATE_LIMITS = {**settings.ARGUS_RATE_LIMITS, "general": "2/3600"}

    async def scenario():
        statuses = []
        for _ in range(3):
            client = await StreamClient(path_for(run), headers={"Authorization": f"Bearer {owner_token}"}).open()
            statuses.append(client.status)
            if client.status == 200:
                await client.disconnect()
            else:
                body = await client.json()
                retry_after = client.response_headers.get("retry-after")
        return statuses, body, retry_after

    statuses, body, retry_after = async_to_sync(scenario)()
    assert statuses == [200, 200, 429]
    assert body["code"] == "rate_limited"
    assert retry_after is not None
