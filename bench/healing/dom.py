"""A tiny HTML tree for the benchmark's page generator: build, mutate, render.

The generator's ground truth lives here, on `Node.target`, which is rendered as a
`data-bench-target` attribute that the benchmark removes inside the page (and remembers as a JS
reference) before anything is captured: the healer never sees it.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field

VOID = {"input", "img", "br", "hr", "meta", "link"}
TARGET_ATTR = "data-bench-target"


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    # Bookkeeping (never rendered as such): what the generator may pick as a target, and which node is it.
    kind: str = ""  # "action", "input", "toggle", "text", "" = not targetable
    concept: str = ""  # style concept the classes came from (e.g. "button.primary")
    target: bool = False
    # A <label> whose `for` named the target until a mutation removed the target's id: still the target's label
    # on screen, and deleted with it.
    labels_target: bool = False
    # The target's text was reworded: the copy edit changed its words, not only their case or punctuation
    # ("Delete" -> "Remove", "Save" -> "Save changes").
    reworded: bool = False

    def add(self, *kids: Node | str) -> Node:
        self.children.extend(kids)
        return self

    def elements(self) -> Iterator[Node]:
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.elements()

    def text(self) -> str:
        out = []
        for c in self.children:
            out.append(c if isinstance(c, str) else c.text())
        return " ".join(" ".join(out).split())

    def own_text(self) -> str:
        return " ".join(" ".join(c for c in self.children if isinstance(c, str)).split())

    def set_own_text(self, value: str) -> None:
        kids = [c for c in self.children if isinstance(c, Node)]
        self.children = [value, *kids]

    def copy(self) -> Node:
        return Node(
            self.tag,
            dict(self.attrs),
            [c if isinstance(c, str) else c.copy() for c in self.children],
            self.kind,
            self.concept,
            self.target,
            self.labels_target,
            self.reworded,
        )

    def count(self) -> int:
        return sum(1 for _ in self.elements())


def parent_map(root: Node) -> dict[int, Node]:
    out: dict[int, Node] = {}
    for n in root.elements():
        for c in n.children:
            if isinstance(c, Node):
                out[id(c)] = n
    return out


def find_target(root: Node) -> Node | None:
    for n in root.elements():
        if n.target:
            return n
    return None


def render(node: Node) -> str:
    parts: list[str] = []
    _render(node, parts)
    return "".join(parts)


def _render(node: Node, out: list[str]) -> None:
    attrs = "".join(f' {k}="{html.escape(v, quote=True)}"' for k, v in node.attrs.items() if v is not None)
    if node.target:
        attrs += f' {TARGET_ATTR}="1"'
    out.append(f"<{node.tag}{attrs}>")
    if node.tag in VOID:
        return
    for c in node.children:
        if isinstance(c, str):
            out.append(html.escape(c, quote=False))
        else:
            _render(c, out)
    out.append(f"</{node.tag}>")
