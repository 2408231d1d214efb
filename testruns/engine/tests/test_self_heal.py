"""A broken locator goes through node self_heal: healed steps say so, abstentions show the candidates."""

from __future__ import annotations

import pytest

from testruns.engine.runner import Engine

from .conftest import PageServer, Ports, make_plan

pytestmark = pytest.mark.browser

V1 = """<!doctype html><title>Editor</title><main>
<h1>Draft</h1><label for="body">Body</label><textarea id="body"></textarea>
<div class="toolbar"><button id="save-btn" class="btn primary" type="button"
  onclick="document.getElementById('st').textContent='Saved!'">Save</button>
<button id="discard" class="btn" type="button">Discard</button></div><p id="st"></p></main>"""
# The next release renames the button; its id, classes and place stay.
V2 = V1.replace(">Save</button>", ">Store draft</button>")
# A release where nothing like the button is left.
V3 = """<!doctype html><title>Editor</title><main><h1>Draft</h1><p>Editing is closed.</p></main>"""

STEPS = ["Open /editor", "Click Save", "Expect to see Saved!"]


def test_broken_locator_heals(engine: Engine, site: PageServer, ports: Ports) -> None:
    site.pages["/editor"] = V1
    plan = make_plan(site.url, ("save", STEPS), step_timeout_ms=800)
    assert engine.execute(plan, **ports.kwargs()).status == "passed"
    assert ports.fingerprints.get(test_id="t1", step_index=1)["id"] == "save-btn"

    site.pages["/editor"] = V2
    run = Ports()
    run.fingerprints = ports.fingerprints
    outcome = engine.execute(plan, **run.kwargs())

    result = outcome.results[0]
    assert result.status == "healed"  # never "passed"
    assert outcome.status == "passed"  # a healed test does not fail the run
    assert outcome.healed == 1
    step = result.steps[1]
    assert step.outcome == "healed"
    assert step.heal["healed"] is True
    assert step.heal["locator"] and step.heal["score"] > step.heal["runner_up_score"]
    assert result.steps[2].outcome == "passed"  # the healed click really clicked
    heal_events = run.sink.of("heal")
    assert len(heal_events) == 1 and heal_events[0]["step"] == 2
    assert "self_heal" in run.checkpoints.nodes()
    assert run.checkpoints.nodes().index("self_heal") < run.checkpoints.nodes().index("report")
    # A healed step is not "green": the fingerprint stays the one from the last green run.
    assert ports.fingerprints.get(test_id="t1", step_index=1)["text"] == "Save"


def test_healer_abstains_and_the_step_fails_with_candidates(engine: Engine, site: PageServer, ports: Ports) -> None:
    site.pages["/editor"] = V1
    plan = make_plan(site.url, ("save", STEPS), step_timeout_ms=800)
    engine.execute(plan, **ports.kwargs())

    site.pages["/editor"] = V3
    run = Ports()
    run.fingerprints = ports.fingerprints
    outcome = engine.execute(plan, **run.kwargs())

    result = outcome.results[0]
    assert result.status == "failed"
    step = result.steps[1]
    assert step.outcome == "failed"
    assert step.heal["healed"] is False
    assert len(step.heal["top"]) <= 3 and all("score" in c for c in step.heal["top"])
    assert "self-healing abstained" in step.error
    assert not run.sink.of("heal")


def test_no_healing_when_disabled(engine: Engine, site: PageServer, ports: Ports) -> None:
    site.pages["/editor"] = V1
    plan = make_plan(site.url, ("save", STEPS), step_timeout_ms=800)
    engine.execute(plan, **ports.kwargs())
    site.pages["/editor"] = V2
    run = Ports()
    run.fingerprints = ports.fingerprints
    off = make_plan(site.url, ("save", STEPS), step_timeout_ms=800, self_heal_enabled=False)
    outcome = engine.execute(off, **run.kwargs())
    assert outcome.results[0].status == "failed"
    assert outcome.results[0].steps[1].heal is None
    assert "self_heal" not in run.checkpoints.nodes()


# The same editor as a web component: its toolbar lives in an open shadow root.
COMPONENT = """<!doctype html><title>Editor</title><main><x-editor></x-editor><script>
customElements.define('x-editor', class extends HTMLElement {
  connectedCallback() { this.attachShadow({mode: 'open'}).innerHTML = `%s`; }
});</script></main>"""
C1 = COMPONENT % V1.split("<main>")[1].split("</main>")[0].replace(
    "document.getElementById('st')", "this.getRootNode().getElementById('st')"
)
C2 = C1.replace(">Save</button>", ">Store draft</button>")


def test_a_step_inside_a_web_component_heals(engine: Engine, site: PageServer, ports: Ports) -> None:
    site.pages["/editor"] = C1
    plan = make_plan(site.url, ("save", STEPS), step_timeout_ms=800)
    assert engine.execute(plan, **ports.kwargs()).status == "passed"
    assert "#shadow-root" in ports.fingerprints.get(test_id="t1", step_index=1)["xpath"]

    site.pages["/editor"] = C2
    run = Ports()
    run.fingerprints = ports.fingerprints
    result = engine.execute(plan, **run.kwargs()).results[0]
    assert result.status == "healed", result.steps[1].error
    assert result.steps[1].heal["locator"] == '[id="save-btn"]'  # never an XPath, which cannot enter the root
    assert result.steps[2].outcome == "passed"


def test_a_runs_fingerprint_counts_look_alikes_by_kind_of_role(engine: Engine, site: PageServer, ports: Ports) -> None:
    # The fingerprint a run stores is taken in the page, by the selector engine, as the step resolves:
    # a "Save" link is a look-alike of the "Save" button there too, as in the benchmark's fingerprints.
    site.pages["/editor"] = V1.replace("<main>", '<nav><a href="/saved">Save</a></nav><main>')
    plan = make_plan(site.url, ("save", ["Open /editor", "Click the Save button", "Expect to see Saved!"]))
    assert engine.execute(plan, **ports.kwargs()).status == "passed"
    fingerprint = ports.fingerprints.get(test_id="t1", step_index=1)
    assert fingerprint["id"] == "save-btn"
    assert [(x["role"], x["text"]) for x in fingerprint["look_alikes"]] == [("link", "Save")]
