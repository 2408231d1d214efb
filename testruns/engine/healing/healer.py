"""The healer: given the fingerprint of the element a step used to act on and every element of the
page as it is now, pick the same element again, or refuse.

Scoring is a weighted multi-attribute similarity in the Similo family (Nass et al., TOSEM 2023;
VON Similo, ICST 2023): each attribute the old element had contributes `weight * similarity`, and
the sum is normalised by the weights that were in play, so scores are comparable across elements
with few or many attributes. Names minted by frameworks (hashed CSS-in-JS classes, React/MUI/Ember
ids) are weak evidence: a mismatch is ignored (they change on every build) and a match counts
little. Values many elements of the page share (four "Save" buttons) weigh less than rare ones.
As in Kluge and Stocco (2025), a cheap first pass over every element is followed by a precise
re-ranking of the short list (edit distances over text and paths, weights re-scaled by how much
the best few disagree on each attribute).

A wrong heal hides a regression, so the healer abstains unless all of these hold: the best score
clears a threshold, it beats the runner-up by a margin, the element is visible, enabled and of a
role compatible with the old one, and either its surroundings (neighbouring texts) still match or
an identifier (test id, id, name) confirms it. The selector it returns matches that element alone.

Twins are what make a heal wrong, so the fingerprint also records the old page's look-alikes (the
same "Edit" in other rows): those recognised on the new page are set aside, and when all of them
are, the one candidate left with the old label or identifier is confirmed by elimination.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from . import meaning
from .locators import best_locator, locator_options
from .roles import role_family, roles_compatible
from .similarity import is_generated, jaccard, lcs_len, name_similarity, path_ratio, text_similarity, words

# Tuned on the benchmark's tuning split (bench/healing, seeds and page kinds disjoint from the
# held-out split the numbers are reported on): all 4,800 cases of seeds 0-4799 together. See docs/healing.md.
SCORE_THRESHOLD = 0.57
MARGIN = 0.13
SHORTLIST = 30
# Hybrid re-ranking: among the best few, attributes on which they all agree (every "Save" button in a
# list has the same tag, classes and text) say nothing about which one is meant, while those that
# differ (neighbouring texts, position) do. Weights are scaled by that spread before the final score.
RERANK_TOPK = 10
RERANK_BASE = 0.5
USE_RARITY = True  # the benchmark's workbench switches it off to measure what it adds
# Without a matching test id, id or name, a candidate whose neighbouring texts no longer match is
# too often a twin in another row or card (two comments with "Like (7)"): abstain.
CONTEXT_MIN = 0.5
# Likewise for a candidate whose visible label or accessible name no longer resembles the old one.
LABEL_MIN = 0.5
CONTEXT_ONLY_TWINS = True
ANCHOR = 0.5
HREF_ANCHOR = True
# When the old element has twins, the heading of its card or section (its `context`) must still match
# the best candidate's: otherwise it is the same control in another card.
HEADING_MIN = 0.5
RECORD_CHECK = True
NO_RIVAL_WHEN_CONFIRMED = True
HEADING_SETTLES = True
SHARED_ID_WEIGHT = 0.5
NESTED_NOT_RIVAL = True
RIVAL_POOL = 6
# Twins under one heading on the old page (two team cards that both read "Sophie Lovelace", each with a
# "Remove"): when fewer of them are left under that heading, the heading cannot say which one survived.
# Only for an element with an accessible name (nameless ones, a <strong> author, all "share" the name '').
CONTEXT_TWINS_GATE = True
# Where an element sits (its neighbours, card heading, path, position) tells apart twins with the same
# label; it should not let an element with another label outrank one that kept the old label but moved
# (a decoy dropped where the old button was). Placement evidence counts in proportion to how well the
# candidate's label matches, full from PLACEMENT_LABEL_FULL up, when one of the best few kept the label.
PLACEMENT_NEEDS_LABEL = True
PLACEMENT_LABEL_FULL = 0.9
_PLACEMENT = frozenset({"neighbor_texts", "context", "record", "xpath", "path", "location", "size"})
# The old page's look-alikes (fingerprint `look_alikes`: the same "Edit" in other rows, "Get started" in
# other tiers). A candidate that one of them matches best, and better than the old element by CLAIM_MARGIN,
# is that look-alike, still on the page: it is neither the element nor a rival to it.
CLAIM_MARGIN = 0.05
CLAIM_SHORTLIST = 4
CLAIMS = True
# With every look-alike of the old page accounted for (on record and each claimed a candidate), a twin is
# an unclaimed candidate among the best, rather than any value the page shares (rarity) or a number in the
# label. One look-alike not recognised may be the best candidate itself: then the old rules apply.
TWINS_FROM_LOOK_ALIKES = True
# Confirmation by elimination: when every look-alike the old page had is on record and each claimed a
# candidate of its own, the only unclaimed candidate with the old role and label (numbers set aside) is
# confirmed, like one carrying a page-unique test id: the label is how people name a control (Playwright's
# getByRole with a name), and it is unique on both pages. So is the only unclaimed one carrying the old
# test id, id or name: a test id every row's button shares names the row whose twins are all recognised.
# When the label and an identifier point at different candidates, neither is confirmed.
LABEL_CONFIRMS = True
IDENTIFIER_CONFIRMS = True
# Counting: the old page had the element and its look-alikes; when no more candidates read like it than
# there were look-alikes, one of them went away, and an unconfirmed best that reads like it may be a
# look-alike that stayed.
LOOK_ALIKE_COUNT = True
# A new wrapper with the same text as the element (a <span> put around a badge) may outscore it on tag or
# place; when the old element held its text itself, the candidate that does is the element.
HOLDER_OVER_WRAPPER = True
# The texts of the element's row or card (`record_texts`) are scored; the workbench switches it off to
# measure what it adds.
RECORDS = True
# A relabelled control ("Reply" now reads "Respond"): among the best candidates, a label whose words
# replaced the old ones is also compared by what it means (meaning.py), a cosine of
# MEANING_FLOOR or less counting as nothing and 1.0 as the same label. Not a label that only added or
# dropped words: "Save draft" beside a deleted "Save" is another control as often as "Save changes" is
# the same one, and meaning cannot tell them apart either.
LABEL_MEANING = True
MEANING_FLOOR = 0.5
# Only the best MEANING_TOPK are read (the reworded control is almost always among them, and each label
# read costs milliseconds), and of those only the ones a perfect label would bring within MEANING_REACH
# of the threshold (the re-ranking still moves scores a little).
MEANING_TOPK = 3
MEANING_REACH = 0.1

WEIGHTS: dict[str, float] = {
    "test_id": 3.0,
    "id": 2.0,
    "id_generated": 1.0,
    "name": 2.0,
    "tag": 0.5,
    "role": 0.75,
    "type": 0.25,
    "classes": 0.75,
    "classes_generated": 0.3,
    "text": 2.0,
    "accessible_name": 1.5,
    "label": 1.5,
    "placeholder": 1.0,
    "href": 1.0,
    "alt": 1.0,
    "title": 0.5,
    "xpath": 0.75,
    "path": 0.75,
    "neighbor_texts": 2.0,
    "context": 1.5,
    "record": 1.5,
    "location": 0.5,
    "size": 0.25,
}

_TAG_FAMILY = {
    "button": "activate", "a": "activate", "summary": "activate",
    "input": "input", "textarea": "input", "select": "input",
    "h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading", "h6": "heading",
    "td": "cell", "th": "cell",
    "div": "block", "section": "block", "article": "block", "p": "block", "span": "inline",
    "strong": "inline", "em": "inline", "b": "inline", "i": "inline", "label": "inline",
    "ul": "list", "ol": "list", "li": "item",
}


@dataclass
class HealDecision:
    healed: bool
    chosen: dict | None
    locator: str | None
    score: float
    runner_up_score: float
    top: list[dict] = field(default_factory=list)
    reason: str = ""
    # The score the margin is measured against: the best other candidate that is a real alternative
    # (see _rival). Usually the runner-up's score.
    rival_score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Target:
    """The old element's attributes, normalised once per heal."""

    def __init__(self, fp: dict) -> None:
        self.fp = fp
        self.tag = fp.get("tag") or ""
        self.role = fp.get("role") or ""
        self.test_ids = {k: v for k, v in (fp.get("test_ids") or {}).items() if v}
        self.test_id_values = frozenset(self.test_ids.values())
        self.id = fp.get("id") or ""
        self.id_generated = is_generated(self.id)
        self.name = fp.get("name") or ""
        self.type = fp.get("type") or ""
        classes = fp.get("classes") or []
        self.stable_classes = frozenset(c for c in classes if not is_generated(c))
        self.generated_classes = frozenset(c for c in classes if is_generated(c))
        self.text = fp.get("text") or ""
        self.text_words = words(self.text)
        # Any of the old text's words inside a text: a text without one shares no word with the old one.
        self.any_text_word = re.compile("|".join(map(re.escape, sorted(self.text_words)))) if self.text_words else None
        self.acc = fp.get("accessible_name") or ""
        self.label = screen_label(fp)
        self.placeholder = fp.get("placeholder") or ""
        self.href = fp.get("href") or ""
        self.alt = fp.get("alt") or ""
        self.title = fp.get("title") or ""
        self.xpath = fp.get("xpath") or ""
        self.path_sig = tuple(_node_sig(n) for n in fp.get("path") or [])
        self.neighbors = frozenset(t.lower() for t in fp.get("neighbor_texts") or [] if t)
        self.neighbor_words = frozenset().union(*(words(t) for t in self.neighbors)) if self.neighbors else frozenset()
        self.context = fp.get("context") or ""
        self.record = _record(fp) if RECORDS else frozenset()
        self.context_twins = int(fp.get("context_twins") or 0)
        rect = fp.get("rect") or {}
        self.x, self.y = rect.get("x", 0), rect.get("y", 0)
        self.w, self.h = rect.get("w", 0), rect.get("h", 0)
        self.has_rect = bool(rect) and (self.w > 0 or self.h > 0)


def _record(fp: dict) -> frozenset[str]:
    return frozenset(x.lower() for x in fp.get("record_texts") or [] if x)


def screen_label(fp: dict) -> str:
    """A form field's label as it reads on screen: its own, else a `<label>` beside it that labels nothing
    (its `for` lost the field's id), which the capture records as `detached_label`."""
    return fp.get("label") or fp.get("detached_label") or ""


def _shared_share(old_texts: frozenset[str], texts: list[str] | None) -> float:
    """The share of texts the old element's (lower-cased) set and a candidate's list have in common."""
    if not texts:
        return 0.0
    hits = sum(map(old_texts.__contains__, map(str.lower, texts)))
    return hits / max(len(old_texts), len(texts))


def _rough(t: _Target, c: dict) -> float:
    """First pass over every element: equality and small-set tests only, same weights, unnormalised.

    It only has to keep the right element inside the shortlist, so it leans on cheap evidence. It runs
    on every element of the page, so it reads each attribute once.
    """
    w = WEIGHTS
    get = c.get
    s = w["tag"] if get("tag") == t.tag else 0.0
    if get("role") == t.role:
        s += w["role"]
    if t.test_ids:
        c_ids = get("test_ids")
        if c_ids and not t.test_id_values.isdisjoint(c_ids.values()):
            s += w["test_id"]
    if t.id and get("id") == t.id:
        s += w["id_generated"] if t.id_generated else w["id"]
    if t.name and get("name") == t.name:
        s += w["name"]
    if t.text:
        text = get("text")
        if text == t.text:
            s += w["text"]
        elif (
            text and len(text) <= 3 * len(t.text) + 20
            and t.any_text_word is not None and t.any_text_word.search(text.lower())
        ):
            s += w["text"] * jaccard(t.text_words, words(text))
    if t.acc and get("accessible_name") == t.acc:
        s += w["accessible_name"]
    if t.label and screen_label(c) == t.label:
        s += w["label"]
    if t.placeholder and get("placeholder") == t.placeholder:
        s += w["placeholder"]
    if t.href and get("href") == t.href:
        s += w["href"]
    if t.stable_classes:
        classes = get("classes")
        if classes:
            s += w["classes"] * jaccard(t.stable_classes, frozenset(classes))
    if t.neighbors:
        s += w["neighbor_texts"] * _shared_share(t.neighbors, get("neighbor_texts"))
    if t.context and get("context") == t.context:
        s += w["context"]
    if t.record:
        s += w["record"] * _shared_share(t.record, get("record_texts"))
    if t.has_rect:
        rect = get("rect") or {}
        dist = abs(rect.get("x", 0) - t.x) + abs(rect.get("y", 0) - t.y)
        if dist < 400:
            s += w["location"] * (1.0 - dist / 400.0)
    return s


def _node_sig(node: dict) -> str:
    classes = sorted(c for c in node.get("classes") or [] if not is_generated(c))
    node_id = node.get("id") or ""
    return "|".join([node.get("tag") or "", "" if is_generated(node_id) else node_id, ".".join(classes)])


def _page_rarity(t: _Target, candidates: list[dict]) -> dict[str, float]:
    """Per attribute, a weight factor from how many same-tag elements on this page share the old value.

    Matching a value that four "Save" buttons share says little about which one is meant (an inverse
    document frequency over the page); a value no other element has keeps its full weight.
    """
    counts = dict.fromkeys(("text", "accessible_name", "test_id", "classes", "id", "name", "label", "href"), 0)
    classes = sorted(t.fp.get("classes") or [])
    for c in candidates:
        if c.get("tag") != t.tag:
            continue
        if t.text and c.get("text") == t.text:
            counts["text"] += 1
        if t.acc and c.get("accessible_name") == t.acc:
            counts["accessible_name"] += 1
        if t.test_ids:
            ids = c.get("test_ids")
            if ids and any(v in t.test_id_values for v in ids.values()):
                counts["test_id"] += 1
        if classes and sorted(c.get("classes") or []) == classes:
            counts["classes"] += 1
        if t.id and c.get("id") == t.id:
            counts["id"] += 1
        if t.name and c.get("name") == t.name:
            counts["name"] += 1
        if t.label and screen_label(c) == t.label:
            counts["label"] += 1
        if t.href and c.get("href") == t.href:
            counts["href"] += 1
    out = {k: (1.0 / n**0.5 if n >= 2 else 1.0) for k, n in counts.items()}
    out["classes_generated"] = out["classes"]
    # Which stable identifiers are unique on the page (anchors, see _anchored).
    was_unique = t.fp.get("unique") or {}
    # An identifier the old page shared among several elements (one test id on every card's button)
    # names a kind of element, not this one, however few copies the new page happens to keep.
    for k in ("test_id", "id", "name"):
        if was_unique.get(k) is False:
            out[k] = min(out[k], SHARED_ID_WEIGHT)
    out["_unique"] = frozenset(
        k
        for k in ("test_id", "id", "name")
        if counts[k] == 1 and not (k == "id" and t.id_generated) and was_unique.get(k, True)
    )
    # A link's address is chosen by people too (/activity/4821 names one row), but fingerprints older
    # than the `href` uniqueness flag do not say whether it was unique: only an explicit yes counts.
    if HREF_ANCHOR and t.href and counts["href"] == 1 and was_unique.get("href") is True and t.href != "#":
        out["_unique"] |= {"href"}
    return out


def _similarities(t: _Target, c: dict) -> tuple[dict[str, float], dict[str, str]]:
    """Per attribute the old element had: how similar the candidate is, and which WEIGHTS entry weighs it."""
    sims: dict[str, float] = {}
    weight_keys: dict[str, str] = {}

    def add(key: str, sim: float, weight_key: str = "") -> None:
        sims[key] = sim
        weight_keys[key] = weight_key or key

    if t.test_ids:
        # Compared across attribute names: a team migrating data-testid to data-test keeps the value.
        c_values = [v for v in (c.get("test_ids") or {}).values() if v]
        best = 0.0
        for value in c_values:
            if value in t.test_id_values:
                best = 1.0
                break
            for mine in t.test_id_values:
                best = max(best, name_similarity(mine, value) * 0.8)
        add("test_id", best)
    if t.id:
        cid = c.get("id") or ""
        if not t.id_generated:
            add("id", name_similarity(t.id, cid) if cid else 0.0)
        elif cid == t.id:
            # A minted id proves little when it differs (it changes every build) but rarely collides.
            add("id", 1.0, "id_generated")
    if t.name:
        add("name", name_similarity(t.name, c.get("name") or ""))
    ctag = c.get("tag") or ""
    if ctag == t.tag:
        tag_sim = 1.0
    elif _TAG_FAMILY.get(ctag, ctag) == _TAG_FAMILY.get(t.tag, t.tag):
        tag_sim = 0.5
    else:
        tag_sim = 0.0
    add("tag", tag_sim)
    crole = c.get("role") or ""
    add("role", 1.0 if crole == t.role else (0.6 if roles_compatible(crole, t.role) else 0.0))
    if t.type:
        add("type", 1.0 if (c.get("type") or "") == t.type else 0.0)
    if t.stable_classes or t.generated_classes:
        c_classes = c.get("classes") or []
        if t.stable_classes:
            stable = frozenset(x for x in c_classes if not is_generated(x))
            add("classes", jaccard(t.stable_classes, stable))
        if t.generated_classes:
            gen = frozenset(x for x in c_classes if is_generated(x))
            shared = jaccard(t.generated_classes, gen)
            if shared > 0:  # a re-hash changes them all, so only a match is evidence
                add("classes_generated", shared)
    if t.text:
        add("text", text_similarity(t.text, c.get("text") or "", precise=True))
    if t.acc:
        add("accessible_name", text_similarity(t.acc, c.get("accessible_name") or "", precise=True))
    if t.label:
        add("label", text_similarity(t.label, screen_label(c), precise=True))
    for key in ("placeholder", "alt", "title"):
        value = getattr(t, key)
        if value:
            add(key, text_similarity(value, c.get(key) or "", precise=True))
    if t.href:
        add("href", name_similarity(t.href, c.get("href") or ""))
    if t.neighbors:
        c_near = c.get("neighbor_texts") or []
        exact = jaccard(t.neighbors, frozenset(x.lower() for x in c_near if x))
        if exact < 1.0 and c_near:
            loose = jaccard(t.neighbor_words, frozenset().union(*(words(x) for x in c_near)))
            exact = max(exact, 0.8 * loose)
        add("neighbor_texts", exact)
    if t.context:
        # The heading of the enclosing card, column or fieldset: the same words on twin controls in
        # different cards are told apart by it.
        add("context", text_similarity(t.context, c.get("context") or "", precise=True))
    if t.record:
        # The texts of its row (or card): twin buttons in two rows are told apart by them.
        add("record", jaccard(t.record, _record(c)))
    cx = c.get("xpath") or ""
    add("xpath", path_ratio(t.xpath, cx) if "/" in cx else 0.0)
    c_path = tuple(_node_sig(n) for n in c.get("path") or [])
    if t.path_sig or c_path:
        add("path", _seq_similarity(t.path_sig, c_path))
    if t.has_rect:
        rect = c.get("rect") or {}
        dist = abs(rect.get("x", 0) - t.x) + abs(rect.get("y", 0) - t.y)
        add("location", max(0.0, 1.0 - dist / 400.0))
        cw, ch = rect.get("w", 0), rect.get("h", 0)
        area_t, area_c = t.w * t.h, cw * ch
        size = min(area_t, area_c) / max(area_t, area_c) if max(area_t, area_c) > 0 else 1.0
        add("size", size)
    return sims, weight_keys


def _scored(
    similarities: dict[int, tuple[dict[str, float], dict[str, str]]], rarity: dict[str, float]
) -> list[tuple[int, float, dict[str, float], dict[str, float]]]:
    """(index, score, sims, weights) of every short-listed candidate, best first."""
    scored = []
    for i, (sims, weight_keys) in similarities.items():
        score, used = _weighted(sims, weight_keys, rarity if USE_RARITY else None)
        scored.append((i, score, sims, used))
    scored.sort(key=lambda r: r[1], reverse=True)
    return scored


def _compare_meaning(
    t: _Target, best: list[tuple[int, float, dict[str, float], dict[str, float]]], candidates: list[dict]
) -> dict[int, float]:
    """Raise the label similarities of the best candidates to what their reworded labels mean.

    The candidates' `sims` dicts are raised in place (they are the short list's own), so scoring the
    short list again takes the raise into account.

    Only candidates that a perfect label would bring within MEANING_REACH of the threshold are read:
    the others cannot be healed whatever their label means. Returns, per candidate raised, the
    cosine that raised it (the heal's evidence says so).
    """
    pairs = {}
    for i, score, sims, used in best:
        found = _reworded_labels(t, candidates[i], sims)
        gain = sum(used[key] * (1.0 - sims[key]) for key in found) / (sum(used.values()) or 1.0)
        if found and score + gain >= SCORE_THRESHOLD - MEANING_REACH:
            pairs[i] = (sims, found)
    texts = list(dict.fromkeys(text for _, found in pairs.values() for pair in found.values() for text in pair))
    if not texts or not meaning.available():
        return {}
    vectors = dict(zip(texts, meaning.embed(texts), strict=True))
    meant = {}
    for i, (sims, found) in pairs.items():
        for key, (old, new) in found.items():
            cosine = float(vectors[old] @ vectors[new])
            by_meaning = (cosine - MEANING_FLOOR) / (1.0 - MEANING_FLOOR)
            if by_meaning > sims[key]:
                sims[key] = by_meaning
                meant[i] = max(meant.get(i, 0.0), cosine)
    return meant


def _reworded_labels(t: _Target, c: dict, sims: dict[str, float]) -> dict[str, tuple[str, str]]:
    """Per label attribute the candidate does not match exactly: (old, new) when the new words replaced the old."""
    pairs = {"text": (t.text, c.get("text") or ""), "accessible_name": (t.acc, c.get("accessible_name") or ""),
             "label": (t.label, screen_label(c))}
    out = {}
    for key, (old, new) in pairs.items():
        if key not in sims or sims[key] >= 1.0 or not old or not new:
            continue
        if max(len(old), len(new)) > meaning.MAX_LABEL_CHARS:
            continue
        old_words, new_words = words(old), words(new)
        if old_words and new_words and not (old_words <= new_words or new_words <= old_words):
            out[key] = (old, new)
    return out


def _weighted(
    sims: dict[str, float], weight_keys: dict[str, str], rarity: dict[str, float] | None = None
) -> tuple[float, dict[str, float]]:
    """The normalised score in [0, 1] of a candidate's similarities, and the weights that produced it."""
    used: dict[str, float] = {}
    total = acc = 0.0
    for key, sim in sims.items():
        weight_key = weight_keys[key]
        weight = WEIGHTS[weight_key] if rarity is None else WEIGHTS[weight_key] * rarity.get(weight_key, 1.0)
        used[key] = weight
        total += weight
        acc += weight * sim
    return (acc / total if total else 0.0), used


def _score(
    t: _Target, c: dict, rarity: dict[str, float] | None = None
) -> tuple[float, dict[str, float], dict[str, float]]:
    """Normalised score in [0, 1], the per-attribute similarities and the weights that produced it."""
    sims, weight_keys = _similarities(t, c)
    score, used = _weighted(sims, weight_keys, rarity)
    return score, sims, used


# Kind-of-element attributes: they gate compatibility, they do not tell twins apart, and amplifying
# them would punish exactly the element whose tag was swapped in a redesign.
_NOT_AMPLIFIED = frozenset({"tag", "role", "type"})


def _label_sim(t: _Target, sims: dict[str, float]) -> float:
    """How well a candidate's label matches the old one: the visible text when there was one."""
    if t.text:
        return sims.get("text", 0.0)
    return max(sims.get("accessible_name", 0.0), sims.get("label", 0.0))


def _rerank(
    scored: list[tuple[int, float, dict[str, float], dict[str, float]]],
    t: _Target | None = None,
) -> list[tuple[float, int, dict[str, float]]]:
    """(index, score, sims, weights) sorted by score -> (final score, index, sims) sorted by final score."""
    top = scored[:RERANK_TOPK]
    if RERANK_TOPK < 2 or len(top) < 2:
        return [(s, i, sims) for i, s, sims, _ in scored]
    # Only when one of the best few kept the old label: if none did (a relabelling), placement is what
    # is left to go by.
    labelled = (
        t is not None
        and PLACEMENT_NEEDS_LABEL
        and bool(t.text or t.acc or t.label)
        and any(_label_sim(t, sims) >= PLACEMENT_LABEL_FULL for _, _, sims, _ in top)
    )
    spread: dict[str, float] = {}
    for key in set().union(*(sims.keys() for _, _, sims, _ in top)):
        if key in _NOT_AMPLIFIED:
            continue
        values = [sims.get(key, 0.0) for _, _, sims, _ in top]
        spread[key] = RERANK_BASE + max(values) - min(values)
    out = []
    for i, _, sims, used in scored:
        total = acc = 0.0
        damp = min(1.0, _label_sim(t, sims) / PLACEMENT_LABEL_FULL) if labelled else 1.0  # type: ignore[arg-type]
        for key, sim in sims.items():
            w = used[key] * spread.get(key, RERANK_BASE)
            total += w
            acc += w * (sim * damp if key in _PLACEMENT else sim)
        out.append((acc / total if total else 0.0, i, sims))
    out.sort(key=lambda r: r[0], reverse=True)
    return out


def _has_twins(t: _Target, best: dict, others: list[dict], rarity: dict, *, accounted: bool = False) -> bool:
    """Whether the old element's own attributes cannot tell the best candidate from others.

    True when another close candidate has the same tag and (nearly) the same label. Unless every
    look-alike of the old page is accounted for (on record, and each recognised on the new page), also
    when the old text is shared on the page, or when the label carries data (a count, a price) that
    can collide by chance between rows ("Like (7)" in two comments); when they are, `others` holds only
    the candidates no look-alike claimed.
    """
    if not accounted:
        if rarity.get("text", 1.0) < 1.0 or rarity.get("accessible_name", 1.0) < 1.0:
            return True
        if any(ch.isdigit() for ch in t.text):
            return True
    label = best.get("accessible_name") or best.get("text") or ""
    for c in others:
        if c.get("tag") == best.get("tag") and text_similarity(
            label, c.get("accessible_name") or c.get("text") or "", precise=False
        ) >= 0.8:
            return True
    return False


_HREF_SPLIT = re.compile(r"([0-9A-Za-z]+)")


def same_route_other_record(a: str, b: str) -> bool:
    """Two addresses that differ only in their numbers: the same route for another record.

    "/tasks/77352" and "/tasks/81404" are two tasks, "/orders/12/items/3" and "/orders/12/items/4" two
    items: a link to one is not the link to the other, however alike the two look.
    """
    if not a or not b or a == b:
        return False
    pa, pb = _HREF_SPLIT.split(a), _HREF_SPLIT.split(b)
    if len(pa) != len(pb):
        return False
    differ = False
    for x, y in zip(pa, pb, strict=True):
        if x == y:
            continue
        if not (x.isdigit() and y.isdigit()):
            return False
        differ = True
    return differ


def _heading_settles(t: _Target, best: dict, best_sims: dict[str, float], others: list[dict]) -> bool:
    """The best candidate sits under the old element's heading and none of its look-alikes does.

    Moving a button within its card changes its neighbouring texts, not the card's title: when the
    title still matches and is the only copy among the look-alikes, the title tells the twins apart.
    """
    if not t.context or best_sims.get("context", 0.0) < 0.95 or best_sims.get("path", 0.0) < 0.5:
        return False
    ctx = (best.get("context") or "").lower()
    for c in others:
        if (c.get("context") or "").lower() != ctx or c.get("tag") != best.get("tag"):
            continue
        for key in ("text", "accessible_name"):
            mine = best.get(key) or ""
            if mine and text_similarity(mine, c.get(key) or "", precise=False) >= 0.8:
                return False
    return True


def _twins_left(t: _Target, best: dict, candidates: list[dict]) -> int:
    """How many of the best candidate's look-alikes (itself included) sit under the old heading now."""
    name = best.get("accessible_name") or best.get("text") or ""
    # The old page counted by the old tag; a tag swapped on one of them (a <button> become <a>) keeps it a twin.
    tags = {t.tag, best.get("tag")}
    n = 0
    for c in candidates:
        if c.get("tag") not in tags:
            continue
        if text_similarity(t.context, c.get("context") or "", precise=False) < 0.95:
            continue
        if text_similarity(name, c.get("accessible_name") or c.get("text") or "", precise=False) >= 0.8:
            n += 1
    return n


def _anchored(
    ranked: list[tuple[float, int, dict[str, float]]], unique: frozenset[str]
) -> list[tuple[float, int, dict[str, float]]]:
    """An exact match on a human-chosen identifier that no other element of the page has is close to
    proof: halve such a candidate's distance to a perfect score. A weighted average alone lets a
    moved element's lost neighbours and position outvote its unchanged test id."""
    if not unique:
        return ranked
    out = []
    for score, i, sims in ranked:
        if any(sims.get(k, 0.0) >= 1.0 for k in unique):
            score = 1.0 - (1.0 - score) * (1.0 - ANCHOR)
        out.append((score, i, sims))
    out.sort(key=lambda r: r[0], reverse=True)
    return out


def _shown(c: dict, key: str) -> str:
    """A text attribute as it reads: whitespace collapsed, lower case."""
    return " ".join((c.get(key) or "").split()).lower()


def _nested(a: dict, b: dict) -> bool:
    xa, xb = a.get("xpath") or "", b.get("xpath") or ""
    return bool(xa and xb) and (xa.startswith(xb + "/") or xb.startswith(xa + "/"))


def _rival(
    best: dict, others: list[tuple[float, int, dict[str, float]]], candidates: list[dict], confirmed: bool
) -> float:
    """The score the best candidate must beat by the margin: the runner-up's, with two exceptions.

    A page-unique identifier that confirms the best leaves no rival (NO_RIVAL_WHEN_CONFIRMED). An
    element wrapped around the best, or inside it, with the same text (a new <span> around a badge)
    is the same thing on screen rather than an alternative (NESTED_NOT_RIVAL): the next one counts.
    """
    if confirmed and NO_RIVAL_WHEN_CONFIRMED:
        return 0.0
    text = _shown(best, "text")
    for score, i, _sims in others:
        c = candidates[i]
        if NESTED_NOT_RIVAL and text and _nested(best, c) and _shown(c, "text") == text:
            continue
        return score
    return 0.0


def _claimed(look_alikes: list[dict], own_scores: dict[int, float], candidates: list[dict]) -> frozenset[int]:
    """The shortlisted candidates that are the old page's other look-alikes, still there.

    Each look-alike claims the shortlisted candidate that matches it best, when that candidate matches
    it better than the next one does and better than it matches the old element, both by CLAIM_MARGIN
    (a look-alike torn between two candidates claims neither). Twins that stayed then no longer stand
    in for the element that moved or went away, and no longer count as its rivals. Look-alikes that are
    twins of each other (two cards that both read "Barbara Thompson", each with a "Message") are torn
    between the same candidates: k of them torn among the same k candidates claim all k together.

    `own_scores` are the old element's scores (without page rarity) of the shortlisted candidates, best first.
    """
    if not look_alikes:
        return frozenset()
    shortlist = list(own_scores)
    ties: list[frozenset[int]] = []
    for fp in look_alikes:
        other = _Target(fp)
        # The cheap first pass picks its few best, as for the element itself; only those get the precise score.
        nearest = sorted(shortlist, key=lambda i: _rough(other, candidates[i]), reverse=True)[:CLAIM_SHORTLIST]
        ranked_for_it = sorted(((_score(other, candidates[i])[0], i) for i in nearest), reverse=True)
        best = ranked_for_it[0][0]
        tied = [i for score, i in ranked_for_it if best - score < CLAIM_MARGIN]
        if len(tied) == len(ranked_for_it) == CLAIM_SHORTLIST:
            continue  # torn among all it looked at: there may be more beyond them
        if any(best - own_scores[i] < CLAIM_MARGIN for i in tied):
            continue  # the old element matches one of them about as well: it may be the element
        ties.append(frozenset(tied))
    # Settle what is settled, then look again without it: a look-alike torn between a candidate another
    # one claimed and a second candidate claims the second.
    claimed: set[int] = set()
    while True:
        torn_among = Counter(among - claimed for among in ties if among - claimed)
        settled = {i for among, n in torn_among.items() if n >= len(among) for i in among}
        if not settled:
            return frozenset(claimed)
        claimed |= settled


_DIGITS = re.compile(r"[0-9]+")


def label_shape(s: str) -> str:
    """A label with its numbers set aside ("Like (7)" and "Like (3)" read the same): as the capture does."""
    return _DIGITS.sub("#", s.lower())


def _counted_roles(t: _Target) -> Callable[[str], bool]:
    """Which roles the capture that stored the fingerprint counted among the element's look-alikes."""
    by = t.fp.get("look_alikes_by")
    if by == "compatible":  # since 2026-11-29: roles.roles_compatible (a heading and a list item are both static)
        return lambda role: roles_compatible(t.role, role)
    family = role_family(t.role)
    if by == "kind" and family != "static":  # before: interactive roles by family, a static role exactly
        return lambda role: role_family(role) == family
    # Before look-alikes were counted by kind of role, a link that reads like the old button was not recorded.
    return lambda role: role == t.role


def _label_holders(t: _Target, candidates: list[dict]) -> list[int]:
    """The candidates that read like the old element, as the capture counted its look-alikes: a role it
    counted (a button may have become a link) and the same text or accessible name, numbers set aside."""
    text, name = label_shape(t.text), label_shape(t.acc)
    if not (text or name):
        return []
    counted = _counted_roles(t)
    return [
        i for i, c in enumerate(candidates)
        if counted(c.get("role") or "") and (
            (text and label_shape(c.get("text") or "") == text)
            or (name and label_shape(c.get("accessible_name") or "") == name)
        )
    ]


def _sole_label_holder(label_holders: list[int], candidates: list[dict], claimed: frozenset[int]) -> int | None:
    """The one unclaimed label holder (see _label_holders), if there is exactly one.

    An element wrapped around another holder, or inside it, is the same thing on screen and does not
    count twice: the inner one is the element, the outer one its new wrapper.
    """
    holders: list[int] = []
    for i in label_holders:
        if i in claimed:
            continue
        c = candidates[i]
        outer = next((k for k, h in enumerate(holders) if _nested(c, candidates[h])), None)
        if outer is not None:
            holders[outer] = i  # document order: the later of two nested holders is the inner one
            continue
        holders.append(i)
        if len(holders) > 1:
            return None
    return holders[0] if holders else None


def _no_more_holders_than_look_alikes(t: _Target, best_i: int, label_holders: list[int]) -> bool:
    """Whether the best candidate reads like the old element while no more candidates do than the old page's
    look-alikes: then one of those went away, and the best may be a look-alike left standing rather than
    the element (two "Grace Liskov" cards, one removed: the one left is either)."""
    return 0 < len(label_holders) <= (t.fp.get("look_alikes_total") or 0) and best_i in label_holders


def _sole_identifier_holder(t: _Target, candidates: list[dict], claimed: frozenset[int]) -> int | None:
    """The one unclaimed candidate that carries the old test id, human-chosen id or name, if it is one.

    A test id shared by every row's button names no row on its own; once the other rows' buttons are
    recognised, the one left carrying it does. Identifiers that lead to different candidates say nothing.
    """
    carries = [lambda c, v=v: v in (c.get("test_ids") or {}).values() for v in t.test_id_values]
    if t.id and not t.id_generated:
        carries.append(lambda c: c.get("id") == t.id)
    if t.name:
        carries.append(lambda c: c.get("name") == t.name)
    found: set[int] = set()
    for carry in carries:
        holders = [i for i, c in enumerate(candidates) if i not in claimed and carry(c)]
        if len(holders) == 1:
            found.add(holders[0])
    return found.pop() if len(found) == 1 else None


def _text_holder_first(
    t: _Target, pool: list[tuple[float, int, dict[str, float]]], candidates: list[dict]
) -> list[tuple[float, int, dict[str, float]]]:
    """When the old element held its text itself and the best candidate only wraps an element that does
    (a new <span> around a badge), the one that holds the text goes first: the wrapper is layout."""
    if not pool or not _shown(t.fp, "own_text"):
        return pool
    best = candidates[pool[0][1]]
    text = _shown(best, "text")
    if not text or _shown(best, "own_text"):
        return pool
    for k, (_, i, _) in enumerate(pool[1:], start=1):
        c = candidates[i]
        if _nested(best, c) and _shown(c, "own_text") == text and _shown(c, "text") == text:
            return [pool[k], *pool[:k], *pool[k + 1:]]
    return pool


def _seq_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    if not a and not b:
        return 1.0
    return 2 * lcs_len(a, b) / (len(a) + len(b))


def _summary(c: dict, score: float, locator: str | None, sims: dict[str, float] | None = None) -> dict:
    out = dict(c)
    out["score"] = round(score, 4)
    out["locator"] = locator
    if sims is not None:
        out["evidence"] = {k: round(v, 3) for k, v in sims.items()}
    return out


def heal(
    target: dict,
    candidates: list[dict],
    *,
    rejected_locators: frozenset[str] = frozenset(),
    threshold: float | None = None,
    margin: float | None = None,
) -> HealDecision:
    """Find `target` (an old fingerprint) among `candidates` (every element of the current page).

    `rejected_locators` are selectors the caller already tried and found wrong: an element any of
    whose selectors is rejected is never chosen. `threshold` and `margin` override the tuned values
    (the benchmark's tuning split uses them; callers should not).
    """
    threshold = SCORE_THRESHOLD if threshold is None else threshold
    margin = MARGIN if margin is None else margin
    if not candidates:
        return HealDecision(False, None, None, 0.0, 0.0, [], "not sure: the page has no elements")
    t = _Target(target)
    rough = [(_rough(t, c), i) for i, c in enumerate(candidates)]
    rough.sort(reverse=True)
    shortlist = [i for _, i in rough[:SHORTLIST]]
    rarity = _page_rarity(t, candidates)
    similarities = {i: _similarities(t, candidates[i]) for i in shortlist}
    scored = _scored(similarities, rarity)
    meant: dict[int, float] = {}
    if LABEL_MEANING and (t.text or t.acc or t.label):
        meant = _compare_meaning(t, scored[:MEANING_TOPK], candidates)
        if meant:
            scored = _scored(similarities, rarity)
    ranked = _rerank(scored, t)
    if ANCHOR > 0:
        ranked = _anchored(ranked, rarity["_unique"])

    look_alikes_on_record = target.get("look_alikes") or []
    claimed: frozenset[int] = frozenset()
    if CLAIMS and look_alikes_on_record:
        own_scores = {i: _weighted(*similarities[i])[0] for _, i, _ in ranked}
        claimed = _claimed(look_alikes_on_record, own_scores, candidates)
    # Every look-alike the old page had is on record (the fingerprint keeps the nearest few) and each was
    # recognised as a candidate of its own: the unclaimed candidates are all the twins there can be.
    accounted = (
        CLAIMS and "look_alikes" in target
        and len(look_alikes_on_record) >= (target.get("look_alikes_total") or 0)
        and len(claimed) == len(look_alikes_on_record)
    )
    # With the look-alikes set aside, the one candidate left with the old label (or identifier) is confirmed.
    # The candidates that read like the old element: what confirmation by elimination and the count look at.
    label_holders = _label_holders(t, candidates)
    sole = {_sole_label_holder(label_holders, candidates, claimed)} if LABEL_CONFIRMS and accounted else set()
    if IDENTIFIER_CONFIRMS and accounted:
        sole.add(_sole_identifier_holder(t, candidates, claimed))
    sole.discard(None)
    sole_holder = sole.pop() if len(sole) == 1 else None
    # Drop every element the caller rejected (by any of its selectors) or a look-alike claimed, keeping the order.
    pool: list[tuple[float, int, dict[str, float]]] = []
    for s, i, sims in ranked:
        if len(pool) >= RIVAL_POOL:
            break
        if i in claimed:
            continue
        c = candidates[i]
        if rejected_locators and any(loc in rejected_locators for loc in locator_options(c, candidates)):
            continue
        if i == sole_holder:
            s = 1.0 - (1.0 - s) * (1.0 - ANCHOR)
        pool.append((s, i, sims))
    pool.sort(key=lambda r: r[0], reverse=True)
    if HOLDER_OVER_WRAPPER:
        pool = _text_holder_first(t, pool, candidates)
    kept = [(s, i, sims, best_locator(candidates[i], candidates)) for s, i, sims in pool[:3]]
    top = [_summary(candidates[i], s, loc, sims) for s, i, sims, loc in kept]
    if not kept:
        return HealDecision(
            False, None, None, 0.0, 0.0, [],
            "not sure: every candidate was rejected or is another of the old page's look-alikes",
        )
    best_score, best_i, best_sims, best_loc = kept[0]
    runner_up = kept[1][0] if len(kept) > 1 else 0.0
    best = candidates[best_i]
    # An identifier that matches exactly and that no other element of the page carries (nor did on the
    # old page) confirms the candidate even when its surroundings or its label changed.
    confirmed = any(best_sims.get(k, 0.0) >= 1.0 for k in rarity["_unique"]) or best_i == sole_holder
    rival = _rival(best, pool[1:], candidates, confirmed)

    def abstain(why: str) -> HealDecision:
        return HealDecision(False, None, None, best_score, runner_up, top, f"not sure: {why}", rival)

    if best_score < threshold:
        return abstain(f"best candidate scored {best_score:.2f}, below the threshold {threshold:.2f}")
    if best_score - rival < margin:
        return abstain(
            f"best candidate ({best_score:.2f}) does not beat the runner-up ({rival:.2f}) by {margin:.2f}"
        )
    if not best.get("visible", True):
        return abstain("best candidate is not visible")
    if not best.get("enabled", True):
        return abstain("best candidate is disabled")
    twins_known = TWINS_FROM_LOOK_ALIKES and accounted
    close_others = [
        candidates[i] for _, i, _ in ranked[:RERANK_TOPK] if i != best_i and not (twins_known and i in claimed)
    ]
    if (
        CONTEXT_MIN > 0
        and t.neighbors
        and best_sims.get("neighbor_texts", 1.0) < CONTEXT_MIN
        and not confirmed
        and (not CONTEXT_ONLY_TWINS or _has_twins(t, best, close_others, rarity, accounted=twins_known))
        and not (HEADING_SETTLES and _heading_settles(t, best, best_sims, close_others))
    ):
        return abstain(
            "best candidate's surroundings do not match the old element's "
            f"(neighbour texts {best_sims.get('neighbor_texts', 0.0):.2f}) and no unique identifier confirms it"
        )
    if (
        HEADING_MIN > 0
        and t.context
        and best_sims.get("context", 1.0) < HEADING_MIN
        and not confirmed
        and _has_twins(t, best, close_others, rarity, accounted=twins_known)
    ):
        # Twins (the same "Remove" in every member's card) are told apart by their card's heading.
        return abstain(
            f"best candidate is under another heading ('{(best.get('context') or '')[:60]}', was "
            f"'{t.context[:60]}') and it has look-alikes; no unique identifier confirms it"
        )
    if LOOK_ALIKE_COUNT and not confirmed and _no_more_holders_than_look_alikes(t, best_i, label_holders):
        total = t.fp.get("look_alikes_total")
        return abstain(
            f"the old page had {total} look-alike{'s' if total != 1 else ''} besides the element and no more "
            "candidates than that read like it: the best may be one of them, and the element gone"
        )
    if CONTEXT_TWINS_GATE and not twins_known and not confirmed and t.acc and t.context_twins > 1:
        left = _twins_left(t, best, candidates)
        if left < t.context_twins:
            return abstain(
                f"{t.context_twins} look-alikes sat under the heading '{t.context[:60]}' and {left} are left there: "
                "the heading cannot say which one this is, and no unique identifier confirms it"
            )
    if RECORD_CHECK and not confirmed and same_route_other_record(t.href, best.get("href") or ""):
        return abstain(f"best candidate links to another record ({best.get('href')}, was {t.href})")
    best_text = (best.get("text") or "").lower()
    if best_text and best_text != t.text.lower() and best_text in t.neighbors and not confirmed:
        # The candidate's label was already on the page next to the old element: it is that
        # neighbour ("Continue with Google" beside a removed "Continue with Okta"), not the element.
        return abstain(f"best candidate ('{best_text[:60]}') was the old element's neighbour, not the element")
    # The visible label when there was one (an aria-label built from it may survive a relabelling).
    if LABEL_MIN > 0 and (t.text or t.acc or t.label) and _label_sim(t, best_sims) < LABEL_MIN and not confirmed:
        # Same place, same style, another label: most often a different control ("Print" where
        # "Post comment" was), which is exactly the confident wrong heal to avoid.
        return abstain(
            f"best candidate's label '{(best.get('accessible_name') or best.get('text') or '')[:60]}' does not "
            f"match '{(t.acc or t.text or t.label)[:60]}' and no unique identifier confirms it"
        )
    if not roles_compatible(best.get("role") or "", t.role):
        return abstain(f"best candidate's role '{best.get('role')}' is not compatible with '{t.role}'")
    if best_loc is None:
        return abstain(
            "no selector addresses the best candidate alone: it is inside a web component's shadow root, where "
            "XPath cannot reach, and has no unique test id, id, name or text"
        )
    strong = sorted((k for k, v in best_sims.items() if v >= 0.8), key=lambda k: -WEIGHTS.get(k, 0))
    eliminated = (
        f"; the only one left with its label or identifier once the old page's {len(look_alikes_on_record)} "
        "look-alikes were recognised"
        if best_i == sole_holder and look_alikes_on_record
        else ""
    )
    # A label that no longer labels the field is worth knowing about: getByLabel and screen readers lost it.
    detached = (
        f"; its label '{best['detached_label'][:60]}' no longer labels it (the label's `for` names no element)"
        if not best.get("label") and best.get("detached_label") and best_sims.get("label", 0.0) >= 0.8
        else ""
    )
    reworded = (
        f"; its label '{(best.get('text') or best.get('accessible_name') or screen_label(best))[:60]}' is not "
        f"the old '{(t.text or t.acc or t.label)[:60]}' "
        f"but means the same (meaning {meant[best_i]:.2f})"
        if best_i in meant
        else ""
    )
    return HealDecision(
        True,
        best,
        best_loc,
        best_score,
        runner_up,
        top,
        f"healed: {best_loc} scored {best_score:.2f} (runner-up {runner_up:.2f}); "
        f"matched on {', '.join(strong[:6]) or 'overall similarity'}{eliminated}{detached}{reworded}",
        rival,
    )
