"""The run graph: analyze_app -> execute_test (per test) -> self_heal (when a locator breaks) -> report.

The engine writes only through the ports it is given (events, checkpoints, artifacts, fingerprints) and
checkpoints after every node and every step, so a run can continue from any checkpoint on any worker.

Events, in order (kind: data):
  state_update  {"status": "running", "current_test", "test_id"?, "node", "attempt"?, "total", "completed"}
  log           {"level": info|warning|error, "message", "test_id"?, "step"?, "outcome"?}; one per step
                (with "outcome") plus the page's console errors, uncaught exceptions and failed requests
  screenshot    {"base64" (JPEG), "step", "url", "test_id", "mime"}; on failure, or every step if asked
  heal          {"test_id", "step", "healed", "original_target", "locator", "score", "runner_up_score",
                 "reason", "chosen", "top", "screenshot_url" (the page with the healed element outlined),
                 "decided_by" ("healer", or "ai" when a tie-breaker chose among close candidates, with "ai_model")}
  test_result   {"test_id", "name", "status", "attempts", "duration_ms", "error", "steps"}
  error         {"message", "node"? | "test_id"?}; our side failed (app unreachable, browser broke)
  complete      {"status", "passed", "failed", "healed", "errors", "skipped", "total", "duration_seconds",
                 "error"}
Steps are numbered from 1 in events ("step") and from 0 in results and checkpoints ("index",
"step_index"). Checkpoints: one after analyze_app, one after every step (node execute_test), one after
every test (execute_test), one after each healing attempt (self_heal), one at report. A step's own
checkpoint is saved once the page is next observed, before the next step acts (same state, no extra
browser round trip); the last step of a test, a failed step and any later node flush it first.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import html
import re
import ssl
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from playwright.sync_api import BrowserContext, Locator
from playwright.sync_api import Error as PlaywrightError

from .browser import BrowserHost, get_browser_host
from .driver import Cancelled, PageDriver, Resolved, StepFailure, TargetNotFound, is_infrastructure_error
from .interfaces import (
    ArtifactStore,
    CancelToken,
    CheckpointStore,
    EventSink,
    FingerprintStore,
    Node,
    RunOptions,
    RunOutcome,
    RunPlan,
    RunState,
    StepResult,
    TestResult,
    TestSpec,
    TieBreaker,
)
from .steps import ParsedStep, StepParseError, parse_step

if TYPE_CHECKING:
    from .healing import HealDecision

# Steps whose element is worth fingerprinting: the ones that find an element that exists.
_FINGERPRINTED = frozenset(
    {
        "fill",
        "clear",
        "click",
        "dblclick",
        "right_click",
        "hover",
        "select",
        "check",
        "uncheck",
        "upload",
        "assert_value",
        "assert_empty",
        "assert_visible",
        "assert_enabled",
        "assert_disabled",
        "assert_checked",
        "assert_unchecked",
        "assert_element_text",
    }
)


class NeverCancelled:
    def is_cancelled(self) -> bool:
        return False


@dataclass
class _Ports:
    sink: EventSink
    checkpoints: CheckpointStore
    artifacts: ArtifactStore
    fingerprints: FingerprintStore
    cancel: CancelToken
    tie_breaker: TieBreaker | None = None  # optional AI tie-break for close calls (healing/tiebreak.py)


class Engine:
    """Runs plans on a warm browser. One Engine per worker process is enough; it holds no run state."""

    def __init__(self, host: BrowserHost | None = None) -> None:
        self.host = host or get_browser_host()

    def execute(
        self,
        plan: RunPlan,
        *,
        sink: EventSink,
        checkpoints: CheckpointStore,
        artifacts: ArtifactStore,
        fingerprints: FingerprintStore,
        cancel: CancelToken | None = None,
        resume: RunState | None = None,
        tie_breaker: TieBreaker | None = None,
    ) -> RunOutcome:
        ports = _Ports(sink, checkpoints, artifacts, fingerprints, cancel or NeverCancelled(), tie_breaker)
        # The ports are called from the host's thread (the Django side bridges them to its own).
        return self.host.call(lambda: _Run(self.host, plan, ports, resume).run())


class _Run:
    def __init__(self, host: BrowserHost, plan: RunPlan, ports: _Ports, resume: RunState | None) -> None:
        self.host = host
        self.plan = plan
        self.options: RunOptions = plan.options
        self.ports = ports
        self.state = copy.deepcopy(resume) if resume is not None else RunState()
        self.state.status = "running"
        self.started = time.monotonic()
        self.base_elapsed_ms = self.state.elapsed_ms
        self.run_error: str | None = None
        self._pending: PageDriver | None = None  # a finished step whose checkpoint waits for a snapshot

    # --- plumbing ----------------------------------------------------------------------------

    def emit(self, kind: str, data: dict[str, Any]) -> None:
        self.ports.sink.emit(kind, data)

    def checkpoint(self, node: Node) -> None:
        self.flush_step_checkpoint()
        self._save(node)

    def flush_step_checkpoint(self) -> None:
        """Save the finished step's checkpoint that waited for a snapshot (see PageDriver.before_act)."""
        driver, self._pending = self._pending, None
        if driver is not None:
            self._capture_browser_state(driver)
            self._save("execute_test")

    def _capture_browser_state(self, driver: PageDriver) -> None:
        browser_state, url, form_fields = _browser_state(driver)
        if browser_state is not None:  # a page that just died keeps the last state it was seen in
            self.state.browser_state, self.state.url, self.state.form_fields = browser_state, url, form_fields

    def _save(self, node: Node) -> None:
        self.state.node = node
        self.state.elapsed_ms = self.base_elapsed_ms + int((time.monotonic() - self.started) * 1000)
        self.ports.checkpoints.save(node=node, state=self.state)

    def cancelled(self) -> bool:
        return self.ports.cancel.is_cancelled()

    # --- the graph ---------------------------------------------------------------------------

    def run(self) -> RunOutcome:
        self.emit(
            "state_update",
            {
                "status": "running",
                "current_test": None,
                "node": "analyze_app",
                "total": len(self.plan.tests),
                "completed": len(self.state.results),
            },
        )
        try:
            if self.state.node is None:
                self.analyze_app()
            while self.state.test_index < len(self.plan.tests) and self.run_error is None:
                if self.cancelled():
                    raise Cancelled()
                self.execute_test(self.plan.tests[self.state.test_index])
        except Cancelled:
            self.state.status = "cancelled"
        return self.report()

    def analyze_app(self) -> None:
        """Is the app there at all? An unreachable app makes every test an error, not a failure.

        A plain HTTP GET answers that (and gives the title) without paying for a browser context.
        """
        timeout = self.options.step_timeout_ms / 1000
        probe = _Probe(self.plan.app_url, timeout)
        probe.start()
        deadline = time.monotonic() + timeout + 1
        while probe.is_alive() and time.monotonic() < deadline:
            if self.cancelled():
                raise Cancelled()
            probe.join(0.1)
        if probe.error is not None or probe.is_alive():
            self.run_error = f"app unreachable: {self.plan.app_url} ({probe.error or 'no answer'})"
        else:
            self.state.app_title = probe.title
            self.emit(
                "log",
                {
                    "level": "info",
                    "message": f"App reachable at {self.plan.app_url} (HTTP {probe.status}): "
                    f'"{self.state.app_title or ""}"',
                },
            )
        if self.options.browser != "chromium":
            self.emit(
                "log",
                {
                    "level": "warning",
                    "message": f'browser "{self.options.browser}" is not available on this worker; running in Chromium',
                },
            )
        if self.run_error:
            self.emit("error", {"message": self.run_error, "node": "analyze_app"})
            for test in self.plan.tests[self.state.test_index :]:
                result = TestResult(
                    test_id=test.test_id,
                    name=test.name,
                    status="error",
                    attempts=0,
                    duration_ms=0,
                    error=self.run_error,
                )
                self.state.results.append(result)
                self.emit("test_result", _test_event(result))
            self.state.test_index = len(self.plan.tests)
        self.checkpoint("analyze_app")

    def execute_test(self, test: TestSpec) -> None:
        state = self.state
        max_attempts = self.options.max_retries + 1
        test_started = time.monotonic()
        prior_ms = state.current.duration_ms if state.current is not None else 0
        while True:
            resuming = state.current is not None and state.step_index > 0
            if not resuming:
                state.current = TestResult(
                    test_id=test.test_id, name=test.name, status="passed", attempts=state.attempt, duration_ms=0
                )
                state.step_index = 0
                state.forget_page()
            assert state.current is not None
            state.current.attempts = state.attempt
            self.emit(
                "state_update",
                {
                    "status": "running",
                    "current_test": test.name,
                    "test_id": test.test_id,
                    "node": "execute_test",
                    "attempt": state.attempt,
                    "total": len(self.plan.tests),
                    "completed": len(state.results),
                },
            )
            self.run_attempt(test, resuming=resuming)
            status = state.current.status
            if status in {"passed", "healed"} or state.attempt >= max_attempts or self.cancelled():
                break
            self.emit(
                "log",
                {
                    "level": "warning",
                    "message": f'"{test.name}" {status} on attempt {state.attempt}; '
                    f"retrying in a fresh browser context",
                },
            )
            state.attempt += 1
            state.current = None
        result = state.current
        result.duration_ms = prior_ms + int((time.monotonic() - test_started) * 1000)
        state.results.append(result)
        state.current = None
        state.test_index += 1
        state.step_index = 0
        state.attempt = 1
        state.forget_page()
        self.emit("test_result", _test_event(result))
        self.checkpoint("execute_test")

    def run_attempt(self, test: TestSpec, *, resuming: bool) -> None:
        state = self.state
        current = state.current
        assert current is not None
        context: BrowserContext | None = None
        try:
            context = self.host.new_context(
                viewport=self.options.viewport,
                headless=self.options.headless,
                storage_state=state.browser_state if resuming else None,
            )
            page = context.new_page()
            driver = PageDriver(
                context=context,
                page=page,
                app_url=self.plan.app_url,
                cancel=self.ports.cancel,
                step_timeout_ms=self.options.step_timeout_ms,
            )
            if resuming and state.url and state.url.startswith(("http://", "https://")):
                driver.goto(state.url, time.monotonic() + self.options.step_timeout_ms / 1000)
                self.emit("log", {"level": "info", "message": f"Resumed at step {state.step_index + 1} on {state.url}"})
                if state.form_fields:
                    self.restore_form(driver, time.monotonic() + self.options.step_timeout_ms / 1000)
            driver.before_act = self.flush_step_checkpoint
            while state.step_index < len(test.steps):
                if self.cancelled():
                    raise Cancelled()
                step = self.run_step(test, state.step_index, driver)
                self.flush_step_checkpoint()  # a step that never reached before_act (it could not run)
                current.steps.append(step)
                current.duration_ms += step.duration_ms
                state.step_index += 1
                ended = step.outcome in {"failed", "error"} or state.step_index >= len(test.steps)
                if driver.last_snapshot is not None or ended:
                    self._capture_browser_state(driver)
                    self._save("execute_test")
                else:
                    self._pending = driver
                if step.outcome in {"failed", "error"}:
                    current.status = step.outcome
                    current.error = step.error
                    return
                if step.outcome == "healed":
                    current.status = "healed"
            # A replay may start after a step that had failed: the verdict covers every step it reports.
            broken = next((s for s in current.steps if s.outcome in {"failed", "error"}), None)
            if broken is not None:
                current.status, current.error = broken.outcome, broken.error
            elif any(s.outcome == "healed" for s in current.steps):
                current.status = "healed"
        except Cancelled:
            current.status = "skipped"
            current.error = "run cancelled"
            raise
        except (PlaywrightError, StepFailure) as exc:
            # Breaking outside a step (context creation, resuming navigation): our side failed.
            current.status = "error"
            current.error = exc.message if isinstance(exc, StepFailure) else str(exc).splitlines()[0]
            self.emit("error", {"message": current.error, "test_id": test.test_id})
        finally:
            with contextlib.suppress(PlaywrightError):
                self.flush_step_checkpoint()
            self._pending = None
            if context is not None:
                _close(context)

    def run_step(self, test: TestSpec, index: int, driver: PageDriver) -> StepResult:
        spec = test.steps[index]
        started = time.monotonic()
        result = StepResult(
            index=index, action="", target=spec.target, value=spec.value, outcome="passed", duration_ms=0
        )
        step: ParsedStep | None = None
        try:
            step = parse_step(spec)
            result.action = step.action
            result.target = step.target_text()
            result.value = step.value if step.value is not None else spec.value
            found = self.act(test, index, step, driver, result)
            if found is not None and found.fingerprint and result.outcome == "passed":
                self.ports.fingerprints.put(test_id=test.test_id, step_index=index, fingerprint=found.fingerprint)
        except StepParseError as exc:
            result.action = spec.action or "unknown"
            result.outcome, result.error = "error", f"cannot run this step: {exc.message}"
        except StepFailure as exc:
            result.outcome, result.error = ("error" if exc.kind == "error" else "failed"), exc.message
        except Cancelled:
            raise
        except PlaywrightError as exc:
            message = str(exc).splitlines()[0]
            infra = driver.crashed or is_infrastructure_error(exc)
            result.outcome = "error" if infra else "failed"
            result.error = message
        result.duration_ms = int((time.monotonic() - started) * 1000)
        result.logs = driver.drain_logs()
        failed = result.outcome in {"failed", "error"}
        if failed or self.options.screenshot_every_step:
            self.screenshot(test, index, driver, result)
        try:
            result.url = driver.page.url
        except PlaywrightError:
            result.url = None
        self.emit_step(test, result, spec.describe())
        return result

    def act(
        self, test: TestSpec, index: int, step: ParsedStep, driver: PageDriver, result: StepResult
    ) -> Resolved | None:
        try:
            return driver.run(step, fingerprint=step.action in _FINGERPRINTED)
        except TargetNotFound as exc:
            if not self.options.self_heal_enabled:
                raise
            locator = self.self_heal(test, index, step, driver, result, exc)
            if locator is None:
                raise
            result.outcome = "healed"
            # A healed step is not green: its fingerprint stays the one from the last green run.
            driver.run(step, locator=locator)
            return None

    def self_heal(
        self,
        test: TestSpec,
        index: int,
        step: ParsedStep,
        driver: PageDriver,
        result: StepResult,
        failure: TargetNotFound,
    ) -> Locator | None:
        fingerprint = self.ports.fingerprints.get(test_id=test.test_id, step_index=index)
        if fingerprint is None:
            failure.message += " (no earlier green run of this step to heal from)"
            return None
        from .healing import capture_candidates, heal  # the healer is optional at import time of the runner

        # Bounded below the 2 s within which a cancelled run must stop.
        candidates = capture_candidates(driver.page, quiet_ms=150, timeout_ms=1500)
        rejected = self.ports.fingerprints.rejected_locators(test_id=test.test_id, step_index=index)
        decision = heal(fingerprint, candidates, rejected_locators=rejected)
        info = {
            "healed": bool(decision.healed),
            "original_target": step.target_text(),
            "locator": decision.locator,
            "score": decision.score,
            "runner_up_score": decision.runner_up_score,
            "reason": decision.reason,
            "chosen": decision.chosen,
            "top": decision.top[:3],
            "decided_by": "healer",
        }
        result.heal = info
        if not decision.healed and self.ports.tie_breaker is not None:
            self.tie_break(index, step, fingerprint, decision, info)
        locator = None
        if info["healed"] and info["locator"]:
            candidate = driver.page.locator(info["locator"])
            reason = info["reason"]
            try:
                if candidate.count() == 1:
                    locator = candidate
                else:
                    info["healed"] = False
                    info["reason"] = f"{reason}; the chosen locator no longer matches exactly one element"
            except PlaywrightError as exc:
                info["healed"] = False
                info["reason"] = f"{reason}; the chosen locator did not resolve: {str(exc).splitlines()[0]}"
        if locator is not None:
            info["screenshot_url"] = self.heal_screenshot(test, index, locator)
            self.emit("heal", {"test_id": test.test_id, "step": index + 1, **info})
            self.emit(
                "log",
                {
                    "level": "warning",
                    "message": f'Step {index + 1}: healed "{step.target_text()}" -> '
                    f"{info['locator']} (score {info['score']:.2f}"
                    + (f", chosen by AI {info['ai_model']})" if info["decided_by"] == "ai" else ")"),
                },
            )
        else:
            top = ", ".join(f"{_candidate_label(c)} ({c.get('score', 0):.2f})" for c in info["top"])
            failure.message += f"; self-healing abstained ({info['reason']}); best candidates: {top or 'none'}"
        self.checkpoint("self_heal")
        return locator

    def restore_form(self, driver: PageDriver, deadline: float) -> None:
        """Put back the form the checkpoint's page held, and say what could not be put back."""
        fields = self.state.form_fields
        missed = driver.restore_fields(fields, deadline)
        message = f"Restored {len(fields) - len(missed)} of {len(fields)} form fields"
        if missed:
            message += f"; not found on the page: {', '.join(missed[:5])}" + (" and more" if len(missed) > 5 else "")
        self.emit("log", {"level": "warning" if missed else "info", "message": message})

    def tie_break(
        self, index: int, step: ParsedStep, fingerprint: dict[str, Any], decision: HealDecision, info: dict[str, Any]
    ) -> None:
        """Ask the tie-breaker when the healer abstained on a close call only; a choice rewrites `info`.

        The candidates offered are the healer's own shortlist, so the locator used is one it built.
        """
        from .healing.tiebreak import close_call_candidates

        candidates = close_call_candidates(decision, fingerprint)
        # A cancelled run must stop promptly, and a provider call can take seconds.
        if not candidates or self.ports.tie_breaker is None or self.cancelled():
            return
        answer = self.ports.tie_breaker.choose(
            step_text=step.source, old_fingerprint=fingerprint, candidates=candidates
        )
        if answer.index is None or not 0 <= answer.index < len(candidates):
            info["reason"] = f"{info['reason']}; AI tie-break made no choice ({answer.reason})"
            self.emit(
                "log",
                {"level": "warning", "message": f"Step {index + 1}: AI tie-break made no choice: {answer.reason}"},
            )
            return
        chosen = candidates[answer.index]
        others = [c.get("score", 0.0) for c in decision.top if c is not chosen]
        info.update(
            healed=True,
            locator=chosen["locator"],
            score=chosen.get("score", 0.0),
            runner_up_score=max(others, default=0.0),
            chosen={k: v for k, v in chosen.items() if k not in ("score", "locator", "evidence")},
            reason=f"healed: {chosen['locator']} chosen by AI ({answer.model}) among {len(candidates)} close "
            f"candidates; the healer alone was {decision.reason}",
            decided_by="ai",
            ai_model=answer.model,
        )

    def heal_screenshot(self, test: TestSpec, index: int, locator: Locator) -> str | None:
        """The page with the healed element outlined, before acting on it: the evidence a reviewer judges."""
        try:
            restore = locator.evaluate(_OUTLINE_JS, True, timeout=2000)
            try:
                content = locator.page.screenshot(type="jpeg", quality=70, timeout=5000)
            finally:
                locator.evaluate(_OUTLINE_JS, restore, timeout=2000)
        except PlaywrightError:
            return None  # evidence is best effort: the heal itself stands or falls on the action
        name = f"{test.test_id}-a{self.state.attempt}-s{index + 1}-heal.jpg"
        return self.ports.artifacts.save_screenshot(name=name, content=content)

    def screenshot(self, test: TestSpec, index: int, driver: PageDriver, result: StepResult) -> None:
        try:
            content = driver.page.screenshot(type="jpeg", quality=70, timeout=5000)
        except PlaywrightError:
            return  # the page is gone (crash, closed): the step's error already says why
        name = f"{test.test_id}-a{self.state.attempt}-s{index + 1}.jpg"
        url = self.ports.artifacts.save_screenshot(name=name, content=content)
        result.screenshot_url = url
        self.emit(
            "screenshot",
            {
                "base64": base64.b64encode(content).decode(),
                "step": index + 1,
                "url": url,
                "test_id": test.test_id,
                "mime": "image/jpeg",
            },
        )

    def emit_step(self, test: TestSpec, result: StepResult, text: str) -> None:
        for log in result.logs:
            self.emit("log", {**log, "test_id": test.test_id, "step": result.index + 1})
        level = "info" if result.outcome in {"passed", "healed"} else "error"
        message = f"Step {result.index + 1}: {text} - {result.outcome} ({result.duration_ms} ms)"
        if result.error:
            message += f": {result.error}"
        self.emit(
            "log",
            {
                "level": level,
                "message": message,
                "test_id": test.test_id,
                "step": result.index + 1,
                "outcome": result.outcome,
            },
        )

    def report(self) -> RunOutcome:
        state = self.state
        if state.status == "cancelled":
            if state.current is not None:
                state.current.status = "skipped"
                state.current.error = "run cancelled"
                state.results.append(state.current)
                state.current = None
            for test in self.plan.tests[len(state.results) :]:
                state.results.append(
                    TestResult(
                        test_id=test.test_id,
                        name=test.name,
                        status="skipped",
                        attempts=0,
                        duration_ms=0,
                        error="run cancelled",
                    )
                )
            state.test_index = len(self.plan.tests)
        counts = {
            k: sum(1 for r in state.results if r.status == k)
            for k in ("passed", "failed", "healed", "error", "skipped")
        }
        if state.status != "cancelled":
            if self.run_error or counts["error"]:
                state.status = "error"
            elif counts["failed"]:
                state.status = "failed"
            else:
                state.status = "passed"
        self.checkpoint("report")
        duration = state.elapsed_ms / 1000
        self.emit(
            "complete",
            {
                "status": state.status,
                "passed": counts["passed"],
                "failed": counts["failed"],
                "healed": counts["healed"],
                "errors": counts["error"],
                "skipped": counts["skipped"],
                "total": len(self.plan.tests),
                "duration_seconds": round(duration, 3),
                "error": self.run_error,
            },
        )
        return RunOutcome(
            status=state.status,
            passed=counts["passed"],
            failed=counts["failed"],
            healed=counts["healed"],
            errored=counts["error"],
            skipped=counts["skipped"],
            duration_seconds=duration,
            state=state,
            error=self.run_error,
        )


class _Probe(threading.Thread):
    """GET the app's URL in the background, so the run can stay responsive to cancellation meanwhile."""

    def __init__(self, url: str, timeout: float) -> None:
        super().__init__(daemon=True, name="argus-probe")
        self.url, self.timeout = url, timeout
        self.status: int | None = None
        self.title: str | None = None
        self.error: str | None = None

    def run(self) -> None:
        request = urllib.request.Request(self.url, headers={"User-Agent": "Argus/engine", "Accept": "text/html"})
        try:
            # As the browser does: no proxy from the environment, and self-signed certificates accepted
            # (staging apps often have them; the browser context ignores HTTPS errors too).
            tls = ssl.create_default_context()
            tls.check_hostname = False
            tls.verify_mode = ssl.CERT_NONE
            opener = urllib.request.build_opener(
                urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=tls)
            )
            with opener.open(request, timeout=self.timeout) as response:
                self.status = response.status
                body = response.read(256 * 1024)
        except urllib.error.HTTPError as exc:
            # The server answered (404, 500...): reachable. Tests decide whether the page is right.
            self.status = exc.code
            body = exc.read(256 * 1024) if exc.fp else b""
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            self.error = f"{type(reason).__name__}: {reason}" if not isinstance(reason, str) else reason
            return
        match = re.search(rb"<title[^>]*>(.*?)</title>", body, re.I | re.S)
        if match:
            self.title = html.unescape(" ".join(match.group(1).decode("utf-8", "replace").split()))


def _browser_state(driver: PageDriver) -> tuple[dict[str, Any] | None, str | None, list[dict[str, Any]]]:
    try:
        return driver.browser_state()
    except PlaywrightError:
        return None, None, []


def _close(context: BrowserContext) -> None:
    # If the browser died with it, BrowserHost relaunches one for the next context.
    with contextlib.suppress(PlaywrightError):
        context.close()


def _test_event(result: TestResult) -> dict[str, Any]:
    return {
        "test_id": result.test_id,
        "name": result.name,
        "status": result.status,
        "attempts": result.attempts,
        "duration_ms": result.duration_ms,
        "error": result.error,
        "steps": len(result.steps),
    }


# Outline an element (arg true) and return its previous inline style, or put that style back (arg a string).
_OUTLINE_JS = """(el, arg) => {
  if (arg === true) {
    const previous = el.getAttribute('style');
    el.style.setProperty('outline', '3px solid #e5484d', 'important');
    el.style.setProperty('outline-offset', '2px', 'important');
    el.scrollIntoView({block: 'center', inline: 'center'});
    return previous === null ? '' : previous;
  }
  if (arg) el.setAttribute('style', arg); else el.removeAttribute('style');
  return arg;
}"""


def _candidate_label(candidate: dict[str, Any]) -> str:
    name = candidate.get("accessible_name") or candidate.get("text") or candidate.get("id") or ""
    return f'{candidate.get("tag", "?")} "{str(name)[:40]}"'
