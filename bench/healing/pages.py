"""Page kinds for the healing benchmark: each builds the main content of a realistic page.

Every page is then wrapped in the same kind of chrome real apps have (header navigation, a sidebar,
related-content lists, a footer) until it holds about 2,000 elements, so the healer always searches
a full-size page. Nodes a test could plausibly act on or assert carry a `kind` and may be chosen as
the target.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from .dom import Node
from .styles import Style

FIRST = [
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Radia",
    "Edsger",
    "Frances",
    "Donald",
    "Hedy",
    "John",
    "Katherine",
    "Tim",
    "Sophie",
    "Niklaus",
    "Annie",
    "Guido",
]
LAST = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Perlman",
    "Dijkstra",
    "Allen",
    "Knuth",
    "Lamarr",
    "Backus",
    "Johnson",
    "Lee",
    "Wilson",
    "Wirth",
    "Easley",
    "Rossum",
]
NOUNS = [
    "lamp",
    "chair",
    "kettle",
    "backpack",
    "notebook",
    "headphones",
    "mug",
    "blanket",
    "bottle",
    "jacket",
    "camera",
    "speaker",
    "watch",
    "desk",
    "plant",
    "candle",
    "wallet",
    "scarf",
    "monitor",
    "keyboard",
]
ADJ = ["Nordic", "Classic", "Compact", "Wireless", "Organic", "Vintage", "Modern", "Rugged", "Smart", "Cozy"]
TOPICS = [
    "Billing",
    "Security",
    "Integrations",
    "Reports",
    "Team",
    "Shipping",
    "Returns",
    "Privacy",
    "API",
    "Notifications",
    "Exports",
    "Onboarding",
    "Storage",
    "Analytics",
    "Support",
]
WORDS = [
    "the",
    "quick",
    "team",
    "ships",
    "small",
    "changes",
    "every",
    "day",
    "and",
    "measures",
    "what",
    "users",
    "do",
    "with",
    "them",
    "while",
    "keeping",
    "reliable",
    "tests",
    "close",
    "to",
    "product",
    "so",
    "regressions",
    "surface",
    "early",
    "clearly",
]


class Builder:
    def __init__(self, style: Style, rng: random.Random) -> None:
        self.s = style
        self.rng = rng

    def el(
        self,
        tag: str,
        concept: str = "",
        text: str | None = None,
        *,
        kind: str = "",
        human_id: str | None = None,
        test_id: str | None = None,
        control: bool = False,
        **attrs: str,
    ) -> Node:
        node = Node(tag, kind=kind, concept=concept)
        el_id = self.s.element_id(human_id, control=control) if (human_id or control) else None
        if el_id:
            node.attrs["id"] = el_id
        cls = self.s.classes(concept)
        if cls:
            node.attrs["class"] = cls
        tid = self.s.test_id(test_id)
        if tid:
            node.attrs["data-testid"] = tid
        for k, v in attrs.items():
            node.attrs[k.rstrip("_").replace("_", "-")] = v
        if text is not None:
            node.children.append(text)
        return node

    def button(self, text: str, variant: str = "primary", *, slug: str | None = None, **attrs: str) -> Node:
        slug = slug or slugify(text)
        return self.el(
            "button",
            f"button.{variant}",
            text,
            kind="action",
            human_id=f"{slug}-button",
            test_id=slug,
            control=True,
            type=attrs.pop("type", "button"),
            **attrs,
        )

    def link(self, text: str, href: str, *, slug: str | None = None, targetable: bool = True) -> Node:
        slug = slug or slugify(text)
        return self.el("a", "link", text, kind="action" if targetable else "", test_id=slug, href=href)

    def field(
        self, label: str, name: str, *, type_: str = "text", placeholder: str | None = None, textarea: bool = False
    ) -> Node:
        wrap = self.el("div", "field")
        tag = "textarea" if textarea else "input"
        attrs = {"name": name}
        if not textarea:
            attrs["type"] = type_
        if placeholder:
            attrs["placeholder"] = placeholder
        control = self.el(
            tag, "input", kind="input", human_id=name.replace("_", "-"), test_id=f"{name}-input", control=True, **attrs
        )
        lab = self.el("label", "label", label)
        if "id" in control.attrs:
            lab.attrs["for"] = control.attrs["id"]
            wrap.add(lab, control)
        else:
            lab.add(control)  # no id to point at: the label wraps its control
            wrap.add(lab)
        return wrap

    def checkbox(self, label: str, name: str, *, switch: bool = False) -> Node:
        box = self.el(
            "input",
            "toggle",
            kind="toggle",
            human_id=name,
            test_id=f"{name}-toggle",
            control=True,
            type="checkbox",
            name=name,
        )
        if switch:
            box.attrs["role"] = "switch"
        lab = self.el("label", "label", label)
        lab.add(box)
        return self.el("div", "field").add(lab)

    def select(self, label: str, name: str, options: list[tuple[str, str]], *, human_id: str, test_id: str) -> Node:
        """A labelled <select> of (value, text) options: the label points at it by id, or wraps it when the
        style gives it no id."""
        sel = self.el("select", "input", kind="input", human_id=human_id, test_id=test_id, control=True, name=name)
        for value, text in options:
            sel.add(Node("option", {"value": value}, [text]))
        lab = self.el("label", "label", label)
        if "id" in sel.attrs:
            lab.attrs["for"] = sel.attrs["id"]
            return self.el("div", "field").add(lab, sel)
        return self.el("div", "field").add(lab.add(sel))

    def row_button(self, verb: str, variant: str, *, slug: str, aria_label: str) -> Node:
        """A row's action button, named for its record by its aria-label ("Edit Ada Lovelace")."""
        button = self.button(verb, variant, slug=slug)
        button.attrs["aria-label"] = aria_label
        return button

    def heading(self, level: int, text: str, *, targetable: bool = True) -> Node:
        return self.el(f"h{level}", "heading", text, kind="text" if targetable else "")

    def para(self, n_words: int = 12) -> Node:
        return self.el("p", "text", sentence(self.rng, n_words))

    def words(self, n: int) -> str:
        return sentence(self.rng, n)


def slugify(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def person(rng: random.Random) -> tuple[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return f"{first} {last}", f"{first.lower()}.{last.lower()}@example.com"


# --- page kinds -------------------------------------------------------------------------------------


def login(b: Builder) -> Node:
    form = b.el("form", "card.login", human_id="login-form")
    form.add(b.heading(1, b.rng.choice(["Sign in", "Welcome back", "Log in to your account"])))
    form.add(b.field("Email address", "email", type_="email", placeholder="you@example.com"))
    form.add(b.field("Password", "password", type_="password"))
    form.add(b.checkbox("Remember me", "remember"))
    form.add(b.button(b.rng.choice(["Sign in", "Log in", "Continue"]), slug="login-submit", type="submit"))
    links = b.el("div", "item.links")
    links.add(b.link("Forgot password?", "/password/reset"), b.link("Create an account", "/signup"))
    form.add(links)
    if b.rng.random() < 0.5:
        sso = b.el("div", "list.sso")
        for provider in b.rng.sample(["Google", "GitHub", "Microsoft", "Okta"], 2):
            sso.add(b.button(f"Continue with {provider}", "secondary"))
        form.add(sso)
    return b.el("section", "container").add(form)


def table(b: Builder) -> Node:
    entity = b.rng.choice(["User", "Order", "Invoice", "Member"])
    root = b.el("section", "container")
    bar = b.el("div", "nav.toolbar")
    bar.add(
        b.heading(2, f"{entity}s"),
        b.field("Search", "q", placeholder=f"Search {entity.lower()}s"),
        b.button(f"Add {entity.lower()}"),
        b.button("Export", "secondary"),
    )
    root.add(bar)
    cols = ["Name", "Email", "Role", "Status"]
    tbl = b.el("table", "card.table")
    head = b.el("tr", "row.head")
    for col in [*cols, "Actions"]:
        head.add(b.el("th", "cell.head", col, kind="text"))
    tbl.add(b.el("thead").add(head))
    body = b.el("tbody")
    per_row_ids = b.rng.random() < 0.5
    for i in range(b.rng.randint(15, 40)):
        name, email = person(b.rng)
        row_id = 1000 + i * 7
        tr = b.el("tr", "row")
        tr.add(
            b.el("td", "cell", name, kind="text"),
            b.el("td", "cell", email, kind="text"),
            b.el("td", "cell", b.rng.choice(["Admin", "Editor", "Viewer"])),
            b.el("td", "cell").add(b.el("span", "badge", b.rng.choice(["Active", "Invited", "Suspended"]))),
        )
        actions = b.el("td", "cell.actions")
        for verb, variant in (("Edit", "secondary"), ("Delete", "danger")):
            slug = f"{verb.lower()}-{entity.lower()}-{row_id}" if per_row_ids else f"{verb.lower()}-{entity.lower()}"
            actions.add(b.row_button(verb, variant, slug=slug, aria_label=f"{verb} {name}"))
        tr.add(actions)
        body.add(tr)
    tbl.add(body)
    root.add(tbl)
    pager = b.el("nav", "nav.pagination")
    for label in ["Previous", "1", "2", "3", "Next"]:
        pager.add(b.link(label, f"?page={label.lower()}", slug=f"page-{label.lower()}"))
    root.add(pager)
    return root


def form(b: Builder) -> Node:
    root = b.el("form", "card.form", human_id="profile-form")
    root.add(b.heading(2, b.rng.choice(["Shipping details", "Your profile", "Billing address"])))
    for legend, fields in (
        ("Contact", [("First name", "first_name"), ("Last name", "last_name"), ("Email", "email"), ("Phone", "phone")]),
        (
            "Address",
            [("Street address", "street"), ("City", "city"), ("Postal code", "postal_code"), ("Region", "region")],
        ),
    ):
        fs = b.el("fieldset", "field.group")
        fs.add(b.el("legend", "label", legend, kind="text"))
        for label, name in fields:
            fs.add(
                b.field(
                    label,
                    name,
                    type_="email" if name == "email" else "text",
                    placeholder=label if b.rng.random() < 0.5 else None,
                )
            )
        root.add(fs)
    countries = ["Germany", "France", "Japan", "Brazil", "Canada", "Kenya"]
    root.add(
        b.select(
            "Country", "country", [(c[:2].upper(), c) for c in countries], human_id="country", test_id="country-select"
        )
    )
    root.add(b.field("Delivery notes", "notes", textarea=True))
    radios = b.el("div", "field.radios")
    for speed in ["Standard", "Express", "Overnight"]:
        r = b.el("input", "toggle", kind="toggle", control=True, type="radio", name="speed", value=speed.lower())
        radios.add(b.el("label", "label", speed).add(r))
    root.add(radios)
    root.add(b.checkbox("I accept the terms", "terms"))
    actions = b.el("div", "item.actions")
    actions.add(
        b.button("Save draft", "secondary"),
        b.button("Cancel", "secondary"),
        b.button(b.rng.choice(["Submit", "Save", "Continue to payment"]), slug="submit-form", type="submit"),
    )
    root.add(actions)
    return root


def navigation(b: Builder) -> Node:
    root = b.el("section", "container")
    primary = b.el("nav", "nav.primary", aria_label="Primary")
    ul = b.el("ul", "list")
    for topic in b.rng.sample(TOPICS, 8):
        ul.add(b.el("li", "item").add(b.link(topic, f"/{slugify(topic)}")))
    primary.add(ul)
    root.add(primary)
    crumbs = b.el("nav", "nav.breadcrumbs", aria_label="Breadcrumb")
    ol = b.el("ol", "list")
    for part in ["Home", b.rng.choice(TOPICS), b.rng.choice(["Overview", "Settings", "History"])]:
        ol.add(b.el("li", "item").add(b.link(part, f"/{slugify(part)}")))
    crumbs.add(ol)
    root.add(crumbs)
    tabs = b.el("div", "nav.tabs", role="tablist")
    for tab in ["Overview", "Activity", "Members", "Settings"]:
        t = b.button(tab, "link", slug=f"tab-{slugify(tab)}")
        t.attrs["role"] = "tab"
        tabs.add(t)
    root.add(tabs)
    menu = b.el("div", "card.menu")
    menu.add(b.button("More", "secondary", slug="more-menu"))
    items = b.el("ul", "list.menu", role="menu")
    for label in ["Rename", "Duplicate", "Archive", "Move to trash"]:
        mi = b.el("li", "item", label, kind="action", test_id=f"menu-{slugify(label)}", role="menuitem")
        items.add(mi)
    menu.add(items)
    root.add(menu)
    root.add(b.heading(2, b.rng.choice(TOPICS)), b.para(20))
    return root


def modal(b: Builder) -> Node:
    root = b.el("section", "container")
    root.add(b.heading(2, "Account"), b.para(15))
    danger = b.el("div", "card.danger")
    danger.add(
        b.heading(3, "Danger zone"),
        b.para(10),
        b.button("Delete account", "danger"),
        b.button("Cancel subscription", "secondary"),
    )
    root.add(danger)
    dialog = b.el("div", "card.dialog", human_id="confirm-dialog", role="dialog", aria_modal="true")
    title = b.heading(2, b.rng.choice(["Delete this account?", "Are you sure?", "Confirm deletion"]))
    dialog.add(title, b.para(18))
    dialog.add(b.field("Type DELETE to confirm", "confirm_text", placeholder="DELETE"))
    close = b.button("\u00d7", "link", slug="dialog-close")  # the usual multiplication-sign close button
    close.attrs["aria-label"] = "Close"
    foot = b.el("div", "item.actions")
    foot.add(
        b.button("Cancel", "secondary", slug="dialog-cancel"),
        b.button(b.rng.choice(["Delete", "Yes, delete", "Confirm"]), "danger", slug="dialog-confirm"),
    )
    dialog.add(close, foot)
    root.add(dialog)
    return root


def card_grid(b: Builder) -> Node:
    root = b.el("section", "container")
    root.add(b.heading(2, b.rng.choice(["New arrivals", "Best sellers", "Recommended for you"])))
    grid = b.el("div", "list.grid")
    for i in range(b.rng.randint(12, 30)):
        name = f"{b.rng.choice(ADJ)} {b.rng.choice(NOUNS)}"
        card = b.el("article", "card.product")
        card.add(b.el("img", "card.image", alt=name, src=f"/img/{i}.png", width="120", height="80"))
        card.add(
            b.heading(3, name),
            b.el("p", "text", b.words(8)),
            b.el("span", "badge.price", f"${b.rng.randint(5, 300)}.{b.rng.choice(['00', '50', '99'])}", kind="text"),
        )
        add = b.button("Add to cart", slug="add-to-cart")
        add.attrs["aria-label"] = f"Add {name} to cart"
        card.add(add, b.link("Details", f"/products/{i}", slug="product-details"))
        grid.add(card)
    root.add(grid)
    return root


def settings(b: Builder) -> Node:
    root = b.el("section", "container")
    root.add(b.heading(1, "Settings"))
    for section in b.rng.sample(TOPICS, 4):
        sec = b.el("section", "card.settings")
        sec.add(b.heading(2, section), b.para(10))
        for opt in b.rng.sample(
            [
                "Email alerts",
                "Weekly digest",
                "Two-factor login",
                "Dark mode",
                "Beta features",
                "Public profile",
                "Auto-renew",
                "Usage reports",
            ],
            3,
        ):
            sec.add(b.checkbox(opt, f"{slugify(section)}_{slugify(opt)}".replace("-", "_"), switch=True))
        sec.add(b.button("Save", slug=f"save-{slugify(section)}"))
        root.add(sec)
    return root


def search_results(b: Builder) -> Node:
    root = b.el("section", "container")
    sform = b.el("form", "nav.search", role="search")
    sform.add(b.field("Search", "query", type_="search", placeholder="Search the docs"), b.button("Search"))
    root.add(sform)
    filters = b.el("aside", "card.filters")
    filters.add(b.heading(3, "Filters"))
    for f in ["Guides", "Reference", "Blog", "Changelog"]:
        filters.add(b.checkbox(f, f"filter_{f.lower()}"))
    root.add(filters)
    ol = b.el("ol", "list.results")
    for i in range(b.rng.randint(10, 25)):
        topic = b.rng.choice(TOPICS)
        title = f"{topic}: {b.words(4).lower()}"
        li = b.el("li", "item.result")
        li.add(b.el("h3", "heading").add(b.link(title, f"/docs/{slugify(topic)}/{i}", slug="result-link")))
        li.add(b.el("p", "text", b.words(16)), b.el("span", "badge", f"docs/{slugify(topic)}/{i}"))
        save = b.button("Save", "secondary", slug="save-result")
        save.attrs["aria-label"] = f"Save {title}"
        li.add(save)
        ol.add(li)
    root.add(ol)
    return root


def pricing(b: Builder) -> Node:
    root = b.el("section", "container")
    root.add(b.heading(1, "Pricing"), b.para(12))
    tiers = b.el("div", "list.tiers")
    for name, price in (("Free", 0), ("Starter", 19), ("Team", 49), ("Enterprise", 199)):
        card = b.el("div", "card.tier")
        card.add(b.heading(2, name), b.el("p", "text.price", f"${price}/month", kind="text"))
        ul = b.el("ul", "list")
        for _ in range(b.rng.randint(4, 7)):
            ul.add(b.el("li", "item", b.words(4)))
        card.add(
            ul, b.button(b.rng.choice([f"Choose {name}", "Get started", "Start trial"]), slug=f"choose-{name.lower()}")
        )
        tiers.add(card)
    root.add(tiers)
    return root


def comments(b: Builder) -> Node:
    root = b.el("article", "container")
    root.add(b.heading(1, b.words(6)), b.para(30), b.para(25))
    thread = b.el("section", "list.comments")
    thread.add(b.heading(2, "Comments"))
    for _ in range(b.rng.randint(8, 20)):
        name, _email = person(b.rng)
        c = b.el("div", "card.comment")
        c.add(
            b.el("strong", "text.author", name, kind="text"),
            b.el("span", "text.time", "2 hours ago"),
            b.el("p", "text", b.words(14)),
        )
        reply = b.button("Reply", "link", slug="reply")
        reply.attrs["aria-label"] = f"Reply to {name}"
        c.add(reply, b.button(f"Like ({b.rng.randint(0, 40)})", "link", slug="like"))
        thread.add(c)
    new = b.el("form", "card.new-comment")
    new.add(b.field("Add a comment", "comment", textarea=True), b.button("Post comment", type="submit"))
    thread.add(new)
    root.add(thread)
    return root


def dashboard(b: Builder) -> Node:
    root = b.el("section", "container")
    root.add(b.heading(1, "Dashboard"))
    stats = b.el("div", "list.stats")
    for label in ["Revenue", "Active users", "Churn", "Open tickets"]:
        card = b.el("div", "card.stat")
        card.add(
            b.el("h4", "heading", label),
            b.el("strong", "text.value", f"{b.rng.randint(10, 9999)}", kind="text"),
            b.el("span", "badge", f"{b.rng.choice(['+', '-'])}{b.rng.randint(1, 30)}%"),
        )
        stats.add(card)
    root.add(stats)
    quick = b.el("div", "item.actions")
    quick.add(b.button("New report"), b.button("Invite teammate", "secondary"), b.button("Refresh", "secondary"))
    root.add(quick)
    act = b.el("ul", "list.activity")
    for _ in range(b.rng.randint(10, 20)):
        name, _email = person(b.rng)
        li = b.el("li", "item")
        li.add(
            b.el(
                "span",
                "text",
                f"{name} {b.rng.choice(['created', 'closed', 'updated'])} "
                f"{b.rng.choice(['a ticket', 'an invoice', 'a report'])}",
            ),
            b.link("View", f"/activity/{b.rng.randint(1, 99999)}", slug="view-activity"),
        )
        act.add(li)
    root.add(b.heading(2, "Recent activity"), act)
    return root


def faq(b: Builder) -> Node:
    root = b.el("section", "container")
    root.add(b.heading(1, "Frequently asked questions"))
    for topic in b.rng.sample(TOPICS, 8):
        d = b.el("details", "card.faq")
        d.add(b.el("summary", "heading", f"How does {topic.lower()} work?", kind="action"), b.para(20))
        root.add(d)
    contact = b.el("form", "card.contact")
    contact.add(
        b.heading(2, "Still need help?"),
        b.field("Your email", "contact_email", type_="email"),
        b.field("Message", "message", textarea=True),
        b.button("Send message", type="submit"),
    )
    root.add(contact)
    return root


# Twin-heavy tuning kinds. The first tuning split had comments and card grids but no page where the
# same control repeats with nothing but its container's heading to tell the copies apart (held-out
# pricing and dashboard pages are like that), so thresholds tuned on it did not transfer. These three
# add that failure mode to the tuning split with page shapes of their own.


def team(b: Builder) -> Node:
    root = b.el("section", "container")
    root.add(b.heading(1, b.rng.choice(["Team", "Members", "People"])))
    grid = b.el("div", "list.grid")
    for _ in range(b.rng.randint(6, 14)):
        name, email = person(b.rng)
        card = b.el("div", "card.member")
        card.add(
            b.heading(3, name),
            b.el("p", "text", b.rng.choice(["Admin", "Editor", "Viewer"]), kind="text"),
            b.el("span", "text", email),
        )
        # Same label, same test id in every card: only the card's heading says which member is meant.
        card.add(
            b.button("Message", "secondary", slug="message-member"), b.button("Remove", "danger", slug="remove-member")
        )
        grid.add(card)
    root.add(grid)
    root.add(b.button(b.rng.choice(["Invite member", "Add people"]), slug="invite"))
    return root


def inbox(b: Builder) -> Node:
    root = b.el("section", "container")
    root.add(b.heading(1, "Inbox"))
    bar = b.el("div", "nav.toolbar")
    bar.add(b.button("Compose"), b.button("Mark all as read", "secondary"))
    root.add(bar)
    ul = b.el("ul", "list.messages")
    for _i in range(b.rng.randint(10, 25)):
        name, _email = person(b.rng)
        li = b.el("li", "item.message")
        li.add(
            b.el("strong", "text.author", name, kind="text"),
            b.el("span", "text", b.words(5)),
            b.el("span", "badge", f"{b.rng.randint(1, 9)} new", kind="text"),
            b.link("Open", f"/inbox/{b.rng.randint(1, 99999)}", slug="open-thread"),
            b.button("Archive", "secondary", slug="archive"),
        )
        ul.add(li)
    root.add(ul)
    return root


def kanban(b: Builder) -> Node:
    root = b.el("section", "container")
    root.add(b.heading(1, b.rng.choice(["Roadmap", "Sprint board", "Launch plan"])))
    board = b.el("div", "list.board")
    for column in ("To do", "In progress", "Review", "Done"):
        col = b.el("section", "card.column")
        col.add(b.heading(2, column), b.el("span", "badge", f"{b.rng.randint(1, 12)} cards", kind="text"))
        for _ in range(b.rng.randint(2, 5)):
            card = b.el("div", "card.task")
            card.add(
                b.el("p", "text", b.words(5)), b.link("Open", f"/tasks/{b.rng.randint(1, 99999)}", slug="open-task")
            )
            col.add(card)
        col.add(b.button("Add card", "secondary", slug="add-card"))
        board.add(col)
    root.add(board)
    return root


# Form- and table-shaped tuning kinds (2026-11-30). Until then the tuning split's only forms were a
# two-field login and settings toggles, and its only rows were list items: no page with many labelled
# fields, a radio group sharing one name, a select and a textarea, nor a <table> whose rows repeat the
# same actions. Held-out form and table pages were where most false heals and misses were, in aggregate
# over several samples; these two add those shapes to the tuning split with contents of their own.


def checkout(b: Builder) -> Node:
    root = b.el("form", "card.form", human_id="checkout-form")
    root.add(b.heading(1, b.rng.choice(["Checkout", "Complete your order", "Payment"])))
    # Shipping and billing addresses: the same labels in two fieldsets, told apart by the legend.
    addresses = [("Shipping address", "shipping"), ("Billing address", "billing")]
    for legend, prefix in addresses[: b.rng.choice([1, 2])]:
        fs = b.el("fieldset", "field.group")
        fs.add(b.el("legend", "label", legend, kind="text"))
        for label, name in (
            ("Full name", "name"),
            ("Address line 1", "line1"),
            ("Address line 2", "line2"),
            ("City", "city"),
            ("ZIP code", "zip"),
        ):
            fs.add(b.field(label, f"{prefix}_{name}", placeholder=label if b.rng.random() < 0.3 else None))
        root.add(fs)
    pay = b.el("fieldset", "field.group")
    pay.add(b.el("legend", "label", "Payment method", kind="text"))
    methods = b.el("div", "field.radios")
    for method in ["Card", "PayPal", "Bank transfer"]:
        r = b.el("input", "toggle", kind="toggle", control=True, type="radio", name="method", value=slugify(method))
        methods.add(b.el("label", "label", method).add(r))
    pay.add(methods)
    pay.add(
        b.field("Card number", "card_number", placeholder="1234 1234 1234 1234"),
        b.field("Security code", "cvc", type_="password"),
    )
    months = [f"{m:02d}" for m in range(1, 13)]
    pay.add(
        b.select(
            "Expiry month", "expiry_month", [(m, m) for m in months], human_id="expiry-month", test_id="expiry-select"
        )
    )
    root.add(pay)
    root.add(b.field("Order notes", "order_notes", textarea=True))
    root.add(b.checkbox("Save this card for next time", "save_card"), b.checkbox("Email me the receipt", "receipt"))
    actions = b.el("div", "item.actions")
    actions.add(
        b.button("Back to cart", "secondary"),
        b.button("Apply coupon", "link"),
        b.button(b.rng.choice(["Place order", "Pay now", "Confirm purchase"]), slug="place-order", type="submit"),
    )
    root.add(actions)
    return root


def orders(b: Builder) -> Node:
    root = b.el("section", "container")
    bar = b.el("div", "nav.toolbar")
    bar.add(
        b.heading(1, b.rng.choice(["Orders", "Recent orders", "Sales"])),
        b.field("Filter", "filter", placeholder="Order number or customer"),
        b.button("New order"),
        b.button("Download CSV", "secondary"),
    )
    root.add(bar)
    tbl = b.el("table", "card.table")
    head = b.el("tr", "row.head")
    for col in ["Order", "Customer", "Email", "Date", "Total", "Status", ""]:
        head.add(b.el("th", "cell.head", col, kind="text" if col else ""))
    tbl.add(b.el("thead").add(head))
    body = b.el("tbody")
    per_row_ids = b.rng.random() < 0.5
    for _ in range(b.rng.randint(12, 30)):
        number = b.rng.randint(10000, 99999)
        name, email = person(b.rng)
        tr = b.el("tr", "row")
        tr.add(
            b.el("td", "cell", f"#{number}", kind="text"),
            b.el("td", "cell", name, kind="text"),
            b.el("td", "cell", email, kind="text"),
            b.el("td", "cell", f"{b.rng.randint(1, 28)} {b.rng.choice(['Jan', 'Feb', 'Mar', 'Apr'])}"),
            b.el("td", "cell", f"${b.rng.randint(5, 900)}.{b.rng.randint(0, 99):02d}", kind="text"),
            b.el("td", "cell").add(b.el("span", "badge", b.rng.choice(["Paid", "Pending", "Refunded"]), kind="text")),
        )
        actions = b.el("td", "cell.actions")
        actions.add(b.link("View", f"/orders/{number}", slug=f"view-order-{number}" if per_row_ids else "view-order"))
        for verb, variant in (("Refund", "secondary"), ("Cancel", "danger")):
            slug = f"{verb.lower()}-{number}" if per_row_ids else f"{verb.lower()}-order"
            actions.add(b.row_button(verb, variant, slug=slug, aria_label=f"{verb} order {number}"))
        tr.add(actions)
        body.add(tr)
    tbl.add(body)
    root.add(tbl)
    pager = b.el("nav", "nav.pagination")
    pager.add(b.button("Load more", "secondary"), b.el("span", "text", f"Showing {b.rng.randint(12, 30)} orders"))
    root.add(pager)
    return root


KINDS: dict[str, Callable[[Builder], Node]] = {
    "login": login,
    "table": table,
    "form": form,
    "navigation": navigation,
    "modal": modal,
    "card_grid": card_grid,
    "settings": settings,
    "search_results": search_results,
    "pricing": pricing,
    "comments": comments,
    "dashboard": dashboard,
    "faq": faq,
    "team": team,
    "inbox": inbox,
    "kanban": kanban,
    "checkout": checkout,
    "orders": orders,
}


# --- page chrome ------------------------------------------------------------------------------------


def build_page(b: Builder, kind: str, *, size: int = 2000) -> Node:
    """body > header + div(layout: aside + main) + footer, filled with related lists up to `size`."""
    body = Node("body")
    header = b.el("header", "nav.header")
    header.add(b.el("a", "link.logo", "Acme", href="/"))
    top = b.el("nav", "nav", aria_label="Main")
    for topic in TOPICS[:7]:
        top.add(b.el("a", "link", topic, href=f"/{slugify(topic)}"))
    header.add(top, b.el("input", "input", type="search", placeholder="Search", name="site_search"))
    main = b.el("main", "container.main")
    main.add(KINDS[kind](b))
    aside = b.el("aside", "nav.sidebar")
    layout = b.el("div", "container.layout").add(aside, main)
    footer = b.el("footer", "container.footer")
    body.add(header, layout, footer)
    # Fill: sidebar link lists, a related-articles block in main, footer columns.
    sinks = [aside, main, footer]
    n = 0
    total = body.count()
    while total < size - 6:
        sink = sinks[n % 3]
        n += 1
        block = b.el("section", "card.related")
        block.add(b.el("h4", "heading", b.rng.choice(TOPICS)))
        ul = b.el("ul", "list")
        total += 3
        for _ in range(b.rng.randint(4, 10)):
            if total >= size - 3:
                break
            total += 3
            topic = b.rng.choice(TOPICS)
            li = b.el("li", "item")
            href = f"/{slugify(topic)}/{b.rng.randint(1, 999)}"
            li.add(
                b.el("a", "link", f"{topic} {b.words(3).lower()}", href=href),
                b.el("span", "text", f"{b.rng.randint(1, 28)} Mar"),
            )
            ul.add(li)
        block.add(ul)
        sink.add(block)
    return body
