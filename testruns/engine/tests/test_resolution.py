"""Targets resolve as a person reads the page, prefer a unique visible match, and explain failures."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from testruns.engine.browser import BrowserHost
from testruns.engine.driver import PageDriver, StepFailure, TargetNotFound
from testruns.engine.memory import FlagCancelToken
from testruns.engine.steps import ParsedStep, parse_text

from .conftest import PageServer

pytestmark = pytest.mark.browser

FORM = """<!doctype html><html><head><title>Form</title></head><body>
<h1>Sign in</h1>
<form>
  <label for="em">Email address</label><input id="em" type="email">
  <input id="pw" type="password" placeholder="Your password">
  <input id="zip" aria-label="Postcode">
  <label><input type="checkbox" id="rem"> Remember me</label>
  <select id="color" aria-label="Color"><option>Red</option><option value="b">Blue</option></select>
  <button type="button" data-testid="go-btn" onclick="document.getElementById('out').textContent='Clicked go'">
    Sign in</button>
  <button type="button" disabled>Archive</button>
  <a href="#pricing">Pricing</a>
</form>
<p id="out"></p>
<ul><li>Apple <button type="button">Delete</button></li><li>Pear <button type="button">Delete</button></li></ul>
<div style="display:none"><button type="button">Secret</button></div>
<span class="tag">Fresh fruit</span>
</body></html>"""


class HostedDriver:
    """A PageDriver used from the test's thread: every call runs on the browser host's thread."""

    def __init__(self, host: BrowserHost, driver: HostedDriver) -> None:
        self.host, self.driver = host, driver

    def run(self, step: ParsedStep) -> object:
        return self.host.call(self.driver.run, step)

    def resolved(self, text: str, js: str) -> str:
        def on_host() -> str:
            step = parse_text(text)
            return self.driver.resolve(step.target, step.action, time.monotonic() + 0.8).locator.evaluate(js)

        return self.host.call(on_host)


def open_page(host: BrowserHost, url: str, timeout_ms: int) -> PageDriver:
    context = host.new_context()
    page = context.new_page()
    driver = PageDriver(context=context, page=page, app_url=url, cancel=FlagCancelToken(), step_timeout_ms=timeout_ms)
    page.goto(url)
    return driver


@pytest.fixture(scope="module")
def driver(browser_host: BrowserHost, site: PageServer) -> Iterator[HostedDriver]:
    site.pages["/form"] = FORM
    drv = browser_host.call(open_page, browser_host, site.url + "/form", 800)
    yield HostedDriver(browser_host, drv)
    browser_host.call(drv.context.close)


def resolve_id(driver: HostedDriver, text: str) -> str:
    return driver.resolved(text, "e => e.id || e.getAttribute('data-testid') || e.textContent.trim()")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Type a into Email address", "em"),  # label
        ("Type a into Email", "em"),  # label, contains
        ("Type a into Your password", "pw"),  # placeholder
        ("Type a into Postcode", "zip"),  # aria-label
        ("Check Remember me", "rem"),  # wrapping label
        ("Select Blue from Color", "color"),
        ("Click go-btn", "go-btn"),  # test id
        ("Click Sign in", "go-btn"),  # a button and a heading say "Sign in": a click means the button
        ("Click the Sign in button", "go-btn"),
        ("Click #pw", "pw"),
        ("Click css=#zip", "zip"),
        ("Click //input[@type='email']", "em"),
        ("Click Pricing", "Pricing"),  # link by role and name
        ("Click the second Delete button", "Delete"),
        ("Expect Fresh fruit to be visible", "Fresh fruit"),  # visible text
    ],
)
def test_resolution_order(driver: HostedDriver, text: str, expected: str) -> None:
    assert resolve_id(driver, text) == expected


def test_heading_when_not_clicking(driver: HostedDriver) -> None:
    assert driver.resolved("Expect the Sign in heading to be visible", "e => e.localName") == "h1"


def test_ambiguity_is_reported_with_candidates(driver: HostedDriver) -> None:
    with pytest.raises(TargetNotFound) as info:
        resolve_id(driver, "Click Delete")
    message = info.value.message
    assert "ambiguous" in message and "2 visible elements" in message
    assert 'button "Delete"' in message


def test_none_is_reported_and_hidden_matches_counted(driver: HostedDriver) -> None:
    with pytest.raises(TargetNotFound) as info:
        resolve_id(driver, "Click Secret")
    assert "none is visible" in info.value.message
    with pytest.raises(TargetNotFound) as info:
        resolve_id(driver, "Click Checkout")
    assert 'no element matches "Checkout"' in info.value.message


def test_steps_act_and_assert(driver: HostedDriver) -> None:
    for text in [
        "Type alice@example.com into Email address",
        "Expect Email address to have value alice@example.com",
        "Check Remember me",
        "Expect Remember me to be checked",
        "Select Blue from Color",
        "Expect Color to have value Blue",
        "Click Sign in",
        "Expect to see Clicked go",
        "Expect Archive to be disabled",
        "Expect Sign in to be enabled",
        "Expect Secret to be hidden",
        "Expect 2 items",
        "Expect the title to be Form",
        "Expect the URL to contain /form",
        "Clear Email address",
        "Expect Email address to be empty",
        "Select Red from Color",
    ]:
        driver.run(parse_text(text))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Expect to see Goodbye", 'expected to see "Goodbye"'),
        ("Expect Archive to be enabled", 'expected "Archive" to be enabled but it is disabled'),
        ("Expect Email address to have value bob", 'to have value "bob" but it has ""'),
        ("Expect 3 items", "expected 3 items but found 2"),
        ("Expect the title to be Other", 'expected the title to be "Other" but it is "Form"'),
        ("Select Green from Color", 'no option "Green"; the options are Red, Blue'),
    ],
)
def test_failures_say_what_was_found(driver: HostedDriver, text: str, reason: str) -> None:
    with pytest.raises(StepFailure) as info:
        driver.run(parse_text(text))
    assert reason in info.value.message


def test_element_replaced_after_resolution_is_found_again(browser_host: BrowserHost, site: PageServer) -> None:
    # The app re-renders the field once, right after Argus found it (as a framework re-render would).
    site.pages["/rerender"] = """<!doctype html><title>R</title><div id=box><label for=n>Name</label><input id=n></div>
      <script>let done = false; new MutationObserver(() => { if (done) return; done = true;
        document.getElementById('box').innerHTML = '<label for=n>Name</label><input id=n>'; })
        .observe(document.getElementById('box'), {attributes: true, subtree: true});</script>"""

    def on_host() -> str:
        drv = open_page(browser_host, site.url + "/rerender", 3000)
        try:
            drv.run(parse_text("Type Bob into Name"))
            return drv.page.input_value("#n")
        finally:
            drv.context.close()

    assert browser_host.call(on_host) == "Bob"


# Actions find their target through the `argus` selector engine, inside the action's own round trip
# (pagejs.selector_engine); these hold that path to what `resolve` above promises.


@pytest.mark.parametrize(
    ("text", "focused"),
    [
        ("Type a into Email address", "em"),
        ("Type a into Your password", "pw"),
        ("Type a into Postcode", "zip"),
        ("Click Sign in", "go-btn"),
        ("Click the second Delete button", "Pear"),
    ],
)
def test_actions_reach_the_element_resolution_names(driver: HostedDriver, text: str, focused: str) -> None:
    driver.run(parse_text(text))
    js = "() => { const e = document.activeElement; return e.id || e.getAttribute('data-testid') || e.parentElement.firstChild.textContent.trim(); }"  # noqa: E501
    assert driver.host.call(driver.driver.page.evaluate, js) == focused


def test_action_on_an_ambiguous_target_fails_at_once_naming_the_candidates(driver: HostedDriver) -> None:
    started = time.monotonic()
    with pytest.raises(TargetNotFound) as info:
        driver.run(parse_text("Click Delete"))
    assert "ambiguous" in info.value.message and "2 visible elements" in info.value.message
    assert 'button "Delete"' in info.value.message
    # Not a timeout: the engine hands Playwright both elements and its strictness check refuses them.
    assert time.monotonic() - started < 0.8


def test_action_on_a_missing_target_says_what_was_looked_for(driver: HostedDriver) -> None:
    with pytest.raises(TargetNotFound) as info:
        driver.run(parse_text("Click Secret"))
    assert "none is visible" in info.value.message
    with pytest.raises(TargetNotFound) as info:
        driver.run(parse_text("Type x into Nickname"))
    assert 'no element matches "Nickname"' in info.value.message


def test_action_waits_for_a_target_the_app_renders_later(browser_host: BrowserHost, site: PageServer) -> None:
    site.pages["/later"] = """<!doctype html><title>L</title><p id=out></p><script>setTimeout(() => {
      document.body.insertAdjacentHTML('beforeend',
        '<button onclick="document.getElementById(\\'out\\').textContent=\\'saved\\'">Save</button>');
      }, 400);</script>"""

    def on_host() -> str:
        drv = open_page(browser_host, site.url + "/later", 3000)
        try:
            drv.run(parse_text("Click Save"))
            return drv.page.text_content("#out") or ""
        finally:
            drv.context.close()

    assert browser_host.call(on_host) == "saved"


def test_action_brings_back_its_fingerprint_and_the_state_before_it_acted(
    browser_host: BrowserHost, site: PageServer
) -> None:
    # Every keystroke is saved to localStorage; the page also prints a forged engine report, which the driver
    # must not take for the engine's (its key is secret).
    site.pages["/draft"] = """<!doctype html><title>D</title><label for=t>Title</label>
      <input id=t name=title oninput="localStorage.setItem('draft', this.value)">
      <script>console.debug('__argus_report: {"nonce": 1, "snap": {"url": "forged"}, "fp": null}');
        console.debug('__argus_report:0000 {"nonce": 2, "snap": {"url": "forged"}, "fp": null}');</script>"""

    def on_host() -> tuple[object, list[object]]:
        drv = open_page(browser_host, site.url + "/draft", 3000)
        seen: list[object] = []
        drv.before_act = lambda: seen.append(drv.last_snapshot)
        try:
            found = drv.run(parse_text("Type first into Title"), fingerprint=True)
            drv.run(parse_text("Type second into Title"))
            return found.fingerprint if found else None, seen
        finally:
            drv.context.close()

    fingerprint, seen = browser_host.call(on_host)
    assert isinstance(fingerprint, dict) and fingerprint["tag"] == "input" and fingerprint["id"] == "t"
    assert fingerprint["name"] == "title" and fingerprint["label"] == "Title"
    # Before each step acted, the page was as the previous step left it: nothing typed, then "first".
    assert [s["localStorage"] for s in seen] == [[], [{"name": "draft", "value": "first"}]]  # type: ignore[index]
    assert all(s["url"].endswith("/draft") for s in seen)  # type: ignore[index]


WEB_COMPONENTS = """<!doctype html><title>Shadow</title>
<signup-form></signup-form>
<script>
customElements.define('signup-form', class extends HTMLElement {
  constructor() {
    super();
    const root = this.attachShadow({mode: 'open'});
    root.innerHTML = `<style>p { color: green }</style>
      <label for=mail>Work email</label><input id=mail>
      <span id=plan-label>Plan</span>
      <select aria-labelledby=plan-label><option>Free</option><option>Team</option></select>
      <ul><li>One</li><li>Two</li><li>Three</li></ul>
      <button id=save>Save</button><p id=out></p>`;
    root.getElementById('save').addEventListener('click', () => {
      root.getElementById('out').textContent = 'Saved ' + root.getElementById('mail').value;
    });
  }
});
</script>"""


def test_targets_inside_open_shadow_roots_resolve_like_any_other(browser_host: BrowserHost, site: PageServer) -> None:
    # Web components keep their fields in shadow roots; a person reading the page cannot tell, nor can Argus.
    site.pages["/shadow"] = WEB_COMPONENTS

    def on_host() -> None:
        drv = open_page(browser_host, site.url + "/shadow", 3000)
        try:
            for text in [
                "Type ada@example.com into Work email",
                "Select Team from Plan",
                "Expect Plan to have value Team",
                "Expect 3 items",
                "Click Save",
                "Expect to see Saved ada@example.com",
                "Expect not to see color: green",
            ]:
                drv.run(parse_text(text))
        finally:
            drv.context.close()

    browser_host.call(on_host)


DROPDOWNS = """<!doctype html><title>Dropdowns</title>
<span id=size-label>Size</span>
<div role=combobox aria-labelledby=size-label tabindex=0 id=size
  onclick="document.getElementById('options').hidden = false">Choose a size</div>
<ul role=listbox id=options hidden>
  <li role=option onclick="document.getElementById('out').textContent = 'Size: Small'">Small</li>
  <li role=option onclick="document.getElementById('out').textContent = 'Size: Large'">Large</li>
</ul>
<p id=out></p>
<div id=later></div>
<script>setTimeout(() => { document.getElementById('later').innerHTML =
  '<label for=ship>Shipping</label><select id=ship><option>Standard</option><option>Express</option></select>'; },
  400);</script>"""


def test_select_opens_a_custom_dropdown_and_waits_for_a_native_one(browser_host: BrowserHost, site: PageServer) -> None:
    site.pages["/dropdowns"] = DROPDOWNS

    def on_host() -> str:
        drv = open_page(browser_host, site.url + "/dropdowns", 3000)
        try:
            drv.run(parse_text("Select Large from Size"))
            drv.run(parse_text("Select express from Shipping"))  # rendered 400 ms after load
            return f"{drv.page.text_content('#out')} / {drv.page.input_value('#ship')}"
        finally:
            drv.context.close()

    assert browser_host.call(on_host) == "Size: Large / Express"
