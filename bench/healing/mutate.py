"""Mutations: what an app change does to a step's target (and around it).

Each mutation family has an applicability test and an operation on the "after" tree. The target is
tracked by the `Node.target` flag, which a deep copy keeps and a decoy copy clears.
"""

from __future__ import annotations

import random
import re

from .dom import Node, find_target, parent_map
from .styles import Style

FAMILIES = (
    "id",
    "name",
    "test_id",
    "classes",
    "text",
    "tag",
    "wrap",
    "move",
    "reorder",
    "decoy",
    "delete",
    "delete_decoy",
)
DELETIONS = ("delete", "delete_decoy")
# The test-id attributes the generator writes: `data-testid`, and `data-test` after a migration.
TEST_ID_ATTRS = ("data-testid", "data-test")

_SYNONYMS = {
    "sign in": "log in",
    "log in": "sign in",
    "continue": "next",
    "delete": "remove",
    "edit": "modify",
    "save": "save changes",
    "submit": "send",
    "cancel": "dismiss",
    "search": "find",
    "reply": "respond",
    "details": "view details",
    "add to cart": "add to bag",
    "export": "download",
    "create an account": "sign up",
    "forgot password?": "reset password",
    "send message": "send",
    "post comment": "post",
    "get started": "start now",
    "view": "open",
    "refresh": "reload",
    "more": "more actions",
    "remember me": "keep me signed in",
    "password": "your password",
    "email address": "email",
    "new report": "create report",
    "rename": "rename item",
    "archive": "move to archive",
}
_QUALIFIERS = ["all", "draft", "with SSO", "(beta)", "later", "again", "selected", "copy", "for team"]
_SIBLING_ACTIONS = ["Preview", "Back", "Skip", "Learn more", "Reset", "Undo", "Share", "Help", "Close", "Print"]
_ID_SWAPS = {
    "login": "signin",
    "submit": "send",
    "button": "btn",
    "input": "field",
    "form": "panel",
    "email": "mail",
    "password": "passwd",
    "delete": "remove",
    "edit": "update",
    "save": "persist",
}


def unit_of(node: Node, parents: dict[int, Node]) -> Node:
    """A control wrapped in its label moves, copies and disappears together with that label."""
    parent = parents.get(id(node))
    if parent is not None and parent.tag == "label":
        return parent
    return node


def is_record(node: Node, parents: dict[int, Node]) -> bool:
    """One of a list's records: a card among cards, a row among rows (a sibling of the same tag and style)."""
    parent = parents.get(id(node))
    return (
        bool(node.concept)
        and parent is not None
        and any(
            isinstance(c, Node) and c is not node and c.tag == node.tag and c.concept == node.concept
            for c in parent.children
        )
    )


def _rename_ident(value: str, rng: random.Random) -> str:
    m = re.fullmatch(r":r([0-9a-z]+):", value)
    if m:
        return f":r{rng.choice('abcdefghijklmnopqrstuvwxyz')}{rng.randint(0, 9)}:"
    m = re.fullmatch(r"(mui-|ember)([0-9]+)", value)
    if m:
        return f"{m.group(1)}{int(m.group(2)) + rng.randint(3, 400)}"
    tokens = re.split(r"([-_])", value)
    swapped = [(_ID_SWAPS.get(t, t)) for t in tokens]
    choice = rng.random()
    if swapped != tokens and choice < 0.5:
        return "".join(swapped)
    if choice < 0.75:
        return f"{value}-{rng.choice(['v2', 'new', 'main', 'primary'])}"
    # camelCase rewrite: first_name -> firstName, login-submit -> loginSubmit
    parts = [t for t in re.split(r"[-_]", value) if t]
    return parts[0] + "".join(p.capitalize() for p in parts[1:]) if len(parts) > 1 else f"{value}2"


def _edit_text(text: str, rng: random.Random) -> str:
    """A copy edit that keeps the meaning: a synonym, a case or punctuation change, a dropped word."""
    low = text.lower()
    if low in _SYNONYMS and rng.random() < 0.6:
        new = _SYNONYMS[low]
        return new[0].upper() + new[1:] if text[:1].isupper() else new
    words = text.split()
    r = rng.random()
    if len(words) > 2 and r < 0.4:
        i = rng.randrange(1, len(words))
        return " ".join(words[:i] + words[i + 1 :])
    if r < 0.7:
        return text.title() if text != text.title() else text.upper()
    return text.rstrip(".!?") + rng.choice(["!", "...", ":", " \u2192"])


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def same_words(a: str, b: str) -> bool:
    return _words(a) == _words(b)


def _text_holder(t: Node, root: Node) -> Node | None:
    """The node whose own text carries the target's visible text (itself, a child, or its label)."""
    if t.own_text():
        return t
    if t.tag != "select":  # a select's options are its choices, not its name: its label carries that
        for n in t.elements():
            if n is not t and n.own_text():
                return n
    if "id" in t.attrs:
        for n in root.elements():
            if n.tag == "label" and n.attrs.get("for") == t.attrs["id"] and n.own_text():
                return n
    parent = parent_map(root).get(id(t))
    if parent is not None and parent.tag == "label" and parent.own_text():
        return parent
    return None


# Elements whose children can only be table parts: the HTML parser moves anything else out of the table
# ("foster parenting"), so a mutation that put a <div> there would move the target out of its row.
_TABLE_PARTS = frozenset({"table", "thead", "tbody", "tfoot", "tr"})

_TAG_SWAPS = {
    "button": "a",
    "a": "button",
    "h1": "h2",
    "h2": "h3",
    "h3": "h2",
    "h4": "h5",
    "span": "strong",
    "strong": "span",
    "li": "div",
    "th": "td",
    "td": "th",
    "p": "div",
    "summary": "button",
}


def applicable(fam: str, root: Node, t: Node) -> bool:
    if fam == "id":
        return "id" in t.attrs
    if fam == "name":
        return "name" in t.attrs and t.attrs.get("type") != "radio"
    if fam == "test_id":
        return "data-testid" in t.attrs
    if fam == "classes":
        return bool(t.concept)
    if fam == "text":
        return _text_holder(t, root) is not None
    if fam == "tag":
        return t.tag in _TAG_SWAPS or (t.tag == "input" and t.attrs.get("type") in ("text", "email", "search"))
    if fam in ("wrap", "move", "decoy", "delete", "delete_decoy"):
        return True
    if fam == "reorder":
        parents = parent_map(root)
        node = t
        for _ in range(3):
            node = parents.get(id(node))
            if node is None:
                return False
            if sum(isinstance(c, Node) for c in node.children) >= 2:
                return True
        return False
    raise ValueError(fam)


def decoy_of(t: Node, root: Node, rng: random.Random, style: Style | None = None) -> Node:
    """A look-alike: same tag, classes and place, a related but different text and other identifiers."""
    parents = parent_map(root)
    unit = unit_of(t, parents)
    copy = unit.copy()
    for n in copy.elements():
        n.target = False
    ctl = copy if unit is t else next(n for n in copy.elements() if n.kind)
    if style is not None and ctl.concept and rng.random() < 0.5:
        # Look-alikes are often the same component in another variant (a secondary button beside a primary).
        base, _, variant = ctl.concept.partition(".")
        others = [v for v in ("primary", "secondary", "link", "danger") if v != variant]
        ctl.concept = f"{base}.{rng.choice(others)}"
        cls = style.classes(ctl.concept)
        if cls:
            ctl.attrs["class"] = cls
    holder = _text_holder(ctl, copy) or (copy if copy.own_text() else None)
    old_text = holder.own_text() if holder is not None else ""
    # Half the look-alikes qualify the old label ("Sign in with SSO"), half are a sibling action of the
    # same component ("Preview" beside "Post comment"). Either way its words differ from the old label's:
    # "Beta features (beta)" or a "Close" beside "Close" would be the same words, not a look-alike.
    qual = rng.choice([q for q in _QUALIFIERS if not _words(q) <= _words(old_text)])
    siblings = [a for a in _SIBLING_ACTIONS if _words(a) != _words(old_text)]
    sibling = rng.choice(siblings) if rng.random() < 0.5 else None
    new_text = sibling or f"{old_text} {qual}"
    if holder is not None:
        holder.set_own_text(new_text)
    for attr in ("aria-label", "placeholder"):
        if attr in ctl.attrs:
            value = ctl.attrs[attr]
            ctl.attrs[attr] = value.replace(old_text, sibling) if sibling and old_text in value else f"{value} {qual}"
    if "id" in ctl.attrs:
        ctl.attrs["id"] = f"{ctl.attrs['id']}-{slug(qual)}"
        for n in copy.elements():
            if n.tag == "label" and "for" in n.attrs:
                n.attrs["for"] = ctl.attrs["id"]
    for attr in TEST_ID_ATTRS:  # `data-test` too, once a test-id mutation has migrated the convention
        if attr in ctl.attrs:
            if rng.random() < 0.5:
                ctl.attrs[attr] = f"{ctl.attrs[attr]}-{slug(qual)}"
            else:
                del ctl.attrs[attr]
    if "name" in ctl.attrs and ctl.attrs.get("type") != "radio":
        ctl.attrs["name"] = f"{ctl.attrs['name']}_{slug(qual).replace('-', '_')}"
    if "href" in ctl.attrs:
        ctl.attrs["href"] = f"{ctl.attrs['href']}/{slug(qual)}"
    return copy


def slug(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split()) or "x"


def apply(fam: str, root: Node, style: Style, rng: random.Random) -> None:
    t = find_target(root)
    assert t is not None
    parents = parent_map(root)
    if fam == "id":
        old = t.attrs["id"]
        if rng.random() < 0.5:
            del t.attrs["id"]
            new = None
        else:
            new = _rename_ident(old, rng)
            t.attrs["id"] = new
        for n in root.elements():
            if n.tag == "label" and n.attrs.get("for") == old:
                if new is None:
                    del n.attrs["for"]  # the label loses its association, as it would in the app
                    n.labels_target = True
                else:
                    n.attrs["for"] = new
    elif fam == "name":
        if rng.random() < 0.4:
            del t.attrs["name"]
        else:
            t.attrs["name"] = _rename_ident(t.attrs["name"], rng)
    elif fam == "test_id":
        r = rng.random()
        if r < 0.4:
            del t.attrs["data-testid"]
        elif r < 0.6:
            t.attrs["data-test"] = t.attrs.pop("data-testid")  # test-id convention migrated
        else:
            t.attrs["data-testid"] = _rename_ident(t.attrs["data-testid"], rng)
    elif fam == "classes":
        _reclass(root, t, style, rng)
    elif fam == "text":
        holder = _text_holder(t, root)
        assert holder is not None
        old = holder.own_text()
        new = _edit_text(old, rng)
        holder.set_own_text(new)
        t.reworded = t.reworded or not same_words(old, new)
        for n in (t, holder):
            if "aria-label" in n.attrs and old in n.attrs["aria-label"]:
                n.attrs["aria-label"] = n.attrs["aria-label"].replace(old, new)
    elif fam == "tag":
        _swap_tag(t)
    elif fam == "wrap":
        parent = parents[id(t)]
        unit = unit_of(t, parents)
        holder = parents[id(unit)]
        kids = [c for c in parent.children if isinstance(c, Node)]
        grand = parents.get(id(parent))
        # A table cell is not a wrapper: without it, its content would sit in the row, where the browser
        # moves it out of the table (see _TABLE_PARTS).
        can_unwrap = (
            parent.tag in ("div", "span", "section", "li") and len(kids) <= 2 and grand is not None and unit is t
        )
        if can_unwrap and rng.random() < 0.5:
            i = grand.children.index(parent)
            grand.children[i : i + 1] = parent.children
        else:
            wrapper = Node(rng.choice(["div", "span", "div"]), concept="item.wrap")
            cls = style.classes("item.wrap")
            if cls:
                wrapper.attrs["class"] = cls
            if holder.tag in _TABLE_PARTS:
                # A cell (or row) cannot be wrapped in a <div>: its content is, as a redesign would.
                wrapper.children, unit.children = unit.children, [wrapper]
            else:
                i = holder.children.index(unit)
                wrapper.children.append(unit)
                holder.children[i] = wrapper
    elif fam == "move":
        # Redesigns move a control within its own component (a card's footer to its header, a form's
        # button row to the top): the destination is another container under the same nearby ancestor,
        # or a new container there when there is none. Never out of its record: a product card's
        # "Details" put into the next card is that product's link, not the same one moved.
        unit = unit_of(t, parents)
        holder = parents[id(unit)]
        inside = {id(n) for n in unit.elements()}
        scope = holder
        for _ in range(2):
            up = parents.get(id(scope))
            if up is None or up.tag == "main" or is_record(scope, parents):
                break
            scope = up
        options = [
            n
            for n in scope.elements()
            if n.tag in ("div", "section", "form", "article", "fieldset", "li", "td", "header", "footer", "nav")
            and id(n) not in inside
            and n is not holder
        ]
        if options and rng.random() < 0.7:
            dest = rng.choice(options)
        else:
            # A new container in a table row is a new cell (a <div> there would be moved out of the table).
            dest = Node("td" if scope.tag == "tr" else "div", concept="item.moved")
            cls = style.classes("item.moved")
            if cls:
                dest.attrs["class"] = cls
            scope.children.insert(rng.randint(0, len(scope.children)), dest)
        holder.children.remove(unit)
        dest.children.insert(rng.randint(0, len(dest.children)), unit)
    elif fam == "reorder":
        node = t
        for _ in range(3):
            node = parents[id(node)]
            kids = [c for c in node.children if isinstance(c, Node)]
            if len(kids) >= 2:
                break
        before = list(node.children)
        for _ in range(10):
            rng.shuffle(node.children)
            if node.children != before:
                break
    elif fam == "decoy":
        unit = unit_of(t, parents)
        holder = parents[id(unit)]
        i = holder.children.index(unit)
        holder.children.insert(i + rng.randint(0, 1), decoy_of(t, root, rng, style))
    elif fam in ("delete", "delete_decoy"):
        unit = unit_of(t, parents)
        holder = parents[id(unit)]
        i = holder.children.index(unit)
        if fam == "delete_decoy":
            holder.children[i] = decoy_of(t, root, rng, style)
        else:
            del holder.children[i]
        # The deleted control's label goes with it, whether its `for` still names the control or an earlier
        # change of the control's id left it naming nothing.
        for n in list(root.elements()):
            if n.tag == "label" and (n.labels_target or ("id" in t.attrs and n.attrs.get("for") == t.attrs["id"])):
                p = parent_map(root).get(id(n))
                if p is not None:
                    p.children.remove(n)
    else:
        raise ValueError(fam)


def _swap_tag(t: Node) -> None:
    if t.tag == "input":
        t.tag = "textarea"
        t.attrs.pop("type", None)
        return
    new = _TAG_SWAPS[t.tag]
    if new == "a":
        t.attrs.pop("type", None)
        t.attrs["href"] = "#"
    if t.tag == "a" and new == "button":
        t.attrs.pop("href", None)
        t.attrs["type"] = "button"
    t.tag = new


def _reclass(root: Node, t: Node, style: Style, rng: random.Random) -> None:
    if style.name in ("cssinjs", "generated"):
        # A new build: every hashed class name on the page changes.
        build = f"{style.build}-r{rng.randint(0, 10**6)}"
        for n in root.elements():
            if n.concept and "class" in n.attrs:
                n.attrs["class"] = style.classes(n.concept, build)
        style.build = build
        return
    concept = t.concept
    if style.name == "semantic":
        base, _, variant = concept.partition(".")
        renamed = rng.choice([f"{base}--{variant}" if variant else f"{base}-x", f"c-{base}", f"ui-{base}"])
        new = " ".join([f"ui-{base}", renamed])
    else:
        tokens = (t.attrs.get("class") or "").split()
        swaps = {
            "px-4": "px-5",
            "py-2": "py-2.5",
            "rounded-md": "rounded-lg",
            "text-sm": "text-base",
            "bg-indigo-600": "bg-blue-600",
            "border": "border-2",
            "p-4": "p-6",
            "flex": "inline-flex",
        }
        new_tokens = [swaps.get(x, x) for x in tokens] + [rng.choice(["shadow", "ring-1", "transition"])]
        new = " ".join(new_tokens)
    for n in root.elements():
        if n.concept == concept:
            n.attrs["class"] = new
