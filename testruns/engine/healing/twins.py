"""Twins: the old page's look-alikes found again on the new page, and what tells twins apart.

Twins are what make a heal wrong (the same "Edit" in every row, "Get started" in every pricing tier).
The fingerprint records the old page's look-alikes: those recognised on the new page are set aside
(`claimed_look_alikes`), and when all of them are, the one candidate left with the old label or
identifier is confirmed by elimination (`sole_label_holder`, `sole_identifier_holder`). The rest tell
whether the best candidate still has twins, whether its card heading, row or link settles which one it
is, which of an element and the layout nested with it is the element (`same_thing_first`), and whether
the best reads as a qualified look-alike of the old element (`qualified_words`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from . import scoring
from .roles import role_family, roles_compatible
from .similarity import text_similarity, words

# The old page's look-alikes (fingerprint `look_alikes`: the same "Edit" in other rows, "Get started" in
# other tiers). A candidate that one of them matches best, and better than the old element by CLAIM_MARGIN,
# is that look-alike, still on the page: it is neither the element nor a rival to it.
CLAIM_MARGIN = 0.05
CLAIM_SHORTLIST = 4
CLAIMS = True
# Confirmation by elimination: when every look-alike the old page had is on record and each claimed a
# candidate of its own, the only unclaimed candidate with the old role and label (numbers set aside) is
# confirmed, like one carrying a page-unique test id: the label is how people name a control (Playwright's
# getByRole with a name), and it is unique on both pages. So is the only unclaimed one carrying the old
# test id, id or name: a test id every row's button shares names the row whose twins are all recognised.
# When the label and an identifier point at different candidates, neither is confirmed.
LABEL_CONFIRMS = True
IDENTIFIER_CONFIRMS = True
# The margin is measured against a rival (see rival): none when an identifier confirms the best, and
# never the best's own new wrapper or content with the same text.
NESTED_NOT_RIVAL = True
NO_RIVAL_WHEN_CONFIRMED = True


@dataclass(frozen=True)
class Recognised:
    """What the old page's look-alikes, found again on the new page, say about its candidates."""

    claimed: frozenset[int]  # the candidates that are the old page's other look-alikes, still there
    accounted: bool  # every look-alike the old page had is on record and claimed a candidate of its own
    label_holders: list[int]  # the candidates that read like the old element (see label_holders)
    sole_holder: int | None  # the one candidate confirmed by elimination, if there is one


def recognise(
    t: scoring.Target,
    ranked: scoring.Ranking,
    similarities: scoring.Similarities,
    candidates: list[dict],
) -> Recognised:
    """Set the old page's look-alikes aside among the ranked short list, and confirm what is left by elimination."""
    on_record = t.fp.get("look_alikes") or []
    claimed: frozenset[int] = frozenset()
    if CLAIMS and on_record:
        own_scores = {i: scoring.weighted_score(*similarities[i])[0] for _, i, _ in ranked}
        claimed = claimed_look_alikes(on_record, own_scores, candidates)
    # Every look-alike the old page had is on record (the fingerprint keeps the nearest few) and each was
    # recognised as a candidate of its own: the unclaimed candidates are all the twins there can be.
    accounted = (
        CLAIMS
        and "look_alikes" in t.fp
        and len(on_record) >= (t.fp.get("look_alikes_total") or 0)
        and len(claimed) == len(on_record)
    )
    # With the look-alikes set aside, the one candidate left with the old label (or identifier) is confirmed.
    # The candidates that read like the old element: what confirmation by elimination and the count look at.
    holders = label_holders(t, candidates)
    sole = {sole_label_holder(holders, candidates, claimed)} if LABEL_CONFIRMS and accounted else set()
    if IDENTIFIER_CONFIRMS and accounted:
        sole.add(sole_identifier_holder(t, candidates, claimed))
    sole.discard(None)
    return Recognised(claimed, accounted, holders, sole.pop() if len(sole) == 1 else None)


def has_twins(t: scoring.Target, best: dict, others: list[dict], rarity: dict, *, accounted: bool = False) -> bool:
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
        if (
            c.get("tag") == best.get("tag")
            and text_similarity(label, c.get("accessible_name") or c.get("text") or "", precise=False) >= 0.8
        ):
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


def heading_settles(t: scoring.Target, best: dict, best_sims: dict[str, float], others: list[dict]) -> bool:
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


def twins_left(t: scoring.Target, best: dict, candidates: list[dict]) -> int:
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


def shown(c: dict, key: str) -> str:
    """A text attribute as it reads: whitespace collapsed, lower case."""
    return " ".join((c.get(key) or "").split()).lower()


def nested(a: dict, b: dict) -> bool:
    xa, xb = a.get("xpath") or "", b.get("xpath") or ""
    return bool(xa and xb) and (xa.startswith(xb + "/") or xb.startswith(xa + "/"))


def rival(best: dict, others: scoring.Ranking, candidates: list[dict], confirmed: bool) -> float:
    """The score the best candidate must beat by the margin: the runner-up's, with two exceptions.

    A page-unique identifier that confirms the best leaves no rival (NO_RIVAL_WHEN_CONFIRMED). An
    element wrapped around the best, or inside it, with the same text (a new <span> around a badge)
    is the same thing on screen rather than an alternative (NESTED_NOT_RIVAL): the next one counts.
    """
    if confirmed and NO_RIVAL_WHEN_CONFIRMED:
        return 0.0
    text = shown(best, "text")
    for score, i, _sims in others:
        c = candidates[i]
        if NESTED_NOT_RIVAL and text and nested(best, c) and shown(c, "text") == text:
            continue
        return score
    return 0.0


def claimed_look_alikes(
    look_alikes: list[dict], own_scores: dict[int, float], candidates: list[dict]
) -> frozenset[int]:
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
        other = scoring.Target(fp)
        # The cheap first pass picks its few best, as for the element itself; only those get the precise score.
        rough = sorted(shortlist, key=lambda i: scoring.rough_score(other, candidates[i]), reverse=True)
        nearest = rough[:CLAIM_SHORTLIST]
        ranked_for_it = sorted(((scoring.precise_score(other, candidates[i])[0], i) for i in nearest), reverse=True)
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


def _counted_roles(t: scoring.Target) -> Callable[[str], bool]:
    """Which roles the capture that stored the fingerprint counted among the element's look-alikes."""
    by = t.fp.get("look_alikes_by")
    if by == "compatible":  # since 2026-11-29: roles.roles_compatible (a heading and a list item are both static)
        return lambda role: roles_compatible(t.role, role)
    family = role_family(t.role)
    if by == "kind" and family != "static":  # before: interactive roles by family, a static role exactly
        return lambda role: role_family(role) == family
    # Before look-alikes were counted by kind of role, a link that reads like the old button was not recorded.
    return lambda role: role == t.role


def label_holders(t: scoring.Target, candidates: list[dict]) -> list[int]:
    """The candidates that read like the old element, as the capture counted its look-alikes: a role it
    counted (a button may have become a link) and the same text or accessible name, numbers set aside."""
    text, name = label_shape(t.text), label_shape(t.acc)
    if not (text or name):
        return []
    counted = _counted_roles(t)
    return [
        i
        for i, c in enumerate(candidates)
        if counted(c.get("role") or "")
        and (
            (text and label_shape(c.get("text") or "") == text)
            or (name and label_shape(c.get("accessible_name") or "") == name)
        )
    ]


def sole_label_holder(label_holders: list[int], candidates: list[dict], claimed: frozenset[int]) -> int | None:
    """The one unclaimed label holder (see label_holders), if there is exactly one.

    An element wrapped around another holder, or inside it, is the same thing on screen and does not
    count twice: the inner one is the element, the outer one its new wrapper.
    """
    holders: list[int] = []
    for i in label_holders:
        if i in claimed:
            continue
        c = candidates[i]
        outer = next((k for k, h in enumerate(holders) if nested(c, candidates[h])), None)
        if outer is not None:
            holders[outer] = i  # document order: the later of two nested holders is the inner one
            continue
        holders.append(i)
        if len(holders) > 1:
            return None
    return holders[0] if holders else None


def no_more_holders_than_look_alikes(t: scoring.Target, best_i: int, label_holders: list[int]) -> bool:
    """Whether the best candidate reads like the old element while no more candidates do than the old page's
    look-alikes: then one of those went away, and the best may be a look-alike left standing rather than
    the element (two "Grace Liskov" cards, one removed: the one left is either)."""
    return 0 < len(label_holders) <= (t.fp.get("look_alikes_total") or 0) and best_i in label_holders


def sole_identifier_holder(t: scoring.Target, candidates: list[dict], claimed: frozenset[int]) -> int | None:
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


def same_thing_first(t: scoring.Target, pool: scoring.Ranking, candidates: list[dict]) -> scoring.Ranking:
    """Among the best candidate and those nested with it that show the same text (one thing on screen: an
    element, and a new wrapper around it or new layout inside it), the one most like the old element
    goes first: of the old element's kind of tag (the same tag or its family), then, when the old element
    held its text itself, one that still does.

    A new <span> around a badge is layout, and the badge that holds the text goes first; a new <span>
    put inside a table cell around its amount is layout too, and the cell goes first."""
    if not pool:
        return pool
    best = candidates[pool[0][1]]
    text = shown(best, "text")
    if not text:
        return pool
    held_its_text = bool(shown(t.fp, "own_text"))

    def likeness(k: int) -> tuple[bool, bool]:
        _, i, sims = pool[k]
        return sims.get("tag", 0.0) > 0.0, held_its_text and shown(candidates[i], "own_text") == text

    same_thing = [0] + [
        k
        for k, (_, i, _) in enumerate(pool[1:], start=1)
        if nested(best, candidates[i]) and shown(candidates[i], "text") == text
    ]
    first = max(same_thing, key=likeness)  # the best itself on a tie
    return [pool[first], *pool[:first], *pool[first + 1 :]] if first else pool


def qualified_words(t: scoring.Target, c: dict) -> tuple[str, str] | None:
    """(old, new) when one of the candidate's own labels (visible text, accessible name, placeholder, the
    `<label>` that labels it) keeps every word of the old element's and adds some, and none of them reads
    as the old one: "Search orders copy" where "Search orders" was. A label beside it that labels nothing
    (`detached_label`) is not its own."""
    qualified = None
    for old, new in (
        (t.text, c.get("text")),
        (t.acc, c.get("accessible_name")),
        (t.placeholder, c.get("placeholder")),
        (t.fp.get("label"), c.get("label")),
    ):
        if not old or not new:
            continue
        old_words, new_words = words(old), words(new)
        if old_words and old_words == new_words:
            return None
        if old_words and old_words < new_words and qualified is None:
            qualified = (old, new)
    return qualified
