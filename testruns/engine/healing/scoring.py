"""How alike a candidate is to the old element: the healer's weighted multi-attribute score.

Scoring is a weighted multi-attribute similarity in the Similo family (Nass et al., TOSEM 2023;
VON Similo, ICST 2023): each attribute the old element had contributes `weight * similarity`, and
the sum is normalised by the weights that were in play, so scores are comparable across elements
with few or many attributes. Names minted by frameworks (hashed CSS-in-JS classes, React/MUI/Ember
ids) are weak evidence: a mismatch is ignored (they change on every build) and a match counts
little. Values many elements of the page share (four "Save" buttons) weigh less than rare ones.
As in Kluge and Stocco (2025), a cheap first pass over every element (`rough_score`) is followed by a
precise scoring of the short list (`similarities`: edit distances over text and paths) and a
re-ranking (`rerank`: weights re-scaled by how much the best few disagree on each attribute).
"""

from __future__ import annotations

import re

from .roles import roles_compatible
from .similarity import is_generated, jaccard, lcs_len, name_similarity, path_ratio, text_similarity, words

# The shapes the healer's steps pass along. Per short-listed candidate (by its index in the page's list):
# its similarity per attribute and the WEIGHTS entry that weighs each one.
Similarities = dict[int, tuple[dict[str, float], dict[str, str]]]
# (index, score, similarities, weights used) best first, as scored; then (score, index, similarities) best
# first, as re-ranked.
Scored = list[tuple[int, float, dict[str, float], dict[str, float]]]
Ranking = list[tuple[float, int, dict[str, float]]]

# Hybrid re-ranking: among the best few, attributes on which they all agree (every "Save" button in a
# list has the same tag, classes and text) say nothing about which one is meant, while those that
# differ (neighbouring texts, position) do. Weights are scaled by that spread before the final score.
RERANK_TOPK = 10
RERANK_BASE = 0.5
USE_RARITY = True  # the benchmark's workbench switches it off to measure what it adds
# An exact match on a test id, human id, name or (HREF_ANCHOR) link address unique on both pages halves the
# distance to a perfect score (see anchored); an identifier the old page shared weighs at most SHARED_ID_WEIGHT.
ANCHOR = 0.5
HREF_ANCHOR = True
SHARED_ID_WEIGHT = 0.5
# Where an element sits (its neighbours, card heading, path, position) tells apart twins with the same
# label; it should not let an element with another label outrank one that kept the old label but moved
# (a decoy dropped where the old button was). Placement evidence counts in proportion to how well the
# candidate's label matches, full from PLACEMENT_LABEL_FULL up, when one of the best few kept the label.
PLACEMENT_NEEDS_LABEL = True
PLACEMENT_LABEL_FULL = 0.9
_PLACEMENT = frozenset({"neighbor_texts", "context", "record", "xpath", "path", "location", "size"})
# The texts of the element's row or card (`record_texts`) are scored; the workbench switches it off to
# measure what it adds.
RECORDS = True

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
    "button": "activate",
    "a": "activate",
    "summary": "activate",
    "input": "input",
    "textarea": "input",
    "select": "input",
    "h1": "heading",
    "h2": "heading",
    "h3": "heading",
    "h4": "heading",
    "h5": "heading",
    "h6": "heading",
    "td": "cell",
    "th": "cell",
    "div": "block",
    "section": "block",
    "article": "block",
    "p": "block",
    "span": "inline",
    "strong": "inline",
    "em": "inline",
    "b": "inline",
    "i": "inline",
    "label": "inline",
    "ul": "list",
    "ol": "list",
    "li": "item",
}


class Target:
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
        # Fingerprints captured before a select's options stopped counting as its text (capture.py).
        self.text = "" if self.tag == "select" else fp.get("text") or ""
        self.text_words = words(self.text)
        # Any of the old text's words inside a text: a text without one shares no word with the old one.
        self.any_text_word = re.compile("|".join(map(re.escape, sorted(self.text_words)))) if self.text_words else None
        self.acc = fp.get("accessible_name") or ""
        self.label = screen_label(fp)
        self.has_label = bool(self.text or self.acc or self.label)
        self.own_labels = frozenset(s.lower() for s in (self.text, self.acc, self.label) if s)
        self.placeholder = fp.get("placeholder") or ""
        self.href = fp.get("href") or ""
        self.alt = fp.get("alt") or ""
        self.title = fp.get("title") or ""
        self.xpath = fp.get("xpath") or ""
        self.path_sig = tuple(_node_sig(n) for n in fp.get("path") or [])
        self.neighbors = frozenset(t.lower() for t in fp.get("neighbor_texts") or [] if t)
        self.neighbor_words = frozenset().union(*(words(t) for t in self.neighbors)) if self.neighbors else frozenset()
        self.context = fp.get("context") or ""
        self.record = record_of(fp) if RECORDS else frozenset()
        self.context_twins = int(fp.get("context_twins") or 0)
        rect = fp.get("rect") or {}
        self.x, self.y = rect.get("x", 0), rect.get("y", 0)
        self.w, self.h = rect.get("w", 0), rect.get("h", 0)
        self.has_rect = bool(rect) and (self.w > 0 or self.h > 0)


def record_of(fp: dict) -> frozenset[str]:
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


def rough_score(t: Target, c: dict) -> float:
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
            text
            and len(text) <= 3 * len(t.text) + 20
            and t.any_text_word is not None
            and t.any_text_word.search(text.lower())
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


def page_rarity(t: Target, candidates: list[dict]) -> dict[str, float]:
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
    # Which stable identifiers are unique on the page (anchors, see anchored).
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


def similarities(t: Target, c: dict) -> tuple[dict[str, float], dict[str, str]]:
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
        add("record", jaccard(t.record, record_of(c)))
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


def by_score(similarities: Similarities, rarity: dict[str, float]) -> Scored:
    """(index, score, sims, weights) of every short-listed candidate, best first."""
    scored = []
    for i, (sims, weight_keys) in similarities.items():
        score, used = weighted_score(sims, weight_keys, rarity if USE_RARITY else None)
        scored.append((i, score, sims, used))
    scored.sort(key=lambda r: r[1], reverse=True)
    return scored


def weighted_score(
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


def precise_score(
    t: Target, c: dict, rarity: dict[str, float] | None = None
) -> tuple[float, dict[str, float], dict[str, float]]:
    """Normalised score in [0, 1], the per-attribute similarities and the weights that produced it."""
    sims, weight_keys = similarities(t, c)
    score, used = weighted_score(sims, weight_keys, rarity)
    return score, sims, used


# Kind-of-element attributes: they gate compatibility, they do not tell twins apart, and amplifying
# them would punish exactly the element whose tag was swapped in a redesign.
_NOT_AMPLIFIED = frozenset({"tag", "role", "type"})


def label_similarity(t: Target, sims: dict[str, float]) -> float:
    """How well a candidate's label matches the old one: the visible text when there was one."""
    if t.text:
        return sims.get("text", 0.0)
    return max(sims.get("accessible_name", 0.0), sims.get("label", 0.0))


def rerank(
    scored: Scored,
    t: Target | None = None,
) -> Ranking:
    """(index, score, sims, weights) sorted by score -> (final score, index, sims) sorted by final score."""
    top = scored[:RERANK_TOPK]
    if RERANK_TOPK < 2 or len(top) < 2:
        return [(s, i, sims) for i, s, sims, _ in scored]
    # Only when one of the best few kept the old label: if none did (a relabelling), placement is what
    # is left to go by.
    labelled = (
        t is not None
        and PLACEMENT_NEEDS_LABEL
        and t.has_label
        and any(label_similarity(t, sims) >= PLACEMENT_LABEL_FULL for _, _, sims, _ in top)
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
        damp = min(1.0, label_similarity(t, sims) / PLACEMENT_LABEL_FULL) if labelled else 1.0  # type: ignore[arg-type]
        for key, sim in sims.items():
            w = used[key] * spread.get(key, RERANK_BASE)
            total += w
            acc += w * (sim * damp if key in _PLACEMENT else sim)
        out.append((acc / total if total else 0.0, i, sims))
    out.sort(key=lambda r: r[0], reverse=True)
    return out


def anchored(ranked: Ranking, unique: frozenset[str]) -> Ranking:
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


def _seq_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    if not a and not b:
        return 1.0
    return 2 * lcs_len(a, b) / (len(a) + len(b))
