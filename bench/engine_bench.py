"""The engine's overhead against a plain Playwright script doing the same steps, side by side in one run.

    .venv/bin/python bench/engine_bench.py [--tests 20] [--rounds 3]

One suite (>= 20 tests of >= 10 steps: registration forms and task lists) against a local app on
127.0.0.1, run by:

  a  a plain Playwright script: one warm browser, a fresh context per test, idiomatic locators
     (get_by_label / get_by_role) and web-first assertions (expect)
  b  Argus's engine in-process: plain-English steps parsed and resolved, an in-memory event sink, a
     checkpoint store that serialises the whole run state to JSON after every step and node (its
     sizes are reported), fingerprints recorded for the healer

Both modes share one Chromium (launched before timing). Modes run in interleaved rounds (a, b, a,
b, ...) so drift on a busy machine hits both alike; each time is the median round, and `ratio_b_a` is
the median of the per-round ratios (a and b of one round ran back to back, under the same load; the
ratio of the two medians is printed too). A third mode
(the API path) is added by registering another function in MODES. The last line printed is one
JSON object with the results.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import expect

from bench.apps.bench_app import bench_app
from testruns.engine.browser import BrowserHost
from testruns.engine.interfaces import RunOptions, RunPlan, StepSpec, TestSpec
from testruns.engine.memory import (
    JsonCheckpointStore,
    MemoryArtifactStore,
    MemoryFingerprintStore,
    MemorySink,
)
from testruns.engine.runner import Engine

# A step as both modes read it: (kind, target, value). Mode b says it in plain English.
Step = tuple[str, str | None, str | None]

PEOPLE = [
    ("Ada", "Lovelace", "France"), ("Alan", "Turing", "Germany"), ("Grace", "Hopper", "Japan"),
    ("Edsger", "Dijkstra", "Brazil"), ("Barbara", "Liskov", "France"), ("Donald", "Knuth", "Japan"),
    ("Frances", "Allen", "Germany"), ("Ken", "Thompson", "Brazil"), ("Radia", "Perlman", "France"),
    ("John", "Backus", "Japan"),
]  # fmt: skip


def make_suite(n_tests: int) -> list[tuple[str, list[Step]]]:
    suite: list[tuple[str, list[Step]]] = []
    for i in range(n_tests):
        first, last, country = PEOPLE[i % len(PEOPLE)]
        if i % 2 == 0:
            steps: list[Step] = [
                ("goto", None, "/register"),
                ("fill", "First name", first),
                ("fill", "Last name", last),
                ("fill", "Email", f"{first.lower()}@example.com"),
                ("fill", "Phone", f"+33 1 23 45 67 {i:02d}"),
                ("fill", "Company", f"{last} Labs"),
                ("select", "Country", country),
                ("check", "Newsletter", None),
                ("check", "I accept the terms", None),
                ("click", "Register", None),
                ("see", None, f"Registered {first} {last} from {country}"),
                ("value", "Email", f"{first.lower()}@example.com"),
            ]
        else:
            tasks = [f"Task {i}-{k}" for k in range(4)]
            steps = [("goto", None, "/tasks")]
            for task in tasks:
                steps += [("fill", "New task", task), ("click", "Add task", None)]
            steps += [("see", None, "4 tasks"), ("see", None, tasks[-1]), ("value", "New task", "")]
        suite.append((f"bench {i + 1}", steps))
    return suite


def english(step: Step) -> str:
    kind, target, value = step
    return {
        "goto": f"Open {value}",
        "fill": f'Type "{value}" into {target}',
        "select": f"Select {value} from {target}",
        "check": f"Check {target}",
        "click": f"Click {target}",
        "see": f'Expect to see "{value}"',
        "value": f'Expect {target} to have value "{value}"' if value else f"Expect {target} to be empty",
    }[kind]


@dataclass
class ModeResult:
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)


def mode_a(host: BrowserHost, app_url: str, suite: list[tuple[str, list[Step]]]) -> ModeResult:
    """Plain Playwright: what a team would write by hand for the same tests (on the host's thread,
    where its Playwright lives; the engine runs there too)."""
    return host.call(_mode_a, host, app_url, suite)


def _mode_a(host: BrowserHost, app_url: str, suite: list[tuple[str, list[Step]]]) -> ModeResult:
    browser = host.browser()
    started = time.perf_counter()
    for _name, steps in suite:
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()
        for kind, target, value in steps:
            if kind == "goto":
                page.goto(app_url + str(value))
            elif kind == "fill":
                page.get_by_label(str(target)).fill(str(value))
            elif kind == "select":
                page.get_by_label(str(target)).select_option(label=str(value))
            elif kind == "check":
                page.get_by_label(str(target)).check()
            elif kind == "click":
                page.get_by_role("button", name=str(target)).click()
            elif kind == "see":
                expect(page.locator("body")).to_contain_text(str(value))
            elif kind == "value":
                expect(page.get_by_label(str(target))).to_have_value(str(value))
        context.close()
    return ModeResult(time.perf_counter() - started)


def mode_b(host: BrowserHost, app_url: str, suite: list[tuple[str, list[Step]]]) -> ModeResult:
    """Argus's engine in-process, with in-memory ports and JSON checkpoints."""
    plan = RunPlan(
        run_id="bench",
        thread_id="bench",
        app_url=app_url,
        tests=[
            TestSpec(test_id=f"t{i}", name=name, steps=[StepSpec(text=english(s)) for s in steps])
            for i, (name, steps) in enumerate(suite)
        ],
        options=RunOptions(),
    )
    sink, checkpoints = MemorySink(), JsonCheckpointStore()
    started = time.perf_counter()
    outcome = Engine(host).execute(
        plan,
        sink=sink,
        checkpoints=checkpoints,
        artifacts=MemoryArtifactStore(),
        fingerprints=MemoryFingerprintStore(),
    )
    seconds = time.perf_counter() - started
    if outcome.status != "passed":
        bad = [(r.name, r.error) for r in outcome.results if r.status != "passed"]
        raise SystemExit(f"engine run did not pass: {bad[:3]}")
    sizes = checkpoints.sizes()
    return ModeResult(
        seconds,
        {
            "checkpoints": len(sizes),
            "checkpoint_bytes_median": int(statistics.median(sizes)),
            "checkpoint_bytes_max": max(sizes),
            "events": len(sink.events),
        },
    )


MODES: dict[str, Callable[[BrowserHost, str, list[tuple[str, list[Step]]]], ModeResult]] = {
    "a": mode_a,
    "b": mode_b,
}
LABELS = {"a": "plain Playwright script", "b": "Argus engine (in-process)"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tests", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    suite = make_suite(args.tests)
    n_steps = sum(len(steps) for _, steps in suite)
    server = bench_app().start()
    host = BrowserHost()
    try:
        host.browser()
        # Warm-up: first contexts and first page loads pay one-off costs in both modes.
        warm = make_suite(2)
        for fn in MODES.values():
            fn(host, server.url, warm)
        results: dict[str, list[ModeResult]] = {k: [] for k in MODES}
        for r in range(args.rounds):
            order = list(MODES) if r % 2 == 0 else list(reversed(MODES))
            for key in order:
                results[key].append(MODES[key](host, server.url, suite))
    finally:
        host.close()
        server.stop()

    med = {k: statistics.median(m.seconds for m in v) for k, v in results.items()}
    print(f"suite: {len(suite)} tests, {n_steps} steps, {args.rounds} interleaved rounds (median shown)")
    print(f"{'mode':<4} {'what':<30} {'seconds':>8} {'ms/step':>8} {'rounds':>24}")
    for key, label in LABELS.items():
        rounds = " ".join(f"{m.seconds:.2f}" for m in results[key])
        print(f"{key:<4} {label:<30} {med[key]:>8.2f} {1000 * med[key] / n_steps:>8.1f} {rounds:>24}")
    paired = [b.seconds / a.seconds for a, b in zip(results["a"], results["b"], strict=True)]
    print(f"b/a per round: {' '.join(f'{r:.3f}' for r in paired)}; ratio of medians {med['b'] / med['a']:.3f}")
    extra = results["b"][-1].extra
    print(
        f"checkpoints per run: {extra['checkpoints']}, JSON bytes median {extra['checkpoint_bytes_median']}, "
        f"max {extra['checkpoint_bytes_max']}; events per run: {extra['events']}"
    )
    summary = {
        "tests": len(suite),
        "steps": n_steps,
        "rounds": args.rounds,
        "a_s": round(med["a"], 3),
        "b_s": round(med["b"], 3),
        "ratio_b_a": round(statistics.median(paired), 3),
        "ratio_of_medians_b_a": round(med["b"] / med["a"], 3),
        "checkpoint_bytes_median": extra["checkpoint_bytes_median"],
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
