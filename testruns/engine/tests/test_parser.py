"""The step language: every documented form parses to the right action, and refusals say why."""

from __future__ import annotations

import pytest

from testruns.engine.interfaces import StepSpec
from testruns.engine.steps import StepParseError, parse_step, parse_text


def p(text: str):
    return parse_text(text)


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("Open /login", "/login"),
        ("Go to /dashboard", "/dashboard"),
        ("Visit https://example.com/a", "https://example.com/a"),
        ("Navigate to /orders?page=2", "/orders?page=2"),
        ("navigate to the home page", "/"),
        ("Open example.com/login", "http://example.com/login"),
        ('Open "/login"', "/login"),
    ],
)
def test_navigation(text: str, url: str) -> None:
    step = p(text)
    assert step.action == "navigate"
    assert step.value == url


def test_reload_and_back() -> None:
    assert p("Reload the page").action == "reload"
    assert p("Refresh").action == "reload"
    assert p("Go back").action == "go_back"


@pytest.mark.parametrize(
    ("text", "value", "target"),
    [
        ("Type alice@example.com into Email", "alice@example.com", "Email"),
        ('Type "alice@example.com" into Email', "alice@example.com", "Email"),
        ("Enter secret in Password", "secret", "Password"),
        ("Fill Email with bob@example.com", "bob@example.com", "Email"),
        ("Fill in First name with Bob", "Bob", "First name"),
        ('Type "New York into town" into the City field', "New York into town", "City"),
        ("Type hello world into the Message box", "hello world", "Message"),
        ("Set Quantity to 3", "3", "Quantity"),
        ('Type "" into Notes', "", "Notes"),
    ],
)
def test_fill(text: str, value: str, target: str) -> None:
    step = p(text)
    assert (step.action, step.value, step.target.text) == ("fill", value, target)


def test_role_words_become_hints() -> None:
    step = p("Click the Sign in button")
    assert (step.target.text, step.target.role) == ("Sign in", "button")
    assert p("Uncheck the Newsletter checkbox").target.role == "checkbox"
    assert p("Select Blue from the Color dropdown").target.role == "combobox"
    assert p("Click the Pricing link").target.role == "link"
    step = p('Click the "Delete" button')
    assert (step.target.text, step.target.role, step.target.exact) == ("Delete", "button", True)


@pytest.mark.parametrize(
    ("text", "action", "target"),
    [
        ("Click Sign in", "click", "Sign in"),
        ("Click on Orders", "click", "Orders"),
        ("Tap Menu", "click", "Menu"),
        ("Press the Submit button", "click", "Submit"),
        ("Press OK", "click", "OK"),
        ("Double-click Row 1", "dblclick", "Row 1"),
        ("Double click the title", "dblclick", "title"),
        ("Right-click File", "right_click", "File"),
        ("Hover over Account", "hover", "Account"),
        ("Clear Email", "clear", "Email"),
        ("Check Remember me", "check", "Remember me"),
        ("Uncheck Newsletter", "uncheck", "Newsletter"),
        ("The user clicks Sign in", "click", "Sign in"),
        ("Then click Save.", "click", "Save"),
    ],
)
def test_element_actions(text: str, action: str, target: str) -> None:
    step = p(text)
    assert (step.action, step.target.text) == (action, target)


def test_select_and_upload() -> None:
    step = p("Select Blue from Color")
    assert (step.action, step.value, step.target.text) == ("select", "Blue", "Color")
    step = p('Choose "Next day" in Delivery')
    assert (step.action, step.value, step.target.text) == ("select", "Next day", "Delivery")
    step = p("Upload report.csv into Attachment")
    assert (step.action, step.value, step.target.text) == ("upload", "report.csv", "Attachment")


@pytest.mark.parametrize(
    ("text", "key", "target"),
    [
        ("Press Enter", "Enter", None),
        ("Press Tab", "Tab", None),
        ("Press the Escape key", "Escape", None),
        ("press Control+A", "Control+A", None),
        ("Press Ctrl+Shift+K", "Control+Shift+K", None),
        ("Press arrow down", "ArrowDown", None),
        ("Press Enter in Search", "Enter", "Search"),
    ],
)
def test_keys(text: str, key: str, target: str | None) -> None:
    step = p(text)
    assert step.action == "press"
    assert step.value == key
    assert (step.target.text if step.target else None) == target


def test_waits() -> None:
    assert p("Wait 2 seconds").seconds == 2
    assert p("Wait 500 ms").seconds == 0.5
    assert p("Wait for 1.5 s").seconds == 1.5
    step = p("Wait for Saved to appear")
    assert (step.action, step.target.text, step.kind) == ("wait_visible", "Saved", "any")
    step = p("Wait for Loading to disappear")
    assert (step.action, step.target.text) == ("wait_hidden", "Loading")
    assert p("Wait for text Done").kind == "text"
    assert p("Wait until the spinner is gone").action == "wait_hidden"
    assert p("Wait for #results").kind == "element"
    assert p("Wait for the page to load").action == "wait_load"


@pytest.mark.parametrize(
    ("text", "action", "value"),
    [
        ("Expect to see Welcome, Alice", "assert_text", "Welcome, Alice"),
        ("I should see Welcome", "assert_text", "Welcome"),
        ("Verify the page contains Orders", "assert_text", "Orders"),
        ('Assert text "Saved" is visible', "assert_text", "Saved"),
        ("Verify Dashboard", "assert_text", "Dashboard"),
        ("Should not see Error", "assert_no_text", "Error"),
        ("Expect not to see Invalid password", "assert_no_text", "Invalid password"),
        ("Verify the page does not contain Oops", "assert_no_text", "Oops"),
    ],
)
def test_text_assertions(text: str, action: str, value: str) -> None:
    step = p(text)
    assert (step.action, step.value) == (action, value)


@pytest.mark.parametrize(
    ("text", "action", "op", "value"),
    [
        ("Expect URL contains /dashboard", "assert_url", "contains", "/dashboard"),
        ("Verify the URL contains /dashboard", "assert_url", "contains", "/dashboard"),
        ("URL should be /dashboard", "assert_url", "equals", "/dashboard"),
        ("Expect the URL to equal http://x.test/a", "assert_url", "equals", "http://x.test/a"),
        ("Expect to be on /orders", "assert_url", "equals", "/orders"),
        ("Expect title is Argus Demo", "assert_title", "equals", "Argus Demo"),
        ("The title should contain Demo", "assert_title", "contains", "Demo"),
        ("Expect page title to be 'Demo'", "assert_title", "equals", "Demo"),
    ],
)
def test_url_and_title(text: str, action: str, op: str, value: str) -> None:
    step = p(text)
    assert (step.action, step.op, step.value) == (action, op, value)


@pytest.mark.parametrize(
    ("text", "action", "target", "value"),
    [
        ("Expect Email to have value alice", "assert_value", "Email", "alice"),
        ("Email should have value bob@example.com", "assert_value", "Email", "bob@example.com"),
        ("Expect the value of Quantity to be 3", "assert_value", "Quantity", "3"),
        ("Email should be empty", "assert_empty", "Email", None),
        ("Expect Search to be empty", "assert_empty", "Search", None),
        ("Expect Sign in to be disabled", "assert_disabled", "Sign in", None),
        ("Verify Save is enabled", "assert_enabled", "Save", None),
        ("Check that Remember me is checked", "assert_checked", "Remember me", None),
        ("Expect Newsletter to be unchecked", "assert_unchecked", "Newsletter", None),
        ("Expect Newsletter is not checked", "assert_unchecked", "Newsletter", None),
        ("Expect the Error banner to be hidden", "assert_hidden", "Error banner", None),
        ("Expect Error is not visible", "assert_hidden", "Error", None),
        ("Logo should be visible", "assert_visible", "Logo", None),
        ("Expect Status to contain Active", "assert_element_text", "Status", "Active"),
    ],
)
def test_element_assertions(text: str, action: str, target: str, value: str | None) -> None:
    step = p(text)
    assert (step.action, step.target.text, step.value) == (action, target, value)


@pytest.mark.parametrize(
    ("text", "count", "noun", "container"),
    [
        ("Expect 3 rows in Orders table", 3, "rows", "Orders"),
        ("Expect 5 items", 5, "items", None),
        ("Orders table should have 3 rows", 3, "rows", "Orders"),
        ("There should be two rows in Orders", 2, "rows", "Orders"),
        ("Expect no items in Cart", 0, "items", "Cart"),
        ("Verify 4 cards are shown", 4, "cards", None),
    ],
)
def test_counts(text: str, count: int, noun: str, container: str | None) -> None:
    step = p(text)
    assert step.action == "assert_count"
    assert (step.count, step.noun) == (count, noun)
    assert (step.target.text if step.target else None) == container


@pytest.mark.parametrize(
    ("raw", "selector"),
    [
        ("css=.btn.primary", "css=.btn.primary"),
        ("#submit", "css=#submit"),
        ("//button[@type='submit']", "xpath=//button[@type='submit']"),
        ("xpath=//a", "xpath=//a"),
        ("[name=email]", "css=[name=email]"),
        ("data-testid=save", '[data-testid="save"]'),
    ],
)
def test_explicit_selectors(raw: str, selector: str) -> None:
    assert p(f"Click {raw}").target.selector == selector


def test_ordinals() -> None:
    assert p("Click the first Delete button").target.nth == 0
    assert p("Click the second Delete button").target.nth == 1
    assert p("Click the last Delete button").target.nth == -1
    assert p("Click the 3rd Edit link").target.nth == 2


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("Clik Login", '"Clik" is not an action'),
        ("Type alice", "say what to type and where"),
        ("Select Blue", "which dropdown"),
        ("Wait", "say what to wait for"),
        ("Wait 1000 seconds", "at most 300 seconds"),
        ("Expect", "say what to expect"),
        ("Visit the login page", "not a URL or a path"),
        ("Click", "needs a target"),
        ("Upload report.csv", "which file and where"),
        ("Expect to be on the dashboard", "as a path"),
    ],
)
def test_refusals_say_why(text: str, reason: str) -> None:
    with pytest.raises(StepParseError) as info:
        parse_step(StepSpec(text=text))
    assert reason in info.value.message


def test_structured_steps() -> None:
    step = parse_step(StepSpec(action="click", target="Sign in"))
    assert (step.action, step.target.text) == ("click", "Sign in")
    step = parse_step(StepSpec(action="type", target="Email", value="a@b.c"))
    assert (step.action, step.value) == ("fill", "a@b.c")
    assert parse_step(StepSpec(action="navigate", value="/login")).value == "/login"
    assert parse_step(StepSpec(action="goto", target="/x")).value == "/x"
    assert parse_step(StepSpec(action="wait", value="2")).seconds == 2
    assert parse_step(StepSpec(action="wait", target="Saved")).action == "wait_visible"
    assert parse_step(StepSpec(action="press", value="enter")).value == "Enter"
    assert parse_step(StepSpec(action="assert_url", value="/d")).op == "contains"
    assert parse_step(StepSpec(action="assert_url_equals", value="/d")).op == "equals"
    step = parse_step(StepSpec(action="assert_count", target="rows in Orders table", value="3"))
    assert (step.count, step.noun, step.target.text) == (3, "rows", "Orders")
    step = parse_step(StepSpec(action="expect", target="Email", value="to be empty"))
    assert (step.action, step.target.text) == ("assert_empty", "Email")
    assert parse_step(StepSpec(action="Double-Click", target="Row")).action == "dblclick"
    assert parse_step(StepSpec.from_dict("Click Save")).action == "click"


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        (StepSpec(action="smash", target="x"), 'unknown action "smash"'),
        (StepSpec(action="click"), "needs a target"),
        (StepSpec(action="fill", target="Email"), "needs a value"),
        (StepSpec(action="wait"), "number of seconds"),
        (StepSpec(action="press", value="Banana"), "not a key"),
        (StepSpec(action="assert_count", target="rows", value="many"), "expected number"),
        (StepSpec(), "empty"),
    ],
)
def test_structured_refusals(spec: StepSpec, reason: str) -> None:
    with pytest.raises(StepParseError) as info:
        parse_step(spec)
    assert reason in info.value.message
