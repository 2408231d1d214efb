"""The pure healer on hand-made fingerprints (no browser)."""

from __future__ import annotations

import pytest

from testruns.engine.healing import HealDecision, heal, healer, scoring, twins
from testruns.engine.healing.locators import best_locator
from testruns.engine.healing.similarity import is_generated, path_ratio, ratio


def fp(xpath: str, tag: str = "div", **kw: object) -> dict:
    base: dict = {
        "index": 0,
        "tag": tag,
        "id": "",
        "name": "",
        "classes": [],
        "text": "",
        "own_text": "",
        "role": "generic",
        "accessible_name": "",
        "label": "",
        "placeholder": "",
        "href": "",
        "alt": "",
        "title": "",
        "type": "",
        "test_ids": {},
        "xpath": xpath,
        "path": [],
        "neighbor_texts": [],
        "rect": {"x": 0, "y": 0, "w": 100, "h": 20},
        "visible": True,
        "enabled": True,
        "depth": 3,
    }
    base.update(kw)
    return base


FORM = "/html/body[1]/main[1]/form[1]"


def login_page(*, submit: dict | None, extra: list[dict] | None = None) -> list[dict]:
    page = [
        fp("/html/body[1]", "body"),
        fp("/html/body[1]/main[1]", "main", role="main"),
        fp(FORM, "form", role="form"),
        fp(f"{FORM}/h1[1]", "h1", role="heading", text="Sign in", accessible_name="Sign in"),
        fp(
            f"{FORM}/input[1]",
            "input",
            id="email",
            name="email",
            role="textbox",
            type="email",
            label="Email",
            accessible_name="Email",
            rect={"x": 10, "y": 40, "w": 200, "h": 30},
        ),
        fp(
            f"{FORM}/input[2]",
            "input",
            id="password",
            name="password",
            role="textbox",
            type="password",
            label="Password",
            accessible_name="Password",
            rect={"x": 10, "y": 80, "w": 200, "h": 30},
        ),
        fp(
            f"{FORM}/a[1]",
            "a",
            role="link",
            text="Forgot password?",
            href="/reset",
            accessible_name="Forgot password?",
            rect={"x": 10, "y": 160, "w": 120, "h": 20},
        ),
    ]
    if submit is not None:
        page.append(submit)
    page.extend(extra or [])
    for i, c in enumerate(page):
        c["index"] = i
    return page


def submit_button(**kw: object) -> dict:
    data: dict = {
        "id": "login-submit",
        "classes": ["btn", "btn-primary"],
        "text": "Sign in",
        "role": "button",
        "type": "submit",
        "accessible_name": "Sign in",
        "neighbor_texts": ["Forgot password?"],
        "rect": {"x": 10, "y": 120, "w": 100, "h": 32},
    }
    data.update(kw)
    xpath = str(data.pop("xpath", f"{FORM}/button[1]"))
    return fp(xpath, "button", **data)


OLD_SUBMIT = submit_button()


def test_heals_a_renamed_id_and_says_what_it_did() -> None:
    page = login_page(submit=submit_button(id="signin-button"))
    decision = heal(OLD_SUBMIT, page)
    assert isinstance(decision, HealDecision)
    assert decision.healed, decision.reason
    assert decision.chosen is page[-1]
    assert decision.locator == '[id="signin-button"]'
    assert decision.score >= decision.runner_up_score + 0.1
    assert decision.reason.startswith("healed:") and "text" in decision.reason
    assert [c["score"] for c in decision.top] == sorted((c["score"] for c in decision.top), reverse=True)
    assert all(c["locator"] for c in decision.top)


def test_abstains_when_the_target_is_deleted() -> None:
    decision = heal(OLD_SUBMIT, login_page(submit=None))
    assert not decision.healed
    assert decision.chosen is None and decision.locator is None
    assert decision.reason.startswith("not sure:")
    assert decision.top, "the best guesses are still shown"


def test_abstains_on_two_look_alikes() -> None:
    # The real button lost its id and two identical buttons stand where it was: either could be it.
    twin_a = submit_button(id="", xpath=f"{FORM}/div[1]/button[1]")
    twin_b = submit_button(id="", xpath=f"{FORM}/div[2]/button[1]")
    decision = heal(OLD_SUBMIT, login_page(submit=None, extra=[twin_a, twin_b]))
    assert not decision.healed
    assert "runner-up" in decision.reason
    assert decision.score - decision.runner_up_score < 0.1


def test_generated_names_are_weak_evidence() -> None:
    assert is_generated("css-1q2w3e4") and is_generated("sc-bdVaJa") and is_generated(":r5:")
    assert is_generated("Login_button__3xYz9") and is_generated("ember1042") and is_generated("mui-22")
    assert not is_generated("btn-primary") and not is_generated("login-submit") and not is_generated("h1")
    # Old button: hashed class only. A link elsewhere now carries the very same hashed class (hashes
    # are per-build and collide by chance); the real button lost it but kept its text and place.
    old = submit_button(id="", classes=["css-1q2w3e4"])
    decoy = fp(
        "/html/body[1]/footer[1]/a[1]",
        "a",
        classes=["css-1q2w3e4"],
        role="link",
        text="Help",
        accessible_name="Help",
        href="/help",
        rect={"x": 600, "y": 900, "w": 40, "h": 20},
    )
    page = login_page(submit=submit_button(id="", classes=["css-9z8y7x6"]), extra=[decoy])
    decision = heal(old, page)
    assert decision.healed, decision.reason
    assert decision.chosen["xpath"] == f"{FORM}/button[1]"
    # ...while the same class name, when human-chosen, is strong enough to matter.
    top_decoy = (
        next(c for c in decision.top if c["xpath"] == decoy["xpath"])
        if any(c["xpath"] == decoy["xpath"] for c in decision.top)
        else None
    )
    assert top_decoy is None or top_decoy["evidence"]["classes_generated"] == 1.0


def test_rejected_locators_are_never_chosen() -> None:
    page = login_page(submit=submit_button(id="signin-button"))
    first = heal(OLD_SUBMIT, page)
    assert first.healed
    second = heal(OLD_SUBMIT, page, rejected_locators=frozenset({first.locator}))
    assert second.chosen is not page[-1]
    assert all(c["locator"] != first.locator for c in second.top)
    assert all(c["xpath"] != page[-1]["xpath"] for c in second.top)
    # Rejecting by the XPath form rejects the same element too.
    third = heal(OLD_SUBMIT, page, rejected_locators=frozenset({f"xpath={page[-1]['xpath']}"}))
    assert third.chosen is not page[-1]


def test_abstains_on_an_invisible_or_disabled_best_candidate() -> None:
    hidden = heal(OLD_SUBMIT, login_page(submit=submit_button(visible=False)))
    assert not hidden.healed and "not visible" in hidden.reason
    disabled = heal(OLD_SUBMIT, login_page(submit=submit_button(enabled=False)))
    assert not disabled.healed and "disabled" in disabled.reason


def test_abstains_on_an_incompatible_role() -> None:
    # The only close match is now a plain text input with the button's text as its label.
    stand_in = fp(
        f"{FORM}/input[3]",
        "input",
        id="login-submit",
        role="textbox",
        type="text",
        label="Sign in",
        accessible_name="Sign in",
        classes=["btn", "btn-primary"],
        text="Sign in",
        neighbor_texts=["Forgot password?"],
        rect={"x": 10, "y": 120, "w": 100, "h": 32},
    )
    decision = heal(OLD_SUBMIT, login_page(submit=None, extra=[stand_in]))
    assert not decision.healed


def test_locator_prefers_test_id_then_stable_id_and_checks_uniqueness() -> None:
    a = fp("/html/body[1]/button[1]", "button", id=":r3:", test_ids={"data-testid": "save"}, text="Save")
    b = fp("/html/body[1]/button[2]", "button", id=":r4:", text="Save")
    assert best_locator(a, [a, b]) == '[data-testid="save"]'
    # Generated id is never offered, and the shared text is not unique: XPath is the fallback.
    assert best_locator(b, [a, b]) == "xpath=/html/body[1]/button[2]"


def test_heals_among_two_thousand_candidates() -> None:
    filler = [
        fp(
            f"/html/body[1]/section[1]/div[{i}]",
            "div",
            classes=["card", f"card-{i % 7}"],
            text=f"Item {i}",
            neighbor_texts=[f"Item {i - 1}", f"Item {i + 1}"],
            rect={"x": 0, "y": 40 * i, "w": 300, "h": 36},
        )
        for i in range(1, 2000)
    ]
    page = login_page(submit=submit_button(id="signin-button"), extra=filler)
    decision = heal(OLD_SUBMIT, page)
    # How long it takes is measured by the benchmark (bench/healing: p50 and p95 on pages like this).
    assert decision.healed
    assert decision.chosen["id"] == "signin-button"


def test_path_ratio_is_the_edit_ratio_of_the_whole_paths() -> None:
    pairs = [
        ("/html[1]/body[1]/div[2]/main[1]/section[3]/button[1]", "/html[1]/body[1]/div[2]/main[1]/section[4]/a[1]"),
        ("/html[1]/body[1]/div[2]/main[1]/button[1]", "/html[1]/body[1]/div[2]/main[1]/div[1]/span[1]/button[1]"),
        ("/html[1]/body[1]/div[1]/a[2]", "/html[1]/body[1]/div[1]/a[12]"),
        ("/html[1]/body[1]/div[1]", "/html[1]/body[1]/div[1]/p[1]"),
        ("/html[1]/body[1]/footer[1]/ul[1]/li[4]/a[1]", "/html[1]/body[1]/header[1]/nav[1]/ul[1]/li[4]/a[1]"),
    ]
    for a, b in pairs:
        assert path_ratio(a, b) == pytest.approx(ratio(a, b)), (a, b)
    assert path_ratio("/html[1]", "/html[1]") == 1.0
    assert path_ratio("", "/html[1]") == 0.0


def test_abstains_on_a_twin_whose_surroundings_changed() -> None:
    # A comment with "Like (7)" was deleted; another comment happens to have "Like (7)" too.
    def like(n: int, author: str, likes: int) -> dict:
        return fp(
            f"/html/body[1]/main[1]/section[1]/div[{n}]/button[1]",
            "button",
            text=f"Like ({likes})",
            role="button",
            accessible_name=f"Like ({likes})",
            classes=["btn", "btn-link"],
            neighbor_texts=[author, "2 hours ago", f"Comment by {author}", "Reply"],
            rect={"x": 10, "y": 100 * n, "w": 60, "h": 20},
        )

    old = like(3, "Ada Lovelace", 7)
    page = [like(1, "Alan Turing", 12), like(2, "Grace Hopper", 7), like(4, "Linus Torvalds", 3)]
    decision = heal(old, page)
    assert not decision.healed
    assert "surroundings" in decision.reason
    # With its identifier still in place, the same candidate is confirmed and healed.
    old_with_id = {**old, "test_ids": {"data-testid": "like-ada"}}
    page[1]["test_ids"] = {"data-testid": "like-ada"}
    assert heal(old_with_id, page).healed


def test_a_label_that_adds_words_is_a_different_control() -> None:
    # "Sign in" was removed; "Sign in with SSO" stands where it was, styled the same.
    sso = submit_button(id="", text="Sign in with SSO", accessible_name="Sign in with SSO")
    decision = heal(submit_button(id=""), login_page(submit=None, extra=[sso]))
    assert not decision.healed
    assert decision.top[0]["evidence"]["text"] <= 0.45


def test_a_label_with_letters_in_common_is_another_word() -> None:
    # "Save" was removed; "Share" stands where it was, styled the same: other word, not a re-spelling.
    save = submit_button(id="", text="Save", accessible_name="Save")
    share = submit_button(id="", text="Share", accessible_name="Share")
    decision = heal(save, login_page(submit=share), threshold=0.3, margin=0.05)
    assert not decision.healed
    assert decision.top[0]["evidence"]["text"] == 0.0
    # A rewording that keeps a word keeps the edit ratio too: the demo app's "Send message" becomes "Submit message".
    send = submit_button(id="", text="Send message", accessible_name="Send message")
    submit = submit_button(id="", text="Submit message", accessible_name="Submit message")
    assert heal(send, login_page(submit=submit)).top[0]["evidence"]["text"] >= 0.5
    # A re-spelling still reads as the same label.
    login = submit_button(id="", text="Log in", accessible_name="Log in")
    decision = heal(login, login_page(submit=submit_button(id="", text="Login", accessible_name="Login")))
    assert decision.healed
    assert decision.top[0]["evidence"]["text"] >= 0.7


def test_the_old_elements_neighbour_is_not_the_element() -> None:
    # "Continue with Okta" was removed; "Continue with Google", its neighbour before, now stands there.
    def sso(n: int, provider: str, near: list[str]) -> dict:
        return fp(
            f"{FORM}/div[1]/button[{n}]",
            "button",
            text=f"Continue with {provider}",
            role="button",
            accessible_name=f"Continue with {provider}",
            classes=["btn", "btn-secondary"],
            type="button",
            neighbor_texts=near,
            rect={"x": 10, "y": 200 + 40 * n, "w": 180, "h": 32},
        )

    old = sso(1, "Okta", ["Forgot password?", "Continue with Google"])
    page = login_page(submit=submit_button(), extra=[sso(1, "Google", ["Forgot password?"])])
    # A low threshold so that only this check stands between the candidate and a heal.
    decision = heal(old, page, threshold=0.3, margin=0.05)
    assert not decision.healed
    assert "neighbour" in decision.reason


def test_the_field_labelled_like_the_old_fields_neighbour_is_that_field() -> None:
    # The "First name" field was removed. The "Last name" field moved up into its place, with the same
    # classes under the same legend; its label shares a word and most letters with "First name". Its
    # label was on the old page beside the old field: it is that field, not the one removed.
    contact = "/html/body[1]/main[1]/form[1]/fieldset[1]"

    def field(n: int, label: str, name: str, near: list[str]) -> dict:
        return fp(
            f"{contact}/div[{n}]/input[1]",
            "input",
            name=name,
            role="textbox",
            type="text",
            accessible_name=label,
            label=label,
            classes=["sc-iHCDt", "TNShun"],
            context="Contact",
            neighbor_texts=near,
            rect={"x": 10, "y": 100 + 40 * n, "w": 240, "h": 30},
        )

    old = field(1, "First name", "first_name", ["Contact", "First name", "Last name", "Email", "Phone"])
    page = [
        field(1, "Last name", "last_name", ["Contact", "Last name", "Email", "Phone"]),
        field(2, "Email", "email", ["Last name", "Email", "Phone"]),
        field(3, "Phone", "phone", ["Email", "Phone", "Address"]),
    ]
    decision = heal(old, page, threshold=0.3, margin=0.05)
    assert not decision.healed
    assert "('last name') was the old element's neighbour" in decision.reason


def test_an_identifier_repeated_on_the_old_page_confirms_nothing() -> None:
    # Every "Reply" button had id="reply"; the new page keeps one, in another comment.
    def reply(n: int, author: str) -> dict:
        return fp(
            f"/html/body[1]/main[1]/div[{n}]/button[1]",
            "button",
            id="reply",
            text="Reply",
            role="button",
            accessible_name="Reply",
            neighbor_texts=[author, f"Comment by {author}"],
            rect={"x": 10, "y": 100 * n, "w": 60, "h": 20},
        )

    old = {**reply(2, "Ada Lovelace"), "unique": {"id": False}}
    page = [reply(1, "Alan Turing"), {**reply(3, "Grace Hopper"), "id": ""}]
    assert not heal(old, page).healed
    # Had the id been unique on the old page, the same match would confirm the candidate.
    assert heal({**old, "unique": {"id": True}}, page).healed


# --- twins told apart by their card's heading, links by their record, wrappers, unique hrefs ---------

GRID = "/html/body[1]/main[1]/div[1]"


def member_button(card: int, name: str, label: str, near: list[str], **kw: object) -> dict:
    """A "Message"/"Remove" button in a member card: the same label and test id in every card."""
    n = 1 if label == "Message" else 2
    data: dict = {
        "text": label,
        "role": "button",
        "accessible_name": label,
        "classes": ["btn", f"btn-{label.lower()}"],
        "type": "button",
        "test_ids": {"data-testid": f"{label.lower()}-member"},
        "context": name,
        "neighbor_texts": near,
        "rect": {"x": 10 + 80 * n, "y": 120 * card, "w": 70, "h": 30},
        "path": [
            {"tag": "body", "id": "", "classes": [], "index": 1},
            {"tag": "main", "id": "", "classes": [], "index": 1},
            {"tag": "div", "id": "", "classes": ["grid"], "index": 1},
            {"tag": "div", "id": "", "classes": ["card"], "index": card},
        ],
    }
    data.update(kw)
    return fp(f"{GRID}/div[{card}]/button[{n}]", "button", **data)


def test_abstains_on_a_twin_under_another_heading(monkeypatch) -> None:
    # Ada's card was removed. Grace's "Remove" button is the same component in the same place, and its
    # neighbouring texts overlap the old ones (both cards border Alan's), but its card is Grace's.
    old = member_button(
        2, "Ada Lovelace", "Remove", ["Admin", "Message", "Alan Turing", "Editor"], unique={"test_id": False}
    )
    page = [
        member_button(1, "Grace Hopper", "Remove", ["Viewer", "Message", "Alan Turing", "Editor"]),
        member_button(2, "Alan Turing", "Remove", ["Editor", "Message", "Linus Torvalds", "Viewer"]),
    ]
    decision = heal(old, page, threshold=0.3, margin=0.0)
    assert not decision.healed
    assert "another heading" in decision.reason
    # The heading is what stops it: without that check the same page is healed to Grace's button.
    monkeypatch.setattr(healer, "HEADING_MIN", 0.0)
    assert heal(old, page, threshold=0.3, margin=0.0).healed


def test_the_cards_heading_settles_twins_whose_neighbours_changed(monkeypatch) -> None:
    # Ada's "Remove" button moved above her name inside her card: its neighbouring texts changed, its
    # card's heading did not, and no other "Remove" button is under that heading.
    old = member_button(2, "Ada Lovelace", "Remove", ["Admin", "Message", "Alan Turing", "Editor"])
    moved = member_button(2, "Ada Lovelace", "Remove", ["Grace Hopper", "Viewer", "Ada Lovelace", "Admin"])
    page = [
        member_button(1, "Grace Hopper", "Remove", ["Viewer", "Message", "Ada Lovelace", "Admin"]),
        moved,
        member_button(3, "Alan Turing", "Remove", ["Editor", "Message", "Linus Torvalds", "Viewer"]),
    ]
    decision = heal(old, page, threshold=0.3, margin=0.05)
    assert decision.healed, decision.reason
    assert decision.chosen["context"] == "Ada Lovelace"
    monkeypatch.setattr(healer, "HEADING_SETTLES", False)
    decision = heal(old, page, threshold=0.3, margin=0.05)
    assert not decision.healed and "surroundings" in decision.reason


def open_link(card: int, task: int, near: list[str], **kw: object) -> dict:
    data: dict = {
        "text": "Open",
        "role": "link",
        "accessible_name": "Open",
        "classes": ["link"],
        "href": f"/tasks/{task}",
        "context": "Done",
        "neighbor_texts": near,
        "rect": {"x": 10, "y": 60 * card, "w": 40, "h": 20},
    }
    data.update(kw)
    return fp(f"/html/body[1]/main[1]/section[4]/div[{card}]/a[1]", "a", **data)


def test_same_route_other_record() -> None:
    assert twins.same_route_other_record("/tasks/77352", "/tasks/81404")
    assert twins.same_route_other_record("/orders/12/items/3", "/orders/12/items/4")
    assert not twins.same_route_other_record("/tasks/77352", "/tasks/77352")
    assert not twins.same_route_other_record("/signup", "/register")
    assert not twins.same_route_other_record("/tasks/7", "/projects/7")
    assert not twins.same_route_other_record("", "/tasks/7")


def test_a_link_to_another_record_is_not_the_link(monkeypatch) -> None:
    # The task behind "/tasks/77" was deleted; the card below, "/tasks/81", moved up into its place.
    old = open_link(2, 77, ["Write the docs", "Open", "Ship it", "Add card"], unique={"href": True})
    page = [
        open_link(1, 12, ["Done", "3 cards", "Fix the build"]),
        open_link(2, 81, ["Write the docs", "Open", "Ship it", "Add card"]),
    ]
    decision = heal(old, page, threshold=0.3, margin=0.0)
    assert not decision.healed and "another record" in decision.reason
    monkeypatch.setattr(healer, "RECORD_CHECK", False)
    assert heal(old, page, threshold=0.3, margin=0.0).healed


def test_a_unique_href_confirms_a_link_and_leaves_it_no_rival(monkeypatch) -> None:
    # The link lost its test id (every card's link shares it); its twins in the other cards still carry
    # it. The old page had one link to /tasks/77, and so does the new one: that is the link.
    near = ["Write the docs", "Open", "Ship it", "Add card"]
    shared = {"data-testid": "open-task"}
    old = open_link(2, 77, near, test_ids=shared, unique={"href": True, "test_id": False})
    page = [
        open_link(1, 12, ["Done", "3 cards", "Fix the build", "Write the docs"], test_ids=shared),
        open_link(2, 77, near),
        open_link(3, 81, ["Ship it", "Open", "Add card", "Review"], test_ids=shared),
        open_link(4, 90, ["Ship it", "Open", "Add card"], test_ids=shared),
    ]
    decision = heal(old, page)
    assert decision.healed, decision.reason
    assert decision.chosen["href"] == "/tasks/77" and decision.rival_score == 0.0
    assert "(confirmed by an identifier no other element has; runner-up" in decision.reason
    # Fingerprints from before hrefs were checked for uniqueness do not get the anchor.
    legacy = {**old, "unique": {"test_id": False}}
    assert heal(legacy, page).rival_score > 0.0
    monkeypatch.setattr(twins, "NO_RIVAL_WHEN_CONFIRMED", False)
    assert heal(old, page).rival_score == heal(old, page).runner_up_score > 0.0


def test_a_wrapper_with_the_same_text_is_not_a_rival(monkeypatch) -> None:
    # A badge "1 new" got wrapped in a new <span>: the wrapper shows the same text in the same place.
    row = "/html/body[1]/main[1]/ul[1]/li[4]"
    near = ["Ada Lovelace", "Quarterly report", "Open", "Archive"]
    old = fp(
        f"{row}/span[2]",
        "span",
        text="1 new",
        classes=["chip", "css-b4cp9n"],
        neighbor_texts=near,
        context="Inbox",
        rect={"x": 300, "y": 200, "w": 40, "h": 16},
    )
    badge = {**old, "xpath": f"{row}/span[2]/span[1]"}
    wrapper = fp(
        f"{row}/span[2]",
        "span",
        text="1 new",
        classes=["item-wrap", "css-ybvsii"],
        neighbor_texts=near,
        context="Inbox",
        rect={"x": 300, "y": 200, "w": 40, "h": 16},
    )
    other = fp(
        "/html/body[1]/main[1]/ul[1]/li[5]/span[2]",
        "span",
        text="1 new",
        classes=["chip", "css-b4cp9n"],
        neighbor_texts=["Alan Turing", "Budget", "Open", "Archive"],
        context="Inbox",
        rect={"x": 300, "y": 240, "w": 40, "h": 16},
    )
    page = [wrapper, badge, other]
    # A margin wider than the wrapper's lead (0.12) over the badge, narrower than the other row's.
    decision = heal(old, page, margin=0.15)
    assert decision.healed, decision.reason
    assert decision.chosen["xpath"] == badge["xpath"]
    assert decision.rival_score < decision.runner_up_score
    # The reason names what the margin was measured against, not the wrapper's higher score alone.
    assert f"(runner-up {decision.rival_score:.2f}; the {decision.runner_up_score:.2f} was its own wrapper" in (
        decision.reason
    )
    monkeypatch.setattr(twins, "NESTED_NOT_RIVAL", False)
    decision = heal(old, page, margin=0.15)
    assert not decision.healed and "runner-up" in decision.reason


def test_a_test_id_the_old_page_shared_is_weak_evidence(monkeypatch) -> None:
    # Every card's "Remove" button had data-testid="remove-member". In the new version Ada's button lost
    # it while Grace's kept it: the shared test id must not outvote Ada's card and neighbours.
    near = ["Admin", "Message", "Alan Turing", "Editor"]
    old = member_button(2, "Ada Lovelace", "Remove", near, unique={"test_id": False})
    ada = member_button(2, "Ada Lovelace", "Remove", near, test_ids={})
    grace = member_button(1, "Grace Hopper", "Remove", ["Viewer", "Message", "Ada Lovelace", "Admin"])
    page = [grace, ada]
    decision = heal(old, page, threshold=0.3, margin=0.0)
    assert decision.top[0]["context"] == "Ada Lovelace", decision.top
    monkeypatch.setattr(scoring, "SHARED_ID_WEIGHT", 1.0)
    assert heal(old, page, threshold=0.3, margin=0.0).top[0]["context"] == "Grace Hopper"


def test_fewer_twins_under_the_old_heading_than_before_abstains(monkeypatch) -> None:
    # Two members are both called Sophie Lovelace, each card with a "Remove". The first card's button
    # moved out of its card to the section's toolbar; the other Sophie's card still has its own. The
    # heading matches the other one exactly, so only the old page's count of twins under that heading
    # (two) against the one left can tell that this is not the same button.
    old = member_button(
        1,
        "Sophie Lovelace",
        "Remove",
        ["Editor", "sophie@example.com", "Message", "Ada"],
        unique={"test_id": False, "context_label": False},
        context_twins=2,
    )
    page = [
        member_button(2, "Ada Lovelace", "Remove", ["Admin", "ada@example.com", "Message", "Sophie Lovelace"]),
        member_button(3, "Sophie Lovelace", "Remove", ["Editor", "sophie@example.com", "Message", "Alan"]),
        fp(
            "/html/body[1]/main[1]/button[1]",
            "button",
            text="Remove",
            role="button",
            accessible_name="Remove",
            classes=["btn", "btn-remove"],
            type="button",
            test_ids={"data-testid": "remove-member"},
            context="Team",
            neighbor_texts=["Team", "Invite", "Ada Lovelace"],
            rect={"x": 600, "y": 20, "w": 70, "h": 30},
        ),
    ]
    decision = heal(old, page, threshold=0.3, margin=0.0)
    assert not decision.healed
    assert "look-alikes sat under the heading" in decision.reason
    monkeypatch.setattr(healer, "CONTEXT_TWINS_GATE", False)
    decision = heal(old, page, threshold=0.3, margin=0.0)
    assert decision.healed and decision.chosen["xpath"] == f"{GRID}/div[3]/button[2]"
    # With both twins still under the heading the gate does not fire (the neighbours decide).
    monkeypatch.setattr(healer, "CONTEXT_TWINS_GATE", True)
    both = [*page, member_button(1, "Sophie Lovelace", "Remove", ["Editor", "sophie@example.com", "Message", "Ada"])]
    decision = heal(old, both, threshold=0.3, margin=0.0)
    assert decision.healed and decision.chosen["xpath"] == f"{GRID}/div[1]/button[2]"


def test_a_moved_element_that_kept_its_label_beats_a_relabelled_one_in_its_place(monkeypatch) -> None:
    # "Export" moved from the report card's footer to the page header; a new "Export all" now sits
    # exactly where it was, with the same neighbours and card heading. Placement should tell twins
    # apart, not let another label win over the old one.
    near = ["Quarterly report", "Share", "Delete"]
    old = fp(
        "/html/body[1]/main[1]/div[2]/div[1]/button[2]",
        "button",
        text="Export",
        role="button",
        accessible_name="Export",
        classes=["btn"],
        type="button",
        context="Quarterly report",
        neighbor_texts=near,
        rect={"x": 300, "y": 400, "w": 80, "h": 30},
    )
    decoy = fp(
        "/html/body[1]/main[1]/div[2]/div[1]/button[2]",
        "button",
        text="Export all",
        role="button",
        accessible_name="Export all",
        classes=["btn"],
        type="button",
        context="Quarterly report",
        neighbor_texts=near,
        rect={"x": 300, "y": 400, "w": 80, "h": 30},
    )
    moved = fp(
        "/html/body[1]/header[1]/button[1]",
        "button",
        text="Export",
        role="button",
        accessible_name="Export",
        classes=["btn"],
        type="button",
        context="Reports",
        neighbor_texts=["Reports", "Settings"],
        rect={"x": 900, "y": 10, "w": 80, "h": 30},
    )
    page = [decoy, moved, fp("/html/body[1]/main[1]/h2[1]", "h2", text="Reports", role="heading")]
    assert heal(old, page, threshold=0.0, margin=0.0).top[0]["xpath"] == moved["xpath"]
    monkeypatch.setattr(scoring, "PLACEMENT_NEEDS_LABEL", False)
    assert heal(old, page, threshold=0.0, margin=0.0).top[0]["xpath"] == decoy["xpath"]


def test_placement_counts_in_full_when_no_candidate_kept_the_label(monkeypatch) -> None:
    # "Export" was relabelled "Download" in place and nothing on the page reads "Export" any more: where
    # it sits is the evidence left, and it is not discounted for the label that changed.
    near = ["Quarterly report", "Share", "Delete"]
    old = fp(
        "/html/body[1]/main[1]/div[2]/button[2]",
        "button",
        text="Export",
        role="button",
        accessible_name="Export",
        classes=["btn"],
        context="Quarterly report",
        neighbor_texts=near,
        rect={"x": 300, "y": 400, "w": 80, "h": 30},
    )
    renamed = {**old, "text": "Download", "accessible_name": "Download"}
    other = fp(
        "/html/body[1]/header[1]/button[1]",
        "button",
        text="Settings",
        role="button",
        accessible_name="Settings",
        classes=["btn"],
        context="Reports",
        neighbor_texts=["Reports"],
        rect={"x": 900, "y": 10, "w": 80, "h": 30},
    )
    page = [renamed, other]
    with_rule = heal(old, page, threshold=0.0, margin=0.0)
    monkeypatch.setattr(scoring, "PLACEMENT_NEEDS_LABEL", False)
    without = heal(old, page, threshold=0.0, margin=0.0)
    assert with_rule.top[0]["xpath"] == renamed["xpath"]
    assert abs(with_rule.score - without.score) < 1e-9


def test_a_nameless_element_is_not_counted_against_its_heading(monkeypatch) -> None:
    # A comment's author (<strong>, no accessible name) under "Comments": every nameless <strong> there
    # "shared" its empty name on the old page, which says nothing about twins. The element is still in
    # place and must heal.
    row = "/html/body[1]/main[1]/section[1]/div[8]"
    old = fp(
        f"{row}/strong[1]",
        "strong",
        text="Tim Knuth",
        classes=["text-author"],
        context="Comments",
        neighbor_texts=["Reply", "Like (6)", "2 hours ago"],
        context_twins=18,
        unique={"context_label": False},
        rect={"x": 10, "y": 800, "w": 80, "h": 20},
    )
    page = [
        {**old, "classes": ["author"]},
        fp(
            "/html/body[1]/main[1]/section[1]/div[9]/strong[1]",
            "strong",
            text="Ada Byron",
            classes=["author"],
            context="Comments",
            neighbor_texts=["Reply", "Like (2)", "3 hours ago"],
            rect={"x": 10, "y": 900, "w": 80, "h": 20},
        ),
    ]
    decision = heal(old, page, threshold=0.3, margin=0.0)
    assert decision.healed, decision.reason
    # Counting it would refuse: one nameless look-alike is left of eighteen.
    monkeypatch.setattr(scoring.Target, "__init__", _with_acc(scoring.Target.__init__))
    assert "look-alikes sat under the heading" in heal(old, page, threshold=0.3, margin=0.0).reason


def _with_acc(init):
    def patched(self, fp):
        init(self, fp)
        self.acc = self.acc or " "

    return patched


def test_a_twin_whose_tag_was_swapped_still_counts_under_the_heading() -> None:
    # Two "Archive" buttons under "Inbox" on the old page; the redesign turned the first into a link
    # and left the second a button. Both are still under the heading: nothing went missing.
    near = ["Ada Lovelace", "Quarterly report", "3 new"]
    old = fp(
        "/html/body[1]/main[1]/ul[1]/li[1]/button[1]",
        "button",
        text="Archive",
        role="button",
        accessible_name="Archive",
        context="Inbox",
        neighbor_texts=near,
        context_twins=2,
        unique={"context_label": False},
        rect={"x": 300, "y": 100, "w": 60, "h": 20},
    )
    page = [
        fp(
            "/html/body[1]/main[1]/ul[1]/li[1]/a[1]",
            "a",
            text="Archive",
            role="link",
            accessible_name="Archive",
            context="Inbox",
            neighbor_texts=near,
            rect={"x": 300, "y": 100, "w": 60, "h": 20},
        ),
        fp(
            "/html/body[1]/main[1]/ul[1]/li[2]/button[1]",
            "button",
            text="Archive",
            role="button",
            accessible_name="Archive",
            context="Inbox",
            neighbor_texts=["Alan Turing", "Budget", "1 new"],
            rect={"x": 300, "y": 140, "w": 60, "h": 20},
        ),
    ]
    decision = heal(old, page, threshold=0.3, margin=0.0)
    assert decision.healed, decision.reason
    assert decision.chosen["tag"] == "a"


# --- the old page's look-alikes: recognised on the new page, they are neither the element nor its rivals -----

PLANS = "/html/body[1]/main[1]/div[1]"


def tier_button(card: int, tier: str, price: str, *, xpath: str | None = None, **kw: object) -> dict:
    """A pricing tier's "Get started": the same label, classes and test id in every tier's card."""
    data: dict = {
        "text": "Get started",
        "role": "button",
        "accessible_name": "Get started",
        "classes": ["btn", "btn-plan"],
        "type": "button",
        "test_ids": {"data-testid": "get-started"},
        "context": tier,
        "neighbor_texts": [tier, price, "Unlimited projects"],
        "rect": {"x": 40 + 300 * card, "y": 400, "w": 120, "h": 36},
        "path": [
            {"tag": "body", "id": "", "classes": [], "index": 1},
            {"tag": "main", "id": "", "classes": [], "index": 1},
            {"tag": "div", "id": "", "classes": ["plans"], "index": 1},
            {"tag": "div", "id": "", "classes": ["tier"], "index": card},
        ],
    }
    data.update(kw)
    return fp(xpath or f"{PLANS}/div[{card}]/button[1]", "button", **data)


def pro_fingerprint(**kw: object) -> dict:
    """The Pro tier's button as fingerprinted on the old page, with the Free and Team tiers' as look-alikes."""
    old = tier_button(2, "Pro", "$29", unique={"test_id": False, "context_label": True}, context_twins=1)
    old["look_alikes"] = [tier_button(1, "Free", "$0"), tier_button(3, "Team", "$99")]
    old["look_alikes_total"] = 2
    old["look_alikes_by"] = "compatible"
    old.update(kw)
    return old


def moved_pro(**kw: object) -> dict:
    """The Pro tier's button, moved out of its card to a row under the plans: no heading, new neighbours."""
    data: dict = {
        "xpath": f"{PLANS}/div[4]/button[1]",
        "rect": {"x": 40, "y": 700, "w": 120, "h": 36},
        "neighbor_texts": ["Team", "$99", "Compare plans", "Questions?"],
    }
    data.update(kw)
    return tier_button(2, "Plans", "", **data)


def test_a_button_moved_out_of_its_card_is_found_once_its_twins_are_recognised() -> None:
    # The Pro button moved out of its card to a row under the plans: it lost its card's heading and its
    # neighbours. The Free and Team buttons did not move and are recognised as themselves, so it is
    # the only "Get started" left that is not one of them.
    moved = moved_pro()
    page = [tier_button(1, "Free", "$0"), tier_button(3, "Team", "$99"), moved]
    decision = heal(pro_fingerprint(), page, threshold=0.5, margin=0.05)
    assert decision.healed, decision.reason
    assert decision.chosen["xpath"] == f"{PLANS}/div[4]/button[1]"
    assert "the only one left with its label or identifier once the old page's 2 look-alikes" in decision.reason
    # Without the look-alikes on record, three "Get started" buttons are twins it cannot tell apart.
    unknown = pro_fingerprint()
    del unknown["look_alikes"], unknown["look_alikes_total"]
    assert not heal(unknown, page, threshold=0.5, margin=0.05).healed
    # Nor when the old page had more look-alikes than the fingerprint kept: the unrecorded ones might be it.
    assert not heal(pro_fingerprint(look_alikes_total=5), page, threshold=0.5, margin=0.05).healed


def test_twins_that_stayed_are_not_taken_for_a_deleted_element() -> None:
    # The Pro tier is gone. The Team button sits where Pro's did and is otherwise identical; it matches
    # its own old fingerprint better than Pro's, so it is Team's button, not a heal.
    team_moved_left = tier_button(2, "Team", "$99")
    page = [tier_button(1, "Free", "$0"), team_moved_left]
    decision = heal(pro_fingerprint(), page, threshold=0.0, margin=0.0)
    assert not decision.healed
    assert all(guess["context"] != "Team" for guess in decision.top)


def test_a_look_alike_torn_between_two_candidates_claims_neither() -> None:
    # Two Team buttons on the new page that match Team's old fingerprint equally well: neither is
    # claimed, so neither is set aside and the label confirms nothing.
    page = [
        tier_button(1, "Free", "$0"),
        tier_button(3, "Team", "$99"),
        tier_button(3, "Team", "$99", xpath=f"{PLANS}/div[3]/button[2]"),
    ]
    pro = scoring.Target(pro_fingerprint())
    own_scores = {i: scoring.precise_score(pro, c)[0] for i, c in enumerate(page)}
    claimed = twins.claimed_look_alikes(pro_fingerprint()["look_alikes"], own_scores, page)
    assert claimed == frozenset({0})


def test_a_shared_test_id_names_the_one_element_left_once_its_twins_are_recognised(monkeypatch) -> None:
    # The Pro button was reworded ("Start now") where it stood. Its label no longer matches, and its
    # test id is the one every tier's button shares; but the Free and Team buttons are recognised as
    # themselves, and it is the only other element carrying that test id.
    reworded = tier_button(2, "Pro", "$29", text="Start now", accessible_name="Start now")
    page = [tier_button(1, "Free", "$0"), reworded, tier_button(3, "Team", "$99")]
    decision = heal(pro_fingerprint(), page, threshold=0.5, margin=0.05)
    assert decision.healed, decision.reason
    assert decision.chosen["context"] == "Pro"
    monkeypatch.setattr(twins, "IDENTIFIER_CONFIRMS", False)
    assert not heal(pro_fingerprint(), page, threshold=0.5, margin=0.05).healed


def test_a_button_that_became_a_link_is_found_once_its_twins_are_recognised() -> None:
    # The Pro button moved out of its card and became a link, without its test id: a button and a link
    # are the same kind of control, and once the Free and Team buttons are recognised it is the only
    # "Get started" left.
    moved = moved_pro(xpath=f"{PLANS}/div[4]/a[1]", role="link", type="", test_ids={})
    moved["tag"] = "a"
    page = [tier_button(1, "Free", "$0"), tier_button(3, "Team", "$99"), moved]
    decision = heal(pro_fingerprint(), page, threshold=0.5, margin=0.05)
    assert decision.healed, decision.reason
    assert decision.chosen["xpath"] == f"{PLANS}/div[4]/a[1]"
    # A heading that reads "Get started" is not that kind of control: it is no holder of the label.
    heading = fp(f"{PLANS}/h2[1]", "h2", role="heading", text="Get started", accessible_name="Get started")
    assert heal(pro_fingerprint(), [*page, heading], threshold=0.5, margin=0.05).healed
    # A fingerprint stored before look-alikes were counted by kind would not have recorded a link that
    # read "Get started": there, only a button can be the label's sole holder.
    stored_earlier = pro_fingerprint()
    del stored_earlier["look_alikes_by"]
    assert not heal(stored_earlier, page, threshold=0.5, margin=0.05).healed


def test_look_alikes_that_are_twins_of_each_other_claim_their_twins_together() -> None:
    # Two Team tiers side by side, identical to the last pixel but their place: each Team look-alike is
    # torn between the two Team buttons, so neither claims one alone. Together they claim both, and
    # the moved Pro button is again the only "Get started" left.
    old = pro_fingerprint()
    old["look_alikes"] = [
        tier_button(1, "Free", "$0"),
        tier_button(3, "Team", "$99"),
        tier_button(3, "Team", "$99", xpath=f"{PLANS}/div[3]/button[2]"),
    ]
    old["look_alikes_total"] = 3
    moved = moved_pro()
    page = [
        tier_button(1, "Free", "$0"),
        tier_button(3, "Team", "$99"),
        tier_button(3, "Team", "$99", xpath=f"{PLANS}/div[3]/button[2]"),
        moved,
    ]
    decision = heal(old, page, threshold=0.5, margin=0.05)
    assert decision.healed, decision.reason
    assert decision.chosen["xpath"] == f"{PLANS}/div[4]/button[1]"
    # With one Team look-alike only, the two Team buttons are not both accounted for: one may be Pro's.
    old["look_alikes"], old["look_alikes_total"] = old["look_alikes"][:2], 2
    assert not heal(old, page, threshold=0.5, margin=0.05).healed


TEAM = "/html/body[1]/main[1]/div[1]"


def member_name(card: int, email: str, **kw: object) -> dict:
    data: dict = {
        "classes": ["MuiTypography-root", "css-s4jglx"],
        "text": "Grace Liskov",
        "role": "heading",
        "accessible_name": "Grace Liskov",
        "neighbor_texts": ["Message", "Remove", "Viewer", email],
        "rect": {"x": 40, "y": 100 * card, "w": 200, "h": 24},
    }
    data.update(kw)
    return fp(f"{TEAM}/div[{card}]/h3[1]", "h3", **data)


def test_the_one_left_of_two_namesakes_may_be_the_other_one(monkeypatch) -> None:
    # Two members read "Grace Liskov"; the step's was the first card. The new page lost one of the two
    # cards, and the one left shows another e-mail address: it may be either, so the healer must not pick it.
    old = member_name(8, "grace@example.com")
    old["look_alikes"] = [member_name(9, "grace.l@example.com")]
    old["look_alikes_total"] = 1
    old["look_alikes_by"] = "compatible"
    survivor = member_name(8, "g.liskov@example.com")
    page = [
        fp(TEAM, "div"),
        survivor,
        fp(f"{TEAM}/div[9]/h3[1]", "h3", role="heading", text="Ada Hopper", accessible_name="Ada Hopper"),
    ]
    decision = heal(old, page, threshold=0.5, margin=0.05)
    assert not decision.healed
    assert "had 1 look-alike besides the element and no more candidates than that read like it" in decision.reason
    monkeypatch.setattr(healer, "LOOK_ALIKE_COUNT", False)
    assert heal(old, page, threshold=0.5, margin=0.05).healed  # what the count prevents
    monkeypatch.undo()
    # Both still there: the count says nothing, the usual evidence decides.
    twin = member_name(9, "grace.l@example.com")
    assert heal(old, [fp(TEAM, "div"), member_name(8, "grace@example.com"), twin], threshold=0.5, margin=0.05).healed


def test_the_element_that_holds_the_text_goes_before_a_new_wrapper_around_it(monkeypatch) -> None:
    # A price <span> became a <strong> and was wrapped in a new <span>, in a new build (hashed classes all new):
    # the wrapper has the old tag and place. The old element held its text itself; the wrapper only shows
    # its child's.
    card = "/html/body[1]/main[1]/div[1]/article[3]"
    near = ["Cozy notebook", "In stock", "Add to cart"]
    old = fp(
        f"{card}/span[1]",
        "span",
        text="$12",
        own_text="$12",
        classes=["css-1q2w3e"],
        neighbor_texts=near,
        context="Cozy notebook",
        rect={"x": 300, "y": 200, "w": 40, "h": 16},
    )
    wrapper = fp(
        f"{card}/span[1]",
        "span",
        text="$12",
        classes=["css-9x8y7z"],
        neighbor_texts=near,
        context="Cozy notebook",
        rect={"x": 300, "y": 200, "w": 40, "h": 16},
    )
    price = fp(
        f"{card}/span[1]/strong[1]",
        "strong",
        text="$12",
        own_text="$12",
        classes=["css-4r5t6y"],
        neighbor_texts=near,
        context="Cozy notebook",
        rect={"x": 300, "y": 200, "w": 40, "h": 16},
    )
    monkeypatch.setattr(healer, "HOLDER_OVER_WRAPPER", False)
    decision = heal(old, [wrapper, price])
    assert decision.healed and decision.chosen["xpath"] == wrapper["xpath"], decision.reason
    monkeypatch.setattr(healer, "HOLDER_OVER_WRAPPER", True)
    decision = heal(old, [wrapper, price])
    assert decision.healed and decision.chosen["xpath"] == price["xpath"], decision.reason


def test_a_cell_whose_content_was_wrapped_is_still_the_cell() -> None:
    # The other way round: the amount in an orders table was put in a new <span> inside its cell. The
    # cell is the old element (its tag, role, place); the <span> holding the text is new layout.
    row = "/html/body[1]/main[1]/table[1]/tbody[1]/tr[3]"
    near = ["#16950", "Dennis Thompson", "11 Jan", "Paid", "View", "Refund"]
    old = fp(
        f"{row}/td[4]",
        "td",
        text="$211.10",
        own_text="$211.10",
        role="cell",
        accessible_name="$211.10",
        classes=["MuiTableCell-root", "css-e9vcv7"],
        neighbor_texts=near,
        context="Sales",
        rect={"x": 500, "y": 300, "w": 90, "h": 30},
    )
    cell = {**old, "own_text": ""}
    amount = fp(
        f"{row}/td[4]/span[1]",
        "span",
        text="$211.10",
        own_text="$211.10",
        classes=["MuiListItem-wrap", "css-1aa232"],
        neighbor_texts=near,
        context="Sales",
        rect={"x": 505, "y": 305, "w": 60, "h": 20},
    )
    decision = heal(old, [cell, amount])
    assert decision.healed and decision.chosen["xpath"] == cell["xpath"], decision.reason


def test_new_layout_inside_the_element_does_not_outscore_it(monkeypatch) -> None:
    # A status line <p> became a <div> whose text went into a new <span> carrying the old classes. The span
    # outscores the div (classes, own text), but it is of another kind of tag than the old element: the
    # div, of the old element's kind and showing the same text, is the element.
    card = "/html/body[1]/main[1]/div[2]/article[1]"
    near = ["Quarterly report", "Due Friday", "Open"]
    old = fp(
        f"{card}/p[1]",
        "p",
        text="Waiting for review",
        own_text="Waiting for review",
        role="paragraph",
        classes=["text-sm", "text-gray-600"],
        neighbor_texts=near,
        rect={"x": 100, "y": 300, "w": 200, "h": 20},
    )
    block = {**old, "xpath": f"{card}/div[1]", "tag": "div", "role": "generic", "own_text": "", "classes": ["mt-2"]}
    words = fp(
        f"{card}/div[1]/span[1]",
        "span",
        text="Waiting for review",
        own_text="Waiting for review",
        classes=["text-sm", "text-gray-600"],
        neighbor_texts=near,
        rect={"x": 100, "y": 300, "w": 180, "h": 20},
    )
    monkeypatch.setattr(healer, "HOLDER_OVER_WRAPPER", False)
    assert heal(old, [block, words]).chosen["xpath"] == words["xpath"]
    monkeypatch.setattr(healer, "HOLDER_OVER_WRAPPER", True)
    decision = heal(old, [block, words])
    assert decision.healed and decision.chosen["xpath"] == block["xpath"], decision.reason


def test_a_qualified_look_alike_beside_a_label_that_lost_its_field_is_not_the_field(monkeypatch) -> None:
    # The filter field lost its id (its <label for> now names nothing), moved to the bottom of the page, and a
    # look-alike ("... copy") was put where it was, right after that label, which now reads as the
    # look-alike's. Its own placeholder only qualifies the old one: it is another field.
    bar = "/html/body[1]/main[1]/section[1]/div[1]/div[1]"
    old = fp(
        f"{bar}/input[1]",
        "input",
        id="filter",
        name="filter",
        classes=["input"],
        role="textbox",
        accessible_name="Filter",
        label="Filter",
        placeholder="Order number or customer",
        context="Orders",
        neighbor_texts=["Orders", "Filter", "New order", "Download CSV"],
        unique={"id": True, "name": True},
        rect={"x": 200, "y": 40, "w": 240, "h": 30},
    )
    look_alike = fp(
        f"{bar}/input[1]",
        "input",
        id="filter-copy",
        name="filter_copy",
        classes=["input", "input-primary"],
        role="textbox",
        accessible_name="Order number or customer copy",
        detached_label="Filter",
        placeholder="Order number or customer copy",
        context="Orders",
        neighbor_texts=["Orders", "Filter", "New order", "Download CSV"],
        rect={"x": 200, "y": 40, "w": 240, "h": 30},
    )
    moved = fp(
        "/html/body[1]/main[1]/section[1]/div[2]/input[1]",
        "input",
        name="filter-new",
        classes=["input"],
        role="textbox",
        accessible_name="Order number or customer",
        placeholder="Order number or customer",
        context="Orders",
        neighbor_texts=["Load more", "Showing 14 orders"],
        rect={"x": 200, "y": 900, "w": 240, "h": 30},
    )
    decision = heal(old, [look_alike, moved])
    assert not decision.healed and "qualified look-alike" in decision.reason, decision.reason
    monkeypatch.setattr(healer, "QUALIFIED_GATE", False)
    assert heal(old, [look_alike, moved]).chosen["id"] == "filter-copy"


def test_a_relabelled_control_that_means_the_same_is_healed_and_the_heal_says_why() -> None:
    # The id changed too, so nothing but the meaning of "Log in" ties it to "Sign in".
    relabelled = submit_button(id="signin-btn", text="Log in", accessible_name="Log in")
    decision = heal(OLD_SUBMIT, login_page(submit=relabelled))
    assert decision.healed and decision.chosen["text"] == "Log in"
    assert "its label 'Log in' is not the old 'Sign in' but means the same (meaning 0.87)" in decision.reason


@pytest.mark.parametrize("label", ["Create account", "Help"])
def test_another_action_where_the_control_was_is_not_healed(label: str) -> None:
    # The sign-in button is gone and a button with another meaning stands in its place, styled alike.
    other = submit_button(id="signin-btn", text=label, accessible_name=label)
    decision = heal(OLD_SUBMIT, login_page(submit=other))
    assert not decision.healed
    button = next(guess for guess in decision.top if guess["text"] == label)
    assert button["evidence"]["text"] < 0.1


def map_button(label: str, **kw: object) -> dict:
    data: dict = {
        "classes": ["btn"],
        "role": "button",
        "type": "button",
        "text": label,
        "accessible_name": label,
        "context": "Map",
        "neighbor_texts": ["Map", "Fit to screen"],
        "rect": {"x": 100, "y": 10, "w": 80, "h": 30},
    }
    data.update(kw)
    return fp(str(data.pop("xpath", "/html/body[1]/main[1]/div[1]/button[2]")), "button", **data)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Zoom in", "Zoom out"),
        ("Sign in", "Sign up"),
        ("Lock", "Unlock"),
        ("Show all", "Hide all"),
        ("Remember me", "Don't remember me"),
    ],
)
def test_the_opposite_action_where_the_control_was_is_not_healed(old: str, new: str) -> None:
    # Same place, same style, no identifier left: only the words say "Zoom out" is not "Zoom in", and
    # they share most of their letters while the label model reads them as close (0.91).
    page = [
        fp("/html/body[1]", "body"),
        fp("/html/body[1]/main[1]", "main", role="main"),
        fp("/html/body[1]/main[1]/div[1]/h2[1]", "h2", role="heading", text="Map", accessible_name="Map"),
        map_button(
            "Fit to screen",
            xpath="/html/body[1]/main[1]/div[1]/button[1]",
            neighbor_texts=["Map", old],
            rect={"x": 10, "y": 10, "w": 80, "h": 30},
        ),
        map_button(new),
    ]
    for i, c in enumerate(page):
        c["index"] = i
    decision = heal(map_button(old, id="map-action"), page)
    assert not decision.healed
    assert f"label '{new}' names the opposite of '{old}'" in decision.reason, decision.reason
    assert heal(map_button(old, id="map-action"), [*page[:-1], map_button(old.upper())]).healed


def test_a_label_that_only_gained_words_is_not_read_for_its_meaning() -> None:
    # "Sign in with SSO" may be the same button reworded or another one beside a deleted "Sign in":
    # meaning cannot tell, so only the words are compared (and a superset label counts for little).
    qualified = submit_button(id="signin-btn", text="Sign in with SSO", accessible_name="Sign in with SSO")
    decision = heal(OLD_SUBMIT, login_page(submit=qualified))
    assert not decision.healed
    assert decision.top[0]["evidence"]["text"] <= 0.45
