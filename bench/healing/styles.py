"""Styling conventions: how a page names its classes, ids and test ids.

- semantic: BEM-ish human classes (`btn btn-primary`), human ids, test ids on many controls.
- utility: Tailwind-style utility classes shared by many elements, few ids.
- cssinjs: hashed classes from emotion (`css-1q2w3e4`) or styled-components (`sc-AxjAm kKjHqG`) that
  change on every build, almost no ids.
- generated: component-library classes (`MuiButton-root`) plus framework-minted ids (`:r3:`,
  `mui-1042`, `ember217`) on controls and labels.
"""

from __future__ import annotations

import hashlib
import random

STYLES = ("semantic", "utility", "cssinjs", "generated")

_UTILITY = {
    "button": ["inline-flex", "items-center", "px-4", "py-2", "rounded-md", "text-sm", "font-medium"],
    "link": ["text-indigo-600", "hover:underline", "text-sm"],
    "input": ["block", "w-full", "rounded-md", "border", "border-gray-300", "px-3", "py-2"],
    "label": ["block", "text-sm", "font-medium", "text-gray-700"],
    "card": ["rounded-lg", "border", "p-4", "shadow-sm", "bg-white"],
    "heading": ["text-xl", "font-semibold", "text-gray-900"],
    "text": ["text-sm", "text-gray-600"],
    "row": ["border-b", "hover:bg-gray-50"],
    "cell": ["px-4", "py-2", "text-sm"],
    "list": ["space-y-2"],
    "item": ["flex", "items-center", "gap-2"],
    "container": ["mx-auto", "max-w-7xl", "px-4"],
    "field": ["mb-4"],
    "nav": ["flex", "gap-4"],
    "badge": ["inline-block", "rounded-full", "px-2", "text-xs"],
    "toggle": ["h-4", "w-4", "rounded"],
}
_UTILITY_VARIANT = {
    "primary": ["bg-indigo-600", "text-white", "hover:bg-indigo-700"],
    "secondary": ["bg-white", "text-gray-700", "border"],
    "danger": ["bg-red-600", "text-white"],
    "link": ["text-indigo-600"],
}
_MUI_NAMES = {
    "button": "Button",
    "link": "Link",
    "input": "InputBase",
    "label": "FormLabel",
    "card": "Card",
    "heading": "Typography",
    "text": "Typography",
    "row": "TableRow",
    "cell": "TableCell",
    "list": "List",
    "item": "ListItem",
    "container": "Container",
    "field": "FormControl",
    "nav": "Toolbar",
    "badge": "Chip",
    "toggle": "Switch",
}

_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
_MIXED = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _hash(text: str, alphabet: str, n: int) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:n])


class Style:
    """Names classes, ids and test ids for one page in one convention, reproducibly from a seed."""

    def __init__(self, name: str, rng: random.Random, build: str) -> None:
        self.name = name
        self.rng = rng
        self.build = build  # the "build": hashed class names depend on it; a rebuild re-hashes them
        self.flavour = rng.choice(["emotion", "styled"]) if name == "cssinjs" else ""
        self.id_counter = rng.randint(1, 2000)
        self.p_testid = {"semantic": 0.5, "utility": 0.35, "cssinjs": 0.3, "generated": 0.3}[name]
        self.p_human_id = {"semantic": 0.7, "utility": 0.3, "cssinjs": 0.1, "generated": 0.05}[name]

    def classes(self, concept: str, build: str | None = None) -> str:
        if not concept:
            return ""
        build = self.build if build is None else build
        base, _, variant = concept.partition(".")
        if self.name == "semantic":
            out = [base] + ([f"{base}-{variant}"] if variant else [])
            return " ".join(out)
        if self.name == "utility":
            out = list(_UTILITY.get(base, ["flex"]))
            out += _UTILITY_VARIANT.get(variant, [])
            return " ".join(out)
        if self.name == "cssinjs":
            if self.flavour == "emotion":
                return f"css-{_hash(concept + build, _ALNUM, 7)}"
            return f"sc-{_hash(concept + build, _MIXED, 5)} {_hash(concept + build + '2', _MIXED, 6)}"
        mui = _MUI_NAMES.get(base, "Box")
        out = [f"Mui{mui}-root"] + ([f"Mui{mui}-{variant}"] if variant else [])
        out.append(f"css-{_hash(concept + build, _ALNUM, 6)}")
        return " ".join(out)

    def element_id(self, human: str | None, *, control: bool) -> str | None:
        """A human id (kept with the style's probability), a framework-minted id, or none."""
        if self.name == "generated" and control and self.rng.random() < 0.8:
            self.id_counter += self.rng.randint(1, 3)
            kind = self.rng.choice(["react", "mui", "ember"])
            if kind == "react":
                return f":r{_hash(str(self.id_counter), _ALNUM[:36], 2)}:"
            if kind == "mui":
                return f"mui-{self.id_counter}"
            return f"ember{self.id_counter}"
        if human and self.rng.random() < self.p_human_id:
            return human
        return None

    def test_id(self, human: str | None) -> str | None:
        if human and self.rng.random() < self.p_testid:
            return human
        return None
