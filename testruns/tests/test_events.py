import threading

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from testruns.events import append_event, event_data_for_stream, run_group_name
from testruns.models import Run, RunEvent
from testruns.selectors import events_after
from tests import factories


@pytest.fixture
def run(org):
    project = factories.make_project(org)
    return Run.objects.create(organization=org, project=project, app_url=project.app_url)


def test_events_are_numbered_per_run_and_read_back_in_order(run, org):
    other = Run.objects.create(organization=org, project=run.project, app_url=run.app_url)
    for i in range(3):
        append_event(run_id=run.id, kind="log", data={"i": i})
    append_event(run_id=other.id, kind="log", data={})
    assert [e.seq for e in events_after(run_id=run.id, after_seq=0, limit=10)] == [1, 2, 3]
    assert [e.data["i"] for e in events_after(run_id=run.id, after_seq=1, limit=1)] == [1]
    assert [e.seq for e in events_after(run_id=other.id, after_seq=0, limit=10)] == [1]


def test_an_event_with_a_known_key_is_not_stored_twice(run):
    first = append_event(run_id=run.id, kind="log", data={"m": "a"}, key="3:0")
    again = append_event(run_id=run.id, kind="log", data={"m": "a"}, key="3:0")
    assert again.pk == first.pk
    assert RunEvent.objects.filter(run=run).count() == 1
    assert Run.objects.get(pk=run.pk).event_seq == 1


def test_each_stored_event_is_pushed_to_the_run_group(run, django_capture_on_commit_callbacks):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(run_group_name(run.id), channel)
    with django_capture_on_commit_callbacks(execute=True):
        event = append_event(run_id=run.id, kind="state_update", data={"status": "running"})
    message = async_to_sync(layer.receive)(channel)
    assert message == {"type": "run.event", "seq": event.seq}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_get_distinct_gap_free_seqs():
    if connection.vendor != "postgresql":
        pytest.skip("in-memory SQLite serialises with table locks; run with DATABASE_URL=postgresql://...")
    owner = factories.make_profile()
    org = factories.make_org(owner)
    project = factories.make_project(org)
    run = Run.objects.create(organization=org, project=project, app_url=project.app_url)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(10):
                append_event(run_id=run.id, kind="log", data={"writer": n, "i": i})
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    seqs = sorted(RunEvent.objects.filter(run=run).values_list("seq", flat=True))
    assert seqs == list(range(1, 31))


def test_screenshot_events_get_their_image_back_for_the_stream(run):
    path = default_storage.save(f"runs/{run.id}/s1.jpg", ContentFile(b"\xff\xd8\xffjpeg"))
    event = append_event(run_id=run.id, kind="screenshot", data={"step": 1, "url": "http://x/s1.jpg", "path": path})
    assert event_data_for_stream(event) == {"step": 1, "url": "http://x/s1.jpg", "base64": "/9j/anBlZw=="}
    log = append_event(run_id=run.id, kind="log", data={"message": "hi", "path": "kept"})
    assert event_data_for_stream(log) == {"message": "hi", "path": "kept"}
    default_storage.delete(path)
    assert "base64" not in event_data_for_stream(event)
