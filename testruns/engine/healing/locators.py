"""Build a robust Playwright selector for a chosen element.

Preference follows what survives redesigns best (test ids, human-chosen ids and names, then the
accessible text), and every choice is checked for uniqueness against the full candidate list the
healer was given (every element of the page), so the selector resolves to exactly one element. The
absolute XPath is the last resort: unique by construction, brittle by nature, and impossible inside a
web component's shadow root, where only the CSS and text selectors (which Playwright resolves through
open shadow roots) can address an element.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence

from .capture import SHADOW_STEP
from .similarity import is_generated

TEST_ID_ATTRS = ("data-testid", "data-test-id", "data-test", "data-qa", "data-cy")


def _css_str(value: str) -> str:
    # A JSON string is a valid CSS string for everything a page realistically puts in an attribute.
    return json.dumps(value, ensure_ascii=False)


def _count(candidates: Sequence[dict], pred: Callable[[dict], bool]) -> int:
    n = 0
    for c in candidates:
        if pred(c):
            n += 1
            if n > 1:
                break
    return n


def locator_options(fp: dict, candidates: Sequence[dict]) -> Iterator[str]:
    """Every unique selector for `fp`, best first; the XPath fallback, when there is one, is last.

    Lazily: checking one for uniqueness reads every element of the page, so a caller that wants the
    first usable one stops there.
    """
    tag = fp.get("tag") or "*"
    for attr in TEST_ID_ATTRS:
        value = (fp.get("test_ids") or {}).get(attr)
        if value and _count(candidates, lambda c, a=attr, v=value: (c.get("test_ids") or {}).get(a) == v) == 1:
            yield f"[{attr}={_css_str(value)}]"
    el_id = fp.get("id") or ""
    if el_id and not is_generated(el_id) and _count(candidates, lambda c: c.get("id") == el_id) == 1:
        yield f"[id={_css_str(el_id)}]"
    name = fp.get("name") or ""
    if name and _count(candidates, lambda c: c.get("tag") == tag and c.get("name") == name) == 1:
        yield f"{tag}[name={_css_str(name)}]"
    for attr in ("placeholder", "alt", "href"):
        value = fp.get(attr) or ""
        if value and _count(candidates, lambda c, a=attr, v=value: c.get("tag") == tag and c.get(a) == v) == 1:
            yield f"{tag}[{attr}={_css_str(value)}]"
    text = fp.get("text") or ""
    # Playwright's :text-is matches the element's whole normalised text exactly; nested wrappers with
    # the same text would also match, which the uniqueness count over same-tag elements accounts for.
    if text and len(text) <= 80 and _count(candidates, lambda c: c.get("tag") == tag and c.get("text") == text) == 1:
        yield f"{tag}:text-is({_css_str(text)})"
    if SHADOW_STEP not in fp["xpath"]:
        yield f"xpath={fp['xpath']}"


def best_locator(fp: dict, candidates: Sequence[dict], *, rejected: frozenset[str] = frozenset()) -> str | None:
    """The first unique selector for `fp` that the caller has not rejected, or None."""
    for loc in locator_options(fp, candidates):
        if loc not in rejected:
            return loc
    return None
