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


# Playwright's :text-is(v) matches an element one of whose runs of direct text (the text between its
# child elements), whitespace-normalised, is exactly v, and none of whose child elements matches too.
# So it names an element only when all of its text is its own: a cell whose text a redesign wrapped
# in a <div> is not matched by td:text-is, whatever the cell's text.


def _holds_own_text(c: dict) -> bool:
    return c.get("own_text") == c.get("text")


def _text_is(c: dict, tag: str, text: str) -> bool:
    """Whether `tag:text-is(text)` may match candidate `c`: its own text is `text`, or it holds several
    runs of its own text (a child element between them) of which one might be `text`."""
    if c.get("tag") != tag:
        return False
    own = c.get("own_text") or ""
    return own == text or (text in own and not _holds_own_text(c))


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
    if text and len(text) <= 80 and _holds_own_text(fp) and _count(candidates, lambda c: _text_is(c, tag, text)) == 1:
        yield f"{tag}:text-is({_css_str(text)})"
    if SHADOW_STEP not in fp["xpath"]:
        yield f"xpath={fp['xpath']}"


def best_locator(fp: dict, candidates: Sequence[dict], *, rejected: frozenset[str] = frozenset()) -> str | None:
    """The first unique selector for `fp` that the caller has not rejected, or None."""
    for loc in locator_options(fp, candidates):
        if loc not in rejected:
            return loc
    return None
