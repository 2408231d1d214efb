"""The healer: given the fingerprint of the element a step used to act on and every element of the
page as it is now, pick the same element again, or refuse.

Candidates are scored in scoring.py (with reworded labels read for their meaning in rewording.py) and
the old page's look-alikes recognised in twins.py. A wrong heal hides a regression, so the healer
abstains unless all of these hold: the best score clears a threshold, it beats the runner-up by a
margin, the element is visible, enabled and of a role compatible with the old one, and either its
surroundings (neighbouring texts) still match or an identifier (test id, id, name) confirms it. The
selector it returns matches that element alone. docs/healing.md explains every rule and where it came from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from . import rewording, scoring, twins
from .locators import best_locator, locator_options
from .opposites import opposed
from .roles import roles_compatible
from .similarity import words

# Tuned on the benchmark's tuning split (bench/healing, seeds and page kinds disjoint from the
# held-out split the numbers are reported on): all 4,800 cases of seeds 0-4799 together. See docs/healing.md.
SCORE_THRESHOLD = 0.57
MARGIN = 0.13
SHORTLIST = 30
# Without a matching test id, id or name, a candidate whose neighbouring texts no longer match is
# too often a twin in another row or card (two comments with "Like (7)"): abstain.
CONTEXT_MIN = 0.5
# Likewise for a candidate whose visible label or accessible name no longer resembles the old one.
LABEL_MIN = 0.5
# A candidate whose own words only qualify the old ones (its placeholder "Search orders copy" where the old
# read "Search orders") and match them nowhere is a qualified look-alike, even with a label beside it that
# reads like the old one: a detached label reads as the field's that now stands right after it.
QUALIFIED_GATE = True
CONTEXT_ONLY_TWINS = True
# When the old element has twins, the heading of its card or section (its `context`) must still match
# the best candidate's: otherwise it is the same control in another card.
HEADING_MIN = 0.5
RECORD_CHECK = True
HEADING_SETTLES = True
RIVAL_POOL = 6
# Twins under one heading on the old page (two team cards that both read "Sophie Lovelace", each with a
# "Remove"): when fewer of them are left under that heading, the heading cannot say which one survived.
# Only for an element with an accessible name (nameless ones, a <strong> author, all "share" the name '').
CONTEXT_TWINS_GATE = True
# With every look-alike of the old page accounted for (on record and each claimed a candidate), a twin is
# an unclaimed candidate among the best, rather than any value the page shares (rarity) or a number in the
# label. One look-alike not recognised may be the best candidate itself: then the old rules apply.
TWINS_FROM_LOOK_ALIKES = True
# Counting: the old page had the element and its look-alikes; when no more candidates read like it than
# there were look-alikes, one of them went away, and an unconfirmed best that reads like it may be a
# look-alike that stayed.
LOOK_ALIKE_COUNT = True
# An element and a new wrapper around it, or new layout inside it, show the same text in the same place and
# either may outscore it: of those, the one of the old element's kind of tag goes first (twins.same_thing_first).
HOLDER_OVER_WRAPPER = True


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
    # (see twins.rival). Usually the runner-up's score.
    rival_score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _summary(c: dict, score: float, locator: str | None, sims: dict[str, float] | None = None) -> dict:
    out = dict(c)
    out["score"] = round(score, 4)
    out["locator"] = locator
    if sims is not None:
        out["evidence"] = {k: round(v, 3) for k, v in sims.items()}
    return out


def _ranked(
    t: scoring.Target, candidates: list[dict]
) -> tuple[scoring.Ranking, scoring.Similarities, dict[str, float], dict[int, float]]:
    """The short list ranked best first as (score, index, similarities), with each short-listed candidate's
    similarities and weight keys, the page's rarity factors, and the cosines of labels read for their meaning."""
    rough = [(scoring.rough_score(t, c), i) for i, c in enumerate(candidates)]
    rough.sort(reverse=True)
    shortlist = [i for _, i in rough[:SHORTLIST]]
    rarity = scoring.page_rarity(t, candidates)
    similarities = {i: scoring.similarities(t, candidates[i]) for i in shortlist}
    scored = scoring.by_score(similarities, rarity)
    meant: dict[int, float] = {}
    if rewording.LABEL_MEANING and t.has_label:
        # Measured against the shipped threshold, not an override: the tuner's sweep must see the heals it ships.
        meant = rewording.compare_meaning(t, scored[: rewording.MEANING_TOPK], candidates, SCORE_THRESHOLD)
        if meant:
            scored = scoring.by_score(similarities, rarity)
    ranked = scoring.rerank(scored, t)
    if scoring.ANCHOR > 0:
        ranked = scoring.anchored(ranked, rarity["_unique"])
    return ranked, similarities, rarity, meant


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
    t = scoring.Target(target)
    ranked, similarities, rarity, meant = _ranked(t, candidates)
    known = twins.recognise(t, ranked, similarities, candidates)
    pool = _eligible(t, ranked, known, candidates, rejected_locators)
    kept = [(s, i, sims, best_locator(candidates[i], candidates)) for s, i, sims in pool[:3]]
    top = [_summary(candidates[i], s, loc, sims) for s, i, sims, loc in kept]
    if not kept:
        return HealDecision(
            False,
            None,
            None,
            0.0,
            0.0,
            [],
            "not sure: every candidate was rejected or is another of the old page's look-alikes",
        )
    best_score, best_i, best_sims, best_loc = kept[0]
    runner_up = kept[1][0] if len(kept) > 1 else 0.0
    # An identifier that matches exactly and that no other element of the page carries (nor did on the
    # old page) confirms the candidate even when its surroundings or its label changed.
    confirmed = any(best_sims.get(k, 0.0) >= 1.0 for k in rarity["_unique"]) or best_i == known.sole_holder
    best = _Best(best_i, candidates[best_i], best_sims, best_loc, confirmed)
    rival = twins.rival(best.element, pool[1:], candidates, confirmed)
    if best_score < threshold:
        doubt = f"best candidate scored {best_score:.2f}, below the threshold {threshold:.2f}"
    elif best_score - rival < margin:
        doubt = f"best candidate ({best_score:.2f}) does not beat the runner-up ({rival:.2f}) by {margin:.2f}"
    else:
        doubt = _doubt(t, best, ranked, known, rarity, candidates)
    if doubt:
        return HealDecision(False, None, None, best_score, runner_up, top, f"not sure: {doubt}", rival)
    strong = sorted((k for k, v in best_sims.items() if v >= 0.8), key=lambda k: -scoring.WEIGHTS.get(k, 0))
    return HealDecision(
        True,
        best.element,
        best_loc,
        best_score,
        runner_up,
        top,
        f"healed: {best_loc} scored {best_score:.2f} ({_measured_against(runner_up, rival, confirmed)}); "
        f"matched on {', '.join(strong[:6]) or 'overall similarity'}{_worth_knowing(t, best, known, meant)}",
        rival,
    )


def _measured_against(runner_up: float, rival: float, confirmed: bool) -> str:
    """What the margin was measured against, for the heal's reason: the runner-up, unless twins.rival
    set it aside (a score above the heal's would otherwise read as if the heal lost)."""
    if rival == runner_up:
        return f"runner-up {runner_up:.2f}"
    if confirmed and twins.NO_RIVAL_WHEN_CONFIRMED:
        return f"confirmed by an identifier no other element has; runner-up {runner_up:.2f}"
    return f"runner-up {rival:.2f}; the {runner_up:.2f} was its own wrapper or content, showing the same text"


@dataclass(frozen=True)
class _Best:
    """The best candidate, as the gates look at it."""

    i: int  # its index in the page's candidates
    element: dict
    sims: dict[str, float]
    locator: str | None  # None: no selector matches it alone
    confirmed: bool  # by a page-unique identifier, or by elimination


def _eligible(
    t: scoring.Target,
    ranked: scoring.Ranking,
    known: twins.Recognised,
    candidates: list[dict],
    rejected_locators: frozenset[str],
) -> scoring.Ranking:
    """The best RIVAL_POOL of the ranking that may be chosen, best first: no element the caller rejected (by
    any of its selectors), no look-alike claimed; the one confirmed by elimination anchored like a unique id."""
    pool: scoring.Ranking = []
    for s, i, sims in ranked:
        if len(pool) >= RIVAL_POOL:
            break
        if i in known.claimed:
            continue
        if rejected_locators and any(loc in rejected_locators for loc in locator_options(candidates[i], candidates)):
            continue
        if i == known.sole_holder:
            s = 1.0 - (1.0 - s) * (1.0 - scoring.ANCHOR)
        pool.append((s, i, sims))
    pool.sort(key=lambda r: r[0], reverse=True)
    if HOLDER_OVER_WRAPPER:
        pool = twins.same_thing_first(t, pool, candidates)
    return pool


def _doubt(
    t: scoring.Target,
    best: _Best,
    ranked: scoring.Ranking,
    known: twins.Recognised,
    rarity: dict[str, float],
    candidates: list[dict],
) -> str:
    """Why the best candidate, which cleared the threshold and the margin, may still not be the element: the
    first gate of docs/healing.md's "Why it abstains" (3 to 13) that it fails, or "" when it passes them all."""
    c, sims, confirmed = best.element, best.sims, best.confirmed
    if not c.get("visible", True):
        return "best candidate is not visible"
    if not c.get("enabled", True):
        return "best candidate is disabled"
    twins_known = TWINS_FROM_LOOK_ALIKES and known.accounted
    close_others = [
        candidates[i]
        for _, i, _ in ranked[: scoring.RERANK_TOPK]
        if i != best.i and not (twins_known and i in known.claimed)
    ]
    if (
        CONTEXT_MIN > 0
        and t.neighbors
        and sims.get("neighbor_texts", 1.0) < CONTEXT_MIN
        and not confirmed
        and (not CONTEXT_ONLY_TWINS or twins.has_twins(t, c, close_others, rarity, accounted=twins_known))
        and not (HEADING_SETTLES and twins.heading_settles(t, c, sims, close_others))
    ):
        return (
            "best candidate's surroundings do not match the old element's "
            f"(neighbour texts {sims.get('neighbor_texts', 0.0):.2f}) and no unique identifier confirms it"
        )
    if (
        HEADING_MIN > 0
        and t.context
        and sims.get("context", 1.0) < HEADING_MIN
        and not confirmed
        and twins.has_twins(t, c, close_others, rarity, accounted=twins_known)
    ):
        # Twins (the same "Remove" in every member's card) are told apart by their card's heading.
        return (
            f"best candidate is under another heading ('{(c.get('context') or '')[:60]}', was "
            f"'{t.context[:60]}') and it has look-alikes; no unique identifier confirms it"
        )
    if LOOK_ALIKE_COUNT and not confirmed and twins.no_more_holders_than_look_alikes(t, best.i, known.label_holders):
        total = t.fp.get("look_alikes_total")
        return (
            f"the old page had {total} look-alike{'s' if total != 1 else ''} besides the element and no more "
            "candidates than that read like it: the best may be one of them, and the element gone"
        )
    if CONTEXT_TWINS_GATE and not twins_known and not confirmed and t.acc and t.context_twins > 1:
        left = twins.twins_left(t, c, candidates)
        if left < t.context_twins:
            return (
                f"{t.context_twins} look-alikes sat under the heading '{t.context[:60]}' and {left} are left there: "
                "the heading cannot say which one this is, and no unique identifier confirms it"
            )
    if RECORD_CHECK and not confirmed and twins.same_route_other_record(t.href, c.get("href") or ""):
        return f"best candidate links to another record ({c.get('href')}, was {t.href})"
    shown = (c.get("text") or scoring.screen_label(c)).lower()
    if shown and shown not in t.own_labels and shown in t.neighbors and not confirmed:
        # The candidate's text, or a field's label, was already on the page next to the old element: it
        # is that neighbour ("Continue with Google" beside a removed "Continue with Okta", the "Last
        # name" field after a removed "First name"), not the element.
        return f"best candidate ('{shown[:60]}') was the old element's neighbour, not the element"
    # The visible label when there was one (an aria-label built from it may survive a relabelling).
    if LABEL_MIN > 0 and t.has_label and scoring.label_similarity(t, sims) < LABEL_MIN and not confirmed:
        # Same place, same style, another label: most often a different control ("Print" where
        # "Post comment" was), which is exactly the confident wrong heal to avoid.
        new, old = (c.get("accessible_name") or c.get("text") or "")[:60], (t.acc or t.text or t.label)[:60]
        verdict = "names the opposite of" if opposed(words(old), words(new)) else "does not match"
        return f"best candidate's label '{new}' {verdict} '{old}' and no unique identifier confirms it"
    qualified = twins.qualified_words(t, c) if QUALIFIED_GATE and not confirmed else None
    if qualified:
        old, new = qualified
        return (
            f"best candidate reads '{new[:60]}' where the old element read '{old[:60]}': a qualified look-alike, "
            "and none of its own labels matches the old one; no unique identifier confirms it"
        )
    if not roles_compatible(c.get("role") or "", t.role):
        return f"best candidate's role '{c.get('role')}' is not compatible with '{t.role}'"
    if best.locator is None:
        return (
            "no selector addresses the best candidate alone: it is inside a web component's shadow root, where "
            "XPath cannot reach, and has no unique test id, id, name or text"
        )
    return ""


def _worth_knowing(t: scoring.Target, best: _Best, known: twins.Recognised, meant: dict[int, float]) -> str:
    """What a healed step's reason adds to the attributes that matched: how the element was confirmed by
    elimination, a label that no longer labels its field, a label read for its meaning."""
    c = best.element
    out = ""
    if best.i == known.sole_holder and t.fp.get("look_alikes"):
        out += (
            f"; the only one left with its label or identifier once the old page's {len(t.fp['look_alikes'])} "
            "look-alikes were recognised"
        )
    # A label that no longer labels the field is worth knowing about: getByLabel and screen readers lost it.
    if not c.get("label") and c.get("detached_label") and best.sims.get("label", 0.0) >= 0.8:
        out += f"; its label '{c['detached_label'][:60]}' no longer labels it (the label's `for` names no element)"
    if best.i in meant:
        out += (
            f"; its label '{(c.get('text') or c.get('accessible_name') or scoring.screen_label(c))[:60]}' is not "
            f"the old '{(t.text or t.acc or t.label)[:60]}' but means the same (meaning {meant[best.i]:.2f})"
        )
    return out
