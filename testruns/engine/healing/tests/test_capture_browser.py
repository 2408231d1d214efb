"""Fingerprints captured from a page served on 127.0.0.1 in a real Chromium, then healed after a change."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from testruns.engine.healing import capture_candidates, fingerprint_element, heal, scoring
from testruns.engine.healing.locators import best_locator, locator_options

BEFORE = """<!doctype html><html><head><title>Shop</title><style>.gone{display:none}</style></head><body>
<nav><a href="/">Home</a><a href="/cart">Cart</a></nav>
<main><form id="login">
  <h1>Sign in</h1>
  <label for="email">Email</label><input id="email" name="email" type="email" placeholder="you@example.com">
  <label>Password <input id="pw" name="password" type="password"></label>
  <button id="login-submit" class="btn css-1q2w3e4" data-testid="login" type="submit">Sign in</button>
  <button class="gone">Hidden</button>
</form></main></body></html>"""

# A redesign: the button's id renamed, classes re-hashed, wrapped in a new div; a new
# look-alike "Sign in with SSO" button is added beside it; late content appears after 200 ms.
AFTER = """<!doctype html><html><head><title>Shop</title></head><body>
<nav><a href="/">Home</a><a href="/cart">Cart</a></nav>
<main><form id="login">
  <h1>Sign in</h1>
  <label for="email">Email</label><input id="email" name="email" type="email" placeholder="you@example.com">
  <label>Password <input id="pw" name="password" type="password"></label>
  <div class="actions"><button id="signin" class="btn css-9x8y7z6" data-testid="login" type="submit">Sign in</button>
  <button type="button" class="btn css-9x8y7z6">Sign in with SSO</button></div>
</form></main>
<script>setTimeout(() => { const p = document.createElement('p'); p.id = 'late'; p.textContent = 'Welcome';
document.body.appendChild(p); }, 200);</script>
</body></html>"""


@pytest.mark.browser
def test_real_fingerprints_heal_after_a_redesign(healing_browser, healing_site) -> None:
    base, pages = healing_site
    pages.html["/login"] = BEFORE
    page = healing_browser.new_page()
    try:
        page.goto(f"{base}/login")
        old = fingerprint_element(page, page.query_selector("#login-submit"))
        assert old["tag"] == "button" and old["id"] == "login-submit" and old["role"] == "button"
        assert old["accessible_name"] == "Sign in" and old["test_ids"] == {"data-testid": "login"}
        assert old["classes"] == ["btn", "css-1q2w3e4"] and old["type"] == "submit"
        assert old["unique"] == {"id": True, "test_id": True, "context_label": True}
        assert old["xpath"] == "/html/body[1]/main[1]/form[1]/button[1]"
        assert [p["tag"] for p in old["path"]] == ["body", "main", "form"]
        assert "Password" in old["neighbor_texts"] and old["visible"] and old["enabled"]
        email = fingerprint_element(page, page.query_selector("#email"))
        assert email["label"] == "Email" and email["accessible_name"] == "Email"
        assert email["placeholder"] == "you@example.com" and email["role"] == "textbox"
        hidden = fingerprint_element(page, page.query_selector(".gone"))
        assert hidden["visible"] is False

        pages.html["/login"] = AFTER
        page.goto(f"{base}/login", wait_until="commit")
        candidates = capture_candidates(page, quiet_ms=300, timeout_ms=3000)
        # The wait for a settled page saw the late paragraph.
        assert any(c["id"] == "late" for c in candidates)
        decision = heal(old, candidates)
        assert decision.healed, decision.reason
        assert decision.chosen["id"] == "signin"
        assert page.locator(decision.locator).count() == 1
        assert page.locator(decision.locator).get_attribute("id") == "signin"
        # Every guess shown carries a selector that really resolves to one element.
        for guess in decision.top:
            assert page.locator(guess["locator"]).count() == 1
    finally:
        page.close()


TIERS = """<!doctype html><html><head><title>Plans</title></head><body><main>
<h1>Plans</h1>
<div class="tier"><h2>Free</h2><p>$0</p><button>Get started</button></div>
<div class="tier"><button>Get started</button><h2>Team</h2><p>$49</p></div>
<fieldset><legend>Contact</legend><input name="email"></fieldset>
<a href="/tasks/7">Open</a><a href="/tasks/8">Open</a><a href="/docs">Docs</a><a href="/docs">Docs</a>
</main></body></html>"""


@pytest.fixture
def open_page(healing_browser, healing_site) -> Iterator[Callable[[str], Any]]:
    """Serve a page's HTML on 127.0.0.1 and open it in a new tab, closed after the test."""
    base, pages = healing_site
    opened = []

    def open_(html: str) -> Any:
        path = f"/page{len(opened)}"
        pages.html[path] = html
        page = healing_browser.new_page()
        opened.append(page)
        page.goto(f"{base}{path}")
        return page

    yield open_
    for page in opened:
        page.close()


@pytest.mark.browser
def test_context_is_the_heading_of_the_enclosing_card(open_page) -> None:
    page = open_page(TIERS)
    candidates = capture_candidates(page, quiet_ms=0)
    buttons = [c["context"] for c in candidates if c["tag"] == "button"]
    # The card's own title, whether the button comes after it or (moved) before it.
    assert buttons == ["Free", "Team"]
    assert next(c for c in candidates if c["tag"] == "input")["context"] == "Contact"
    # A heading is not its own context: the Team title's is the nearest heading before its card.
    assert next(c for c in candidates if c["text"] == "Team" and c["tag"] == "h2")["context"] == "Free"
    # Elements under no card take the nearest heading of the page section they are in.
    assert {c["context"] for c in candidates if c["tag"] == "a"} == {"Contact"}
    one = fingerprint_element(page, page.query_selector("a[href='/tasks/7']"))
    shared = fingerprint_element(page, page.query_selector("a[href='/docs']"))
    assert one["unique"]["href"] is True and shared["unique"]["href"] is False
    # Both "Open" links sit under "Contact": the heading and label were shared on this page.
    assert one["unique"]["context_label"] is False and one["context_twins"] == 2
    # Each "Get started" is the only one under its card's title.
    free = fingerprint_element(page, page.query_selector("div.tier button"))
    assert free["context"] == "Free" and free["unique"] == {"context_label": True} and free["context_twins"] == 1


LOOK_ALIKES = """<!doctype html><html><head><title>Shop</title></head><body><main>
<article><h2>Lamp</h2><button aria-label="Add Lamp to cart">Add to cart</button><button>Like (7)</button></article>
<article><h2>Chair</h2><button aria-label="Add Chair to cart">Add to cart</button><button>Like (3)</button></article>
<article><h2>Mug</h2><button aria-label="Add Mug to cart">Add to cart</button><button>Like</button></article>
<a href="/cart">Add to cart</a><div><span>Add to cart</span></div>
</main></body></html>"""


@pytest.mark.browser
def test_a_fingerprint_records_the_old_pages_look_alikes(open_page) -> None:
    page = open_page(LOOK_ALIKES)
    chair = fingerprint_element(page, page.get_by_role("button", name="Add Chair to cart").element_handle())
    # The other products' buttons: the same visible text, whatever their aria-label says, nearest
    # first; and the link with that text (a redesign may turn a button into a link), not the span.
    assert [(x["role"], x["accessible_name"], x["context"]) for x in chair["look_alikes"]] == [
        ("button", "Add Lamp to cart", "Lamp"),
        ("button", "Add Mug to cart", "Mug"),
        ("link", "Add to cart", "Mug"),
    ]
    assert chair["look_alikes_total"] == 3 and chair["look_alikes_by"] == "compatible"
    # Each look-alike is a whole fingerprint: it can be recognised on the new page like the element.
    assert chair["look_alikes"][0]["path"] == [{"tag": "body"}, {"tag": "main"}, {"tag": "article"}]
    assert chair["look_alikes"][0]["neighbor_texts"][:1] == ["Lamp"]
    # Numbers are set aside: "Like (3)" has "Like (7)" as a look-alike, not the plain "Like".
    like = fingerprint_element(page, page.get_by_role("button", name="Like (3)").element_handle())
    assert [x["text"] for x in like["look_alikes"]] == ["Like (7)"]
    assert "look_alikes" not in capture_candidates(page, quiet_ms=0)[0]


def _component(body: str) -> str:
    """A page whose sign-in form is a web component: its content lives in an open shadow root."""
    return f"""<!doctype html><html><head><title>App</title></head><body><main>
<x-signin></x-signin><x-vault></x-vault>
<script>
customElements.define('x-signin', class extends HTMLElement {{
  connectedCallback() {{ this.attachShadow({{mode: 'open'}}).innerHTML = `{body}`; }}
}});
customElements.define('x-vault', class extends HTMLElement {{
  connectedCallback() {{ this.attachShadow({{mode: 'closed'}}).innerHTML = '<button id="secret">Unlock</button>'; }}
}});
</script></main></body></html>"""


SIGNIN_BEFORE = _component("""<h2>Welcome back</h2>
<span id="email-label">Email</span><input aria-labelledby="email-label" name="email">
<button id="login-submit" class="btn css-1q2w3e4" type="submit">Sign in</button>""")
# The component's next release: the button's id renamed and classes re-hashed, an SSO look-alike beside it.
SIGNIN_AFTER = _component("""<h2>Welcome back</h2>
<span id="email-label">Email</span><input aria-labelledby="email-label" name="email">
<div><button id="signin" class="btn css-9x8y7z6" type="submit">Sign in</button>
<button type="button" class="btn css-9x8y7z6">Sign in with SSO</button></div>""")


@pytest.mark.browser
def test_elements_inside_a_web_component_are_fingerprinted_and_healed(open_page) -> None:
    page = open_page(SIGNIN_BEFORE)
    old = fingerprint_element(page, page.locator("#login-submit").element_handle())
    assert old["xpath"] == "/html/body[1]/main[1]/x-signin[1]/#shadow-root/button[1]"
    assert [p["tag"] for p in old["path"]] == ["body", "main", "x-signin"]
    assert old["context"] == "Welcome back" and old["unique"]["id"] is True
    email = fingerprint_element(page, page.locator("input[name=email]").element_handle())
    assert email["accessible_name"] == "Email"  # aria-labelledby resolved inside the shadow tree
    # Only the open shadow root is reachable: the closed one's button is not a candidate.
    candidates = capture_candidates(page, quiet_ms=0)
    assert "login-submit" in {c["id"] for c in candidates} and "secret" not in {c["id"] for c in candidates}

    page = open_page(SIGNIN_AFTER)
    decision = heal(old, capture_candidates(page, quiet_ms=0))
    assert decision.healed, decision.reason
    # XPath cannot enter a shadow root; the selector is one Playwright resolves through it.
    assert decision.locator == '[id="signin"]'
    assert page.locator(decision.locator).count() == 1
    for guess in decision.top:
        assert not (guess["locator"] or "").startswith("xpath=")


@pytest.mark.browser
def test_an_element_in_a_shadow_root_with_no_unique_selector_has_none(open_page) -> None:
    page = open_page(_component("""<button class="go">Go</button><p><button class="go">Go</button></p>"""))
    candidates = capture_candidates(page, quiet_ms=0)
    twins = [c for c in candidates if c["tag"] == "button" and c["text"] == "Go"]
    assert len(twins) == 2 and all("#shadow-root" in c["xpath"] for c in twins)
    # Light-DOM elements always have their XPath to fall back on; these have nothing that picks one alone.
    assert best_locator(twins[0], candidates) is None


HELP_PAGE = """<!doctype html><html><head><title>Help</title></head><body><main>
<nav><ul><li>Billing</li><li>Support</li><li>Security</li></ul></nav>
<section><h2 class="title">Support</h2><p>Write to us any time.</p><button>Contact us</button></section>
</main></body></html>"""


@pytest.mark.browser
def test_static_texts_count_as_look_alikes_whatever_their_role(open_page) -> None:
    page = open_page(HELP_PAGE)
    heading = fingerprint_element(page, page.locator("h2").element_handle())
    # A heading and a list item that read the same are both just text on screen: a redesign may turn one
    # into the other, so the list item is on record as a look-alike of the heading.
    assert [(x["tag"], x["text"]) for x in heading["look_alikes"]] == [("li", "Support")]
    # The section goes away; the navigation's "Support", there all along, is recognised and not taken for it.
    page = open_page(HELP_PAGE.replace('<h2 class="title">Support</h2>', ""))
    decision = heal(heading, capture_candidates(page, quiet_ms=0))
    assert not decision.healed, decision.reason


CONTACT_BEFORE = """<!doctype html><html><head><title>Contact</title></head><body><main>
<form><h2>Still need help?</h2>
<label for="email">Your email</label><input id="email" name="email" type="email" placeholder="you@example.com">
<label for="msg">Message</label><textarea id="msg" name="message" class="css-1q2w3e4"></textarea>
<input type="checkbox" id="copy" name="copy"><label for="copy">Send me a copy</label>
<button type="submit">Send message</button></form>
</main></body></html>"""
# The next release drops the fields' ids (and renames one's name): their <label for=...> now label nothing.
CONTACT_AFTER = (
    CONTACT_BEFORE.replace(
        '<textarea id="msg" name="message" class="css-1q2w3e4">', '<textarea name="body" class="css-9x8y7z6">'
    )
    .replace('<input type="checkbox" id="copy" name="copy">', '<input type="checkbox" name="cc">')
    .replace('<input id="email" name="email"', '<input name="email"')
)


@pytest.mark.browser
def test_a_field_whose_label_lost_it_still_reads_by_that_label_and_heals(open_page) -> None:
    page = open_page(CONTACT_BEFORE)
    old = fingerprint_element(page, page.get_by_label("Message").element_handle())
    assert old["label"] == "Message" and old["detached_label"] == ""

    page = open_page(CONTACT_AFTER)
    candidates = capture_candidates(page, quiet_ms=0)
    textarea = next(c for c in candidates if c["tag"] == "textarea")
    assert (textarea["label"], textarea["accessible_name"], textarea["detached_label"]) == ("", "", "Message")
    # A checkbox's label comes after it.
    checkbox = next(c for c in candidates if c["type"] == "checkbox")
    assert checkbox["detached_label"] == "Send me a copy"
    # A placeholder names a field for screen readers, but the label on screen is still the one above it.
    email = next(c for c in candidates if c["name"] == "email")
    assert (email["accessible_name"], email["detached_label"]) == ("you@example.com", "Your email")
    # The labels themselves and the button have none.
    assert {c["detached_label"] for c in candidates if c not in (textarea, checkbox, email)} == {""}
    decision = heal(old, candidates)
    assert decision.healed, decision.reason
    assert page.locator(decision.locator).evaluate("e => e.localName") == "textarea"
    assert "its label 'Message' no longer labels it" in decision.reason


@pytest.mark.browser
def test_a_label_that_labels_nothing_reads_as_the_one_unlabelled_field_beside_it(open_page) -> None:
    def detached(html: str) -> list[str]:
        candidates = capture_candidates(open_page(html), quiet_ms=0)
        return [c["detached_label"] for c in candidates if c["tag"] == "textarea"]

    # A redesign put the label under its field: nothing unlabelled follows it, so it reads as the one above.
    label = '<label for="msg">Message</label>'
    moved = CONTACT_BEFORE.replace(label, "").replace("</textarea>", f"</textarea>{label}")
    assert detached(moved.replace('<textarea id="msg"', "<textarea")) == ["Message"]
    # A field put between the label and the field it used to label: on screen the label reads as either's.
    inserted = '<textarea name="note"></textarea><textarea name="body"'
    assert detached(CONTACT_AFTER.replace('<textarea name="body"', inserted)) == ["", ""]
    # The field moved above its label and a look-alike put below it: one unlabelled field on each side.
    field = '<textarea name="body" class="css-9x8y7z6"></textarea>'
    around = CONTACT_AFTER.replace(f"{label}{field}", f'{field}{label}<textarea name="note"></textarea>')
    assert around != CONTACT_AFTER and detached(around) == ["", ""]


def _inbox(rows: list[tuple[str, str, str]], *, archive_first: bool = False) -> str:
    def row(sender: str, subject: str, unread: str) -> str:
        cells = [
            f"<strong>{sender}</strong>",
            f"<span>{subject}</span>",
            f"<span>{unread}</span>",
            '<a href="#">Open</a>',
        ]
        archive = '<button class="btn">Archive</button>'
        return '<li class="message">' + "".join([archive, *cells] if archive_first else [*cells, archive]) + "</li>"

    return f"""<!doctype html><html><head><title>Inbox</title></head><body><main><section><h2>Inbox</h2>
<ul>{"".join(row(*r) for r in rows)}</ul></section></main></body></html>"""


MESSAGES = [
    ("Ada Lovelace", "Quarterly numbers", "3 new"),
    ("Alan Turing", "Lunch on Friday", "2 new"),
    ("Grace Hopper", "Compiler notes", "5 new"),
    ("Edsger Dijkstra", "On goto", "1 new"),
]


@pytest.mark.browser
def test_the_texts_of_its_row_tell_a_rows_button_from_the_next_rows(open_page, monkeypatch) -> None:
    page = open_page(_inbox(MESSAGES))
    old = fingerprint_element(page, page.locator("li", has_text="Alan Turing").get_by_role("button").element_handle())
    # Its own list item's texts, its own text left out; the neighbouring texts run into the next row.
    assert old["record_texts"] == ["Alan Turing", "Lunch on Friday", "2 new", "Open"]
    assert "Grace Hopper" in old["neighbor_texts"]
    # Texts outside any list item, and a list item's own texts, belong to no row.
    candidates = capture_candidates(page, quiet_ms=0)
    assert next(c for c in candidates if c["tag"] == "h2")["record_texts"] == []
    assert next(c for c in candidates if c["tag"] == "li")["record_texts"] == []

    # The inbox re-sorted, and each row's button put before its texts.
    resorted = [MESSAGES[2], MESSAGES[0], MESSAGES[3], MESSAGES[1]]
    page = open_page(_inbox(resorted, archive_first=True))
    candidates = capture_candidates(page, quiet_ms=0)
    decision = heal(old, candidates)
    assert decision.healed, decision.reason
    assert page.locator(decision.locator).evaluate("e => e.parentElement.textContent").count("Alan Turing") == 1
    # Without the row's texts, every row's "Archive" has neighbours from two rows and none stands out.
    monkeypatch.setattr(scoring, "RECORDS", False)
    assert not heal(old, candidates).healed


TEXT_PAGE = """<!doctype html><html><head><title>People</title></head><body><main><table>
<tr><td>Ada Lovelace</td><td><div>ada@example.com</div></td><td><button><span>Edit</span></button></td></tr>
<tr><td><b>Grace</b> Hopper</td><td>grace@example.com</td><td><button>Edit</button></td></tr>
<tr><td>Ada <em>is</em> Lovelace</td><td>Grace</td><td><button>Delete</button> <button>Delete all</button></td></tr>
</table><p>Save <a href="/help">help</a> Save</p><p>Save</p></main></body></html>"""


@pytest.mark.browser
def test_every_text_locator_names_exactly_its_element(open_page) -> None:
    # Playwright's :text-is matches an element by a run of its own text, not by its whole text: a cell
    # whose text sits in a <div>, a button whose label is in a <span> or a cell whose text is split by a
    # child element is not matched by it, and an element that merely contains another's text in one of
    # its runs is. Each text locator offered must resolve, in the page, to exactly its element.
    page = open_page(TEXT_PAGE)
    candidates = capture_candidates(page, quiet_ms=0)
    by_text = 0
    for c in candidates:
        for loc in locator_options(c, candidates):
            if ":text-is(" in loc:
                by_text += 1
                assert page.locator(loc).evaluate_all("els => els.length") == 1, loc
                assert page.locator(loc).first.evaluate(
                    "(e, xp) => e === document.evaluate(xp, document, null, 9, null).singleNodeValue", c["xpath"]
                ), loc
    # The cells and buttons that hold their own text still get one; the <div>ed email cell, the <span>ed
    # button and "Save", which the first paragraph also holds in its own runs, fall back to their XPath.
    assert by_text >= 8
    wrapped_cell = next(c for c in candidates if c["tag"] == "td" and c["text"] == "ada@example.com")
    assert best_locator(wrapped_cell, candidates).startswith("xpath=")
    lone_save = next(c for c in candidates if c["tag"] == "p" and c["text"] == "Save")
    assert best_locator(lone_save, candidates).startswith("xpath=")


@pytest.mark.browser
def test_a_field_is_named_by_its_labels_words_alone(open_page) -> None:
    # Its options or default text are the field's content: read into the label, they made "Country all"
    # beside a removed "Country" look like the same field (both labels were mostly option names).
    page = open_page(
        """<!doctype html><html><body><form>
        <label>Country <select name="country"><option>Germany</option><option>France</option></select></label>
        <label>Notes <textarea name="notes">Leave at the door</textarea></label>
        <label><input type="checkbox" name="remember"> Remember me</label>
        <label for="email">Email <span>*</span></label><input id="email" name="email">
        </form></body></html>"""
    )
    by_name = {c["name"]: c for c in capture_candidates(page, quiet_ms=0) if c["name"]}
    assert by_name["country"]["text"] == ""  # nor are its options its text
    assert [
        (n, by_name[n]["label"], by_name[n]["accessible_name"]) for n in ("country", "notes", "remember", "email")
    ] == [
        ("country", "Country", "Country"),
        ("notes", "Notes", "Notes"),
        ("remember", "Remember me", "Remember me"),
        ("email", "Email *", "Email *"),
    ]
