"""Kinds of role: which ARIA roles a redesign may swap for one another (a button become a link).

One rule for the capture (which counts the old page's look-alikes by it, in the browser) and the healer
(which compares candidates by it).
"""

from __future__ import annotations

ROLE_FAMILY: dict[str, str] = {
    "button": "activate",
    "link": "activate",
    "menuitem": "activate",
    "tab": "activate",
    "menuitemcheckbox": "toggle",
    "menuitemradio": "toggle",
    "checkbox": "toggle",
    "radio": "toggle",
    "switch": "toggle",
    "textbox": "input",
    "searchbox": "input",
    "spinbutton": "input",
    "combobox": "input",
    "listbox": "choose",
    "slider": "input",
    "option": "option",
}


def role_family(role: str) -> str:
    """Interactive roles group by what a step can do with them; everything else is 'static'."""
    return ROLE_FAMILY.get(role, "static")


def roles_compatible(a: str, b: str) -> bool:
    """Whether an element of role `b` may stand in for one of role `a` (any two static roles may)."""
    return a == b or role_family(a) == role_family(b)
