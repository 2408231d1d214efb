"""Runs parsed steps on one page: resolve the target, act, settle, check; every wait bounded and sliced.

Every wait is cut into slices of at most SLICE_MS so that a cancelled run stops within about half a
second, even in the middle of a ten-second wait for text that never comes.
"""

from __future__ import annotations

import contextlib
import json
import mimetypes
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urljoin

from playwright.sync_api import BrowserContext, Locator, Page
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .interfaces import CancelToken
from .pagejs import ENGINE_NAME, REPORT_PREFIX
from .steps import ParsedStep, Target

SLICE_MS = 500
# Actions after which the page is likely to navigate or fetch: the step waits for that to settle. After
# the others (typing, checking, choosing) the next step's own waiting covers whatever they started.
SETTLING_ACTIONS = frozenset({"click", "dblclick", "right_click", "press"})
# Steps that do not change the page: the state before them is the state the previous step left.
_OBSERVING = ("_do_assert", "_do_wait")
SETTLE_MAX_S = 3.0  # after an action, wait at most this long for a navigation it started to load
NETWORK_QUIET_MAX_S = 0.5  # ...and at most this long for the requests it started to finish
REPORT_WAIT_S = 1.0  # the selector engine's report precedes the action's answer; this only bounds a surprise
# Long-lived connections never "finish"; waiting for them would cost every step the full bound.
_UNTRACKED_RESOURCES = {"websocket", "eventsource", "media", "manifest"}
T = TypeVar("T")

_TAKE_JS = "([s, c, a, fp]) => window.__argus ? window.__argus.take(s, c, a, fp) : null"
_TAKE_SYNC_JS = "([s, c, a]) => window.__argus ? window.__argus.takeSync(s, c, a) : null"
_FP_TAGGED_JS = "t => window.__argus ? window.__argus.fingerprintTagged(t) : null"
TAG_ATTR = "data-argus-target"

try:  # the healer turns its compact in-page payload into fingerprints; optional like the healer itself
    from .healing.capture import expand_fingerprint
except ImportError:  # pragma: no cover - without the healer there is nothing to fingerprint for
    expand_fingerprint = None


def parse_fingerprint(raw: str | None) -> dict[str, Any] | None:
    if not raw or expand_fingerprint is None:
        return None
    data = json.loads(raw)
    return None if data is None else expand_fingerprint(data)


@dataclass
class Resolved:
    """The element a step found: a locator that matches only it, and its fingerprint when one was taken."""

    locator: Locator
    fingerprint: dict[str, Any] | None = None


_DIAG_JS = "s => { if (!window.__argus) return {status: 'none'}; const r = window.__argus.resolve(s); if (r.el) { r.state = window.__argus.state(r.el); r.found = window.__argus.describe(r.el); delete r.el; } return r; }"  # noqa: E501
# A native <select>: the option a person means by `want` ({value}), or the options there are; null otherwise.
_SELECT_OPTION_JS = """(e, want) => {
  if (e.localName !== 'select') return null;
  const n = (s) => (s || '').replace(/\\s+/g, ' ').trim().toLowerCase();
  const opts = Array.from(e.options);
  const hit = opts.find(o => n(o.text) === n(want)) || opts.find(o => o.value === want)
    || opts.find(o => n(o.text).includes(n(want)));
  return hit ? {value: hit.value} : {options: opts.map(o => o.text.trim())};
}"""
_SELECT_OPTION_IN_SINGLE_JS = f"(els, want) => els.length === 1 ? {{found: ({_SELECT_OPTION_JS})(els[0], want)}} : null"
_SNAPSHOT_JS = (
    "() => new Promise(r => setTimeout(() => r(window.__argus ? window.__argus.snapshot() : "
    "{ready: document.readyState, url: location.href, origin: location.origin, localStorage: []}), 0))"
)


def _noop() -> None:
    return None


class Cancelled(Exception):
    """The run was cancelled; unwinds out of whatever the step was waiting for."""


class StepFailure(Exception):
    """A step did not pass. kind "failed": the app misbehaved; kind "error": our infrastructure did."""

    def __init__(self, message: str, *, kind: str = "failed", details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.details = details or {}


class TargetNotFound(StepFailure):
    """The step's target resolves to nothing (or to several things): the case self-healing is for."""


def is_infrastructure_error(exc: BaseException) -> bool:
    text = str(exc)
    return any(
        marker in text
        for marker in (
            "Target crashed",
            "Target page, context or browser has been closed",
            "Browser has been closed",
            "browser has disconnected",
            "Connection closed",
        )
    )


class PageDriver:
    """One test attempt's page, its listeners and the step verbs."""

    def __init__(
        self,
        *,
        context: BrowserContext,
        page: Page,
        app_url: str,
        cancel: CancelToken,
        step_timeout_ms: int,
    ) -> None:
        self.context = context
        self.page = page
        self.app_url = app_url if app_url.endswith("/") else app_url + "/"
        self.cancel = cancel
        self.step_timeout_s = step_timeout_ms / 1000
        self.logs: list[dict[str, Any]] = []
        self.crashed = False
        self.last_snapshot: dict[str, Any] | None = None
        # Called once per step at the first moment the page is known to be as the previous step left it
        # (before this step acts): the runner saves the previous step's checkpoint then, from the snapshot
        # this step's first evaluate brought back, instead of paying a round trip of its own.
        self.before_act: Callable[[], None] = _noop
        self._inflight: set[Any] = set()
        # Cookies change only through responses (Set-Cookie) or script (document.cookie, seen in snapshots),
        # so the context's cookie jar is read again only after one of those.
        self._cookies: list[Any] | None = None
        self._cookie_js: str | None = None
        # Reports of the selector engine (see act_on), by step nonce; the key keeps the page from forging one.
        self._nonce = 0
        self._report_key = secrets.token_hex(8)
        self._report_prefix = f"{REPORT_PREFIX}{self._report_key} "
        self._reports: dict[int, dict[str, Any]] = {}
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self._log("error", f"uncaught exception: {exc}"))
        page.on("request", self._on_request)
        page.on("requestfinished", self._on_request_finished)
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)
        page.on("crash", self._on_crash)
        page.on("dialog", self._on_dialog)
        self._navigations = 0
        self._loaded_navigations = 0  # the main-frame navigations whose load has been waited for
        page.on("framenavigated", self._on_navigated)

    # --- listeners ---------------------------------------------------------------------------

    def _log(self, level: str, message: str) -> None:
        self.logs.append({"level": level, "message": message[:2000]})

    def _on_console(self, msg: Any) -> None:
        text = msg.text
        if text.startswith(self._report_prefix):
            report = json.loads(text[len(self._report_prefix) :])
            self._reports[report["nonce"]] = report
        elif msg.type == "error":
            self._log("error", f"console error: {msg.text}")

    def _on_request(self, request: Any) -> None:
        if request.resource_type not in _UNTRACKED_RESOURCES:
            self._inflight.add(request)

    def _on_request_finished(self, request: Any) -> None:
        self._inflight.discard(request)

    def _on_request_failed(self, request: Any) -> None:
        self._inflight.discard(request)
        failure = request.failure or "failed"
        if failure != "net::ERR_ABORTED":  # aborted by the page itself (navigated away), not a failure
            self._log("error", f"request failed: {request.method} {request.url} ({failure})")

    def _on_response(self, response: Any) -> None:
        self._cookies = None
        if response.status >= 400:
            self._log("error", f"{response.request.method} {response.url} -> HTTP {response.status}")

    def _on_navigated(self, frame: Any) -> None:
        if frame.parent_frame is None:
            self._navigations += 1
            self._cookies = None  # a document response may have set cookies

    def _on_dialog(self, dialog: Any) -> None:
        # A person who clicks "Delete" and gets "Are you sure?" means yes: accept, and say so in the log.
        self._log("info", f'{dialog.type} dialog "{dialog.message}" accepted')
        with contextlib.suppress(PlaywrightError):
            dialog.accept()

    def _on_crash(self, _page: Any) -> None:
        self.crashed = True
        self._log("error", "the page crashed")

    def drain_logs(self) -> list[dict[str, Any]]:
        logs, self.logs = self.logs, []
        return logs

    # --- plumbing ----------------------------------------------------------------------------

    def check_cancel(self) -> None:
        if self.cancel.is_cancelled():
            raise Cancelled()

    def _remaining_ms(self, deadline: float) -> int:
        return max(1, int((deadline - time.monotonic()) * 1000))

    def _sliced(self, fn: Callable[[int], T], deadline: float, *, what: str) -> T:
        """Call fn(timeout_ms) in slices until it returns, the deadline passes, or the run is cancelled."""
        while True:
            self.check_cancel()
            try:
                return fn(min(SLICE_MS, self._remaining_ms(deadline)))
            except PlaywrightTimeout as exc:
                # A slice can end after the input was dispatched (Playwright then waits for navigations
                # the action scheduled); doing it again would click twice or on the next page.
                log = str(exc)
                if "action done" in log or "performing " in log:
                    return None  # type: ignore[return-value]
                if time.monotonic() >= deadline:
                    raise StepFailure(f"{what}: timed out after {self.step_timeout_s:g} s") from exc

    def sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while True:
            self.check_cancel()
            left = end - time.monotonic()
            if left <= 0:
                return
            self.page.wait_for_timeout(min(SLICE_MS, left * 1000))

    def url_for(self, value: str) -> str:
        if "://" in value:
            return value
        return urljoin(self.app_url, value.lstrip("/")) if value.startswith("/") else urljoin(self.app_url, value)

    # --- settling and state ------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any] | None:
        url = self.page.url
        if not url.startswith(("http://", "https://")):
            # Browser-internal pages (chrome-error://, about:blank) run no app and may never fire timers.
            self.last_snapshot = {"ready": "complete", "url": url, "origin": None, "localStorage": [], "cookie": None}
            return self.last_snapshot
        try:
            self.last_snapshot = self.page.evaluate(_SNAPSHOT_JS)
        except PlaywrightError as exc:
            if is_infrastructure_error(exc):
                raise
            self.last_snapshot = None  # the page was navigating; the next snapshot will see it
        return self.last_snapshot

    def settle(self, deadline: float | None = None) -> None:
        """Let what an action started finish: the load of a document it navigated to, then its requests.

        On a page that did not navigate and has nothing in flight this costs no round trip: the state the
        step left is read by the next step's first round trip (see `before_act`).
        """
        now = time.monotonic()
        end = min(deadline or now + SETTLE_MAX_S, now + SETTLE_MAX_S)
        if self._navigations != self._loaded_navigations:
            self._loaded_navigations = self._navigations
            snap = self.snapshot()
            while snap is None or snap.get("ready") != "complete":
                self.check_cancel()
                if time.monotonic() >= end:
                    break
                with contextlib.suppress(PlaywrightTimeout):
                    self.page.wait_for_load_state("load", timeout=min(SLICE_MS, self._remaining_ms(end)))
                snap = self.snapshot()
        if self._inflight:
            quiet_end = min(end, time.monotonic() + NETWORK_QUIET_MAX_S)
            while self._inflight and time.monotonic() < quiet_end:
                self.check_cancel()
                self.page.wait_for_timeout(10)
            self.snapshot()

    def browser_state(self) -> tuple[dict[str, Any], str | None, list[dict[str, Any]]]:
        """Playwright storage_state for the context (cookies + this origin's local storage), the URL, and
        the form fields the page holds changed (see `restore_fields`)."""
        snap = self.last_snapshot or self.snapshot() or {}
        cookie_js = snap.get("cookie")
        if self._cookie_js is not None and cookie_js != self._cookie_js:
            self._cookies = None  # a script changed document.cookie since the jar was read
        if self._cookies is None:
            self._cookies = self.context.cookies()
        self._cookie_js = cookie_js
        origins = []
        origin = snap.get("origin")
        if origin and origin != "null":
            origins.append({"origin": origin, "localStorage": snap.get("localStorage", [])})
        storage = {"cookies": list(self._cookies), "origins": origins}
        return storage, snap.get("url") or self.page.url, list(snap.get("fields") or [])

    def restore_fields(self, fields: list[dict[str, Any]], deadline: float) -> list[str]:
        """Type, tick and choose again what a checkpoint's page held; returns the paths it could not restore.

        Through Playwright's own actions, so the app's input and change handlers see them as a user's.
        """
        missed = []
        for spec in fields:
            self.check_cancel()  # each field may wait up to a slice: a cancelled run still stops promptly
            field = self.page.locator(f"xpath={spec['path']}")
            timeout = min(SLICE_MS, self._remaining_ms(deadline))
            try:
                if "checked" in spec:
                    field.set_checked(bool(spec["checked"]), timeout=timeout)
                elif "values" in spec:
                    field.select_option(value=list(spec["values"]), timeout=timeout)
                else:
                    field.fill(str(spec.get("value", "")), timeout=timeout)
            except PlaywrightError as exc:
                if is_infrastructure_error(exc):
                    raise
                missed.append(spec["path"])
        return missed

    # --- targets -----------------------------------------------------------------------------

    def _tagged(self, token: str) -> Locator:
        return self.page.locator(f'[{TAG_ATTR}="{token}"]')

    def resolve(
        self,
        target: Target,
        action: str,
        deadline: float,
        *,
        fingerprint: bool = False,
        cond: str | None = None,
        arg: Any = None,
    ) -> Resolved:
        """Find the target (for assertions: in the state `cond` names), waiting up to the deadline.

        Raises TargetNotFound when nothing, or several things, match; with `cond`, raises _Unmet when the
        target exists but never reached the state. `fingerprint` takes the healer's fingerprint of the
        element in the same round trip, before the step acts on it.
        """
        if target.selector:
            return self._resolve_selector(target, deadline, fingerprint=fingerprint)
        spec = {**target.to_dict(), "action": action}
        # One plain evaluate first: the element is usually there already, and a polling task costs more.
        first = self._try_eval(_TAKE_JS, [spec, cond, arg, fingerprint])
        if first:
            if first.get("snap"):
                self.last_snapshot = first["snap"]
            if first.get("token"):
                return Resolved(self._tagged(first["token"]), parse_fingerprint(first.get("fp")))
            raise self._not_found(target, first)
        while True:
            self.check_cancel()
            try:
                handle = self.page.wait_for_function(
                    _TAKE_SYNC_JS, arg=[spec, cond, arg], timeout=min(SLICE_MS, self._remaining_ms(deadline))
                )
            except PlaywrightTimeout:
                if time.monotonic() >= deadline:
                    break
                continue
            found = handle.json_value()
            if not found.get("token"):
                raise self._not_found(target, found)
            fp = self._try_eval(_FP_TAGGED_JS, found["token"]) if fingerprint else None
            return Resolved(self._tagged(found["token"]), parse_fingerprint(fp))
        info = self._diagnose(spec)
        if cond and info.get("found"):
            raise _Unmet(info.get("state") or {})
        raise self._not_found(target, info)

    def _try_eval(self, js: str, arg: Any) -> Any:
        """`js(arg)` once; None when the page is between documents."""
        try:
            return self.page.evaluate(js, arg)
        except PlaywrightError as exc:
            if is_infrastructure_error(exc):
                raise
            return None

    def _diagnose(self, spec: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.page.evaluate(_DIAG_JS, spec)
        except PlaywrightError:
            return {"status": "none"}

    def _not_found(self, target: Target, info: dict[str, Any]) -> TargetNotFound:
        if info.get("status") == "ambiguous":
            shown = "; ".join(_describe(c) for c in info.get("candidates", []))
            return TargetNotFound(
                f'"{target.raw}" is ambiguous: {info.get("count")} visible elements match by {info.get("via")} '
                f'({shown}). Name it more precisely, e.g. with its role ("the {target.text} button") or its '
                f'position ("the first {target.text}")',
                details={"resolution": info},
            )
        hidden = info.get("hidden")
        why = f" ({hidden} match(es) exist but none is visible)" if hidden else ""
        reason = info.get("reason")
        return TargetNotFound(
            f'no element matches "{target.raw}"{why}{": " + reason if reason else ""}; looked for a test id, '
            f"label, placeholder, role and name, and visible text",
            details={"resolution": info},
        )

    def _resolve_selector(self, target: Target, deadline: float, *, fingerprint: bool = False) -> Resolved:
        assert target.selector is not None
        locator = self.page.locator(target.selector)
        while True:
            self.check_cancel()
            try:
                flags = locator.evaluate_all("els => els.map(e => window.__argus ? window.__argus.isVisible(e) : true)")
            except PlaywrightError as exc:
                if "selector" in str(exc).lower() and "parse" in str(exc).lower():
                    raise StepFailure(f'"{target.selector}" is not a valid selector: {exc}') from exc
                flags = []
            visible = [i for i, v in enumerate(flags) if v]
            if target.nth is not None and len(visible) > (target.nth if target.nth >= 0 else -target.nth - 1):
                return self._selector_match(locator.nth(visible[target.nth]), fingerprint)
            if len(visible) == 1:
                return self._selector_match(locator.nth(visible[0]), fingerprint)
            if len(visible) > 1 and target.nth is None:
                raise TargetNotFound(
                    f'selector "{target.selector}" matches {len(visible)} visible elements; make it unique',
                    details={"resolution": {"status": "ambiguous", "count": len(visible)}},
                )
            if time.monotonic() >= deadline:
                raise TargetNotFound(
                    f'selector "{target.selector}" matches no visible element'
                    + (f" ({len(flags)} hidden)" if flags else ""),
                    details={"resolution": {"status": "none", "hidden": len(flags)}},
                )
            self.page.wait_for_timeout(min(100, self._remaining_ms(deadline)))

    def _selector_match(self, locator: Locator, fingerprint: bool) -> Resolved:
        if not fingerprint:
            return Resolved(locator)
        from .healing import fingerprint_element

        try:
            return Resolved(locator, fingerprint_element(self.page, locator.element_handle(timeout=SLICE_MS)))
        except (PlaywrightError, ValueError):
            return Resolved(locator)

    # --- steps -------------------------------------------------------------------------------

    def run(self, step: ParsedStep, *, locator: Locator | None = None, fingerprint: bool = False) -> Resolved | None:
        """Run one step; returns the element it acted on or checked (with its fingerprint if asked), if any.

        `locator` skips resolution (the healer already found the element).
        """
        deadline = time.monotonic() + self.step_timeout_s
        self.last_snapshot = None  # whatever the step ends with must be observed anew
        action = step.action
        handler = getattr(self, f"_do_{action}", None)
        if handler is not None:
            if handler.__name__.startswith(_OBSERVING):
                try:
                    handler(step, deadline)
                finally:
                    self.before_act()
            else:
                self.before_act()
                handler(step, deadline)
            return None
        if step.target is None:
            raise StepFailure(f"{action} needs a target")
        if action.startswith("assert_"):
            try:
                return self._assert_element(step, deadline, locator=locator, fingerprint=fingerprint)
            finally:
                self.before_act()
        if locator is not None:
            self.before_act()
            self._act(step, locator, deadline)
            found: Resolved | None = Resolved(locator)
        else:
            found = self.act_on(step.target, action, deadline, lambda el: self._act(step, el, deadline), fingerprint)
        self.last_snapshot = None  # what the step changed is read by settling or by the next step's first round trip
        if action in SETTLING_ACTIONS:
            self.settle(deadline)
        return found

    def act_on(
        self, target: Target, action: str, deadline: float, perform: Callable[[Locator], None], fingerprint: bool
    ) -> Resolved:
        """Find the target and `perform` the action on it, calling `before_act` once the page's prior state is known.

        A target named in words is found by the `argus` selector engine inside the action's own round trip
        (pagejs.selector_engine); its report brings back the page's state before the action and the element's
        fingerprint. An explicit CSS/XPath selector is checked for a single visible match first.
        """
        if target.selector:
            found = self._resolve_selector(target, deadline, fingerprint=fingerprint)
            self.before_act()
            perform(found.locator)
            return found
        self._nonce += 1
        nonce = self._nonce
        spec = {**target.to_dict(), "action": action}
        body = json.dumps({**spec, "nonce": nonce, "fp": fingerprint, "key": self._report_key})
        locator = self.page.locator(f"{ENGINE_NAME}={quote(body, safe='')}")
        if self._cookies is None:
            # The jar as the previous step left it, for its checkpoint; the report's document.cookie is of the
            # same moment, so it becomes the reference for noticing a script's changes.
            self._cookies, self._cookie_js = self.context.cookies(), None
        try:
            perform(locator)
        except PlaywrightError as exc:
            if "strict mode violation" not in str(exc):
                raise
            raise self._not_found(target, self._diagnose(spec)) from None
        except StepFailure:
            if nonce not in self._reports:  # never found: say what was looked for and what the page has
                raise self._not_found(target, self._diagnose(spec)) from None
            raise
        finally:
            report = self._reports.pop(nonce, None)
        if report is None:
            report = self._await_report(nonce)
        self.last_snapshot = report.get("snap") if report else None
        self.before_act()
        return Resolved(locator, parse_fingerprint(report.get("fp")) if report else None)

    def _await_report(self, nonce: int) -> dict[str, Any] | None:
        """The engine's report for a step whose action succeeded (so it was sent); it normally came first."""
        end = time.monotonic() + REPORT_WAIT_S
        while nonce not in self._reports and time.monotonic() < end:
            self.page.wait_for_timeout(10)
        return self._reports.pop(nonce, None)

    def _act(self, step: ParsedStep, el: Locator, deadline: float) -> None:
        what = f'{step.action.replace("_", " ")} "{step.target_text()}"'
        action, value = step.action, step.value or ""
        if action == "fill":
            self._sliced(lambda t: el.fill(value, timeout=t), deadline, what=what)
        elif action == "clear":
            self._sliced(lambda t: el.fill("", timeout=t), deadline, what=what)
        elif action == "click":
            self._sliced(lambda t: el.click(timeout=t), deadline, what=what)
        elif action == "dblclick":
            self._sliced(lambda t: el.dblclick(timeout=t), deadline, what=what)
        elif action == "right_click":
            self._sliced(lambda t: el.click(button="right", timeout=t), deadline, what=what)
        elif action == "hover":
            self._sliced(lambda t: el.hover(timeout=t), deadline, what=what)
        elif action == "check":
            self._sliced(lambda t: el.check(timeout=t), deadline, what=what)
        elif action == "uncheck":
            self._sliced(lambda t: el.uncheck(timeout=t), deadline, what=what)
        elif action == "press":
            self._sliced(lambda t: el.press(value, timeout=t), deadline, what=what)
        elif action == "select":
            self._select(el, value, deadline, what)
        elif action == "upload":
            self._upload(el, value, deadline, what)
        else:
            raise StepFailure(f"Argus cannot {action} yet", kind="error")

    def _select(self, el: Locator, value: str, deadline: float, what: str) -> None:
        # The dropdown is usually there already: one evaluate over the locator's matches (no element handle,
        # no waiting) finds the option; otherwise wait for the single element the way every action does.
        try:
            at_once = el.evaluate_all(_SELECT_OPTION_IN_SINGLE_JS, value)
        except PlaywrightError as exc:
            if is_infrastructure_error(exc):
                raise
            at_once = None
        if at_once is not None:
            found = at_once["found"]
        else:
            found = self._sliced(lambda t: el.evaluate(_SELECT_OPTION_JS, value, timeout=t), deadline, what=what)
        if found and "options" in found:
            raise StepFailure(f'{what}: no option "{value}"; the options are {", ".join(found["options"])}')
        if found and "value" in found:
            self._sliced(lambda t: el.select_option(value=found["value"], timeout=t), deadline, what=what)
            return
        # A custom dropdown: open it, then click the option the way a person would.
        self._sliced(lambda t: el.click(timeout=t), deadline, what=what)
        self.act_on(
            Target(raw=value, text=value, role="option"),
            "click",
            deadline,
            lambda option: self._sliced(lambda t: option.click(timeout=t), deadline, what=f'choose "{value}"'),
            fingerprint=False,
        )

    def _upload(self, el: Locator, value: str, deadline: float, what: str) -> None:
        path = Path(value).expanduser()
        if path.is_file():
            files: Any = str(path)
        else:
            # The worker has no such file: upload a small generated one under that name, so upload
            # flows can be tested without shipping files to every worker.
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            files = {"name": path.name, "mimeType": mime, "buffer": f"Argus test upload: {path.name}\n".encode()}
        self._sliced(lambda t: el.set_input_files(files, timeout=t), deadline, what=what)

    # page-level steps (`_do_<action>`)

    def _do_navigate(self, step: ParsedStep, deadline: float) -> None:
        url = self.url_for(step.value or "/")
        self.goto(url, deadline)

    def goto(self, url: str, deadline: float) -> None:
        before = self._navigations
        self.check_cancel()
        try:
            # Usually the page loads within the first slice: one round trip, as in a hand-written script.
            self.page.goto(url, wait_until="load", timeout=min(SLICE_MS, self._remaining_ms(deadline)))
            self._loaded_navigations = self._navigations
            self.settle(deadline)
            return
        except PlaywrightTimeout:
            # The server is slow to answer: keep waiting for the commit in slices (cancellable).
            while self._navigations == before:
                self.check_cancel()
                if time.monotonic() >= deadline:
                    raise StepFailure(f"{url} did not answer within {self.step_timeout_s:g} s") from None
                try:
                    self.page.wait_for_event(
                        "framenavigated",
                        predicate=lambda f: f == self.page.main_frame,
                        timeout=min(SLICE_MS, self._remaining_ms(deadline)),
                    )
                except PlaywrightTimeout:
                    continue
        except PlaywrightError as exc:
            message = str(exc).splitlines()[0]
            if "net::ERR_" in message or "NS_ERROR" in message:
                raise StepFailure(f"app unreachable: {url} ({message})", kind="error") from exc
            raise
        self._wait_load(deadline)

    def _wait_load(self, deadline: float) -> None:
        self._sliced(lambda t: self.page.wait_for_load_state("load", timeout=t), deadline, what="page load")
        self.settle(deadline)

    def _do_reload(self, step: ParsedStep, deadline: float) -> None:
        self._sliced(lambda t: self.page.reload(wait_until="commit", timeout=t), deadline, what="reload")
        self._wait_load(deadline)

    def _do_go_back(self, step: ParsedStep, deadline: float) -> None:
        self._sliced(lambda t: self.page.go_back(wait_until="commit", timeout=t), deadline, what="go back")
        self._wait_load(deadline)

    def _do_wait_load(self, step: ParsedStep, deadline: float) -> None:
        self._wait_load(deadline)

    def _do_wait_seconds(self, step: ParsedStep, deadline: float) -> None:
        self.sleep(step.seconds or 0)

    def _do_press(self, step: ParsedStep, deadline: float) -> None:
        key = step.value or ""
        if step.target is not None:
            self.act_on(
                step.target,
                "press",
                deadline,
                lambda el: self._sliced(lambda t: el.press(key, timeout=t), deadline, what=f"press {key}"),
                fingerprint=False,
            )
        else:
            self.page.keyboard.press(key)
        self.settle(deadline)

    def _wait_js(self, js: str, arg: Any, deadline: float) -> Any:
        """Poll `js(arg)` in the page until truthy (returns the handle) or the deadline (returns None)."""
        # The first check also brings back the page's state snapshot, so a check that holds at once
        # costs one round trip in all.
        wrapped = (
            f"async (a) => {{ const r = await ({js})(a); "
            "return r ? {snap: window.__argus ? window.__argus.snapshot() : null} : null; }"
        )
        try:
            done = self.page.evaluate(wrapped, arg)
            if done:
                self.last_snapshot = done.get("snap")
                return True
        except PlaywrightError as exc:
            if is_infrastructure_error(exc):
                raise
        while True:
            self.check_cancel()
            try:
                return self.page.wait_for_function(js, arg=arg, timeout=min(SLICE_MS, self._remaining_ms(deadline)))
            except PlaywrightTimeout:
                if time.monotonic() >= deadline:
                    return None

    def _do_wait_visible(self, step: ParsedStep, deadline: float) -> None:
        assert step.target is not None
        spec = {**step.target.to_dict(), "action": "assert_visible"}
        if step.kind == "element" and step.target.selector:
            self.resolve(step.target, "assert_visible", deadline)
            return
        js = {
            "text": "([s]) => window.__argus && window.__argus.hasText(s.text)",
            "element": "([s]) => window.__argus && !!window.__argus.resolve(s).el",
        }.get(
            step.kind or "any",
            "([s]) => window.__argus && (window.__argus.hasText(s.text) || !!window.__argus.resolve(s).el)",
        )
        if self._wait_js(js, [spec], deadline) is None:
            raise StepFailure(f'"{step.target.raw}" did not appear within {self.step_timeout_s:g} s')

    def _do_wait_hidden(self, step: ParsedStep, deadline: float) -> None:
        assert step.target is not None
        spec = {**step.target.to_dict(), "action": "assert_visible"}
        if step.target.selector:
            js = "([s, sel]) => !Array.from(document.querySelectorAll(sel)).some(e => window.__argus.isVisible(e))"
            sel = step.target.selector.removeprefix("css=")
            if step.target.selector.startswith("xpath="):
                self._wait_selector_hidden(step.target.selector, deadline)
                return
            ok = self._wait_js(js, [spec, sel], deadline)
        else:
            js = "([s]) => window.__argus && !window.__argus.hasText(s.text) && !window.__argus.resolve(s).el"
            ok = self._wait_js(js, [spec], deadline)
        if ok is None:
            raise StepFailure(f'"{step.target.raw}" was still visible after {self.step_timeout_s:g} s')

    def _wait_selector_hidden(self, selector: str, deadline: float) -> None:
        self._sliced(
            lambda t: self.page.locator(selector).first.wait_for(state="hidden", timeout=t),
            deadline,
            what=f'wait for "{selector}" to disappear',
        )

    # assertions

    def _page_excerpt(self) -> str:
        try:
            text = self.page.evaluate(
                "() => (document.body ? document.body.innerText : '').replace(/\\s+/g, ' ').trim()"
            )
        except PlaywrightError:
            return ""
        return text[:300] + ("..." if len(text) > 300 else "")

    def _do_assert_text(self, step: ParsedStep, deadline: float) -> None:
        js = "t => window.__argus && window.__argus.hasText(t)"
        if self._wait_js(js, step.value or "", deadline) is None:
            raise StepFailure(
                f'expected to see "{step.value}" but the page does not show it. Page text: "{self._page_excerpt()}"'
            )

    def _do_assert_no_text(self, step: ParsedStep, deadline: float) -> None:
        js = "t => window.__argus && !window.__argus.hasText(t)"
        if self._wait_js(js, step.value or "", deadline) is None:
            raise StepFailure(f'expected not to see "{step.value}" but the page shows it')

    def _do_assert_url(self, step: ParsedStep, deadline: float) -> None:
        js = "([op, v]) => window.__argus ? window.__argus.urlMatches(op, v) : false"
        if self._wait_js(js, [step.op or "contains", step.value or ""], deadline) is None:
            verb = {"equals": "be", "contains": "contain"}.get(step.op or "contains", step.op)
            raise StepFailure(f'expected the URL to {verb} "{step.value}" but it is "{self.page.url}"')

    def _do_assert_title(self, step: ParsedStep, deadline: float) -> None:
        js = "([op, v]) => window.__argus ? window.__argus.titleMatches(op, v) : false"
        if self._wait_js(js, [step.op or "equals", step.value or ""], deadline) is None:
            verb = {"equals": "be", "contains": "contain"}.get(step.op or "equals", step.op)
            raise StepFailure(f'expected the title to {verb} "{step.value}" but it is "{self.page.title()}"')

    def _do_assert_count(self, step: ParsedStep, deadline: float) -> None:
        container = None if step.target is None else {**step.target.to_dict(), "action": "assert_visible"}
        js = "([n, c, want]) => !!window.__argus && window.__argus.count(n, c).count === want"
        if self._wait_js(js, [step.noun or "items", container, step.count], deadline) is None:
            result = self.page.evaluate("([n, c]) => window.__argus.count(n, c)", [step.noun or "items", container])
            if "error" in result:
                raise StepFailure(result["error"])
            where = f' in "{step.target.raw}"' if step.target else ""
            raise StepFailure(f"expected {step.count} {step.noun}{where} but found {result['count']}")

    def _do_assert_hidden(self, step: ParsedStep, deadline: float) -> None:
        assert step.target is not None
        if step.target.selector:
            self._wait_selector_hidden(step.target.selector, deadline)
            return
        spec = {**step.target.to_dict(), "action": "assert_visible"}
        js = "s => window.__argus && !window.__argus.resolve(s).el"
        if self._wait_js(js, spec, deadline) is None:
            raise StepFailure(f'expected "{step.target.raw}" to be hidden but it is visible')

    def _assert_element(
        self, step: ParsedStep, deadline: float, *, locator: Locator | None, fingerprint: bool
    ) -> Resolved:
        assert step.target is not None
        cond, arg = step.action, step.value
        if locator is None:
            try:
                return self.resolve(step.target, cond, deadline, fingerprint=fingerprint, cond=cond, arg=arg)
            except _Unmet as unmet:
                raise StepFailure(_assert_message(step, unmet.state)) from None
        # A healed locator: check the element it names until the condition holds or time runs out.
        check = "(e, [c, a]) => window.__argus.check(e, c, a)"
        while True:
            self.check_cancel()
            if self._sliced(lambda t: locator.evaluate(check, [cond, arg], timeout=t), deadline, what=cond):
                return Resolved(locator)
            if time.monotonic() >= deadline:
                break
            self.page.wait_for_timeout(50)
        state = locator.evaluate("e => window.__argus.state(e)")
        raise StepFailure(_assert_message(step, state))


class _Unmet(Exception):
    """The target exists but never reached the asserted state; carries what it looks like now."""

    def __init__(self, state: dict[str, Any]) -> None:
        super().__init__("condition not met")
        self.state = state


def _assert_message(step: ParsedStep, state: dict[str, Any]) -> str:
    name = f'"{step.target_text()}"'
    action = step.action
    if action == "assert_value":
        return f'expected {name} to have value "{step.value}" but it has "{state.get("value")}"'
    if action == "assert_empty":
        return f'expected {name} to be empty but it has "{state.get("value") or state.get("text")}"'
    if action == "assert_element_text":
        return f'expected {name} to contain "{step.value}" but it shows "{state.get("value") or state.get("text")}"'
    wanted = action.removeprefix("assert_")
    actual = {
        "enabled": "disabled",
        "disabled": "enabled",
        "checked": "unchecked",
        "unchecked": "checked",
        "visible": "hidden",
    }.get(wanted, "not " + wanted)
    return f"expected {name} to be {wanted} but it is {actual}"


def _describe(candidate: dict[str, Any]) -> str:
    parts = [candidate.get("role") or candidate.get("tag") or "element"]
    name = candidate.get("name") or candidate.get("text")
    if name:
        parts.append(f'"{name}"')
    if candidate.get("id"):
        parts.append(f"#{candidate['id']}")
    if candidate.get("testid"):
        parts.append(f"[data-testid={candidate['testid']}]")
    return " ".join(parts)
