"""Seeded generator of benchmark cases: a page before and after an app change, and hidden ground truth.

Splits differ in seeds and in page kinds: the tuning split (which sets the healer's threshold and
margin) never sees the held-out kinds, so held-out numbers measure generalisation to page shapes
the thresholds were not fitted on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .dom import Node, find_target, render
from .mutate import DELETIONS, FAMILIES, applicable, apply
from .pages import Builder, build_page
from .styles import STYLES, Style

# team, inbox and kanban were added to the tuning split (see docs/healing.md): twin-heavy pages of its own.
TUNING_KINDS = ("login", "navigation", "card_grid", "settings", "comments", "faq", "team", "inbox", "kanban")
HELDOUT_KINDS = ("table", "form", "modal", "search_results", "pricing", "dashboard")
# Checkout forms and order tables joined the tuning split on 2026-11-30 (see pages.py), from seed 5,000 on:
# the cases the shipped thresholds were tuned on (seeds 0-4799) stay the cases they were.
LATER_TUNING_KINDS = ("checkout", "orders")
LATER_TUNING_FROM = 5000
HELDOUT_SEED_BASE = 1_000_000
# How many mutations a case gets: mostly few, sometimes five.
_N_MUTATIONS = (1, 2, 3, 4, 5)
_N_WEIGHTS = (0.30, 0.25, 0.20, 0.15, 0.10)
P_DELETED = 0.2
_FAMILY_WEIGHTS = {"id": 4.0, "name": 4.0, "test_id": 4.0}
_TARGET_KIND_WEIGHTS = {"action": 0.5, "input": 0.25, "toggle": 0.1, "text": 0.15}


@dataclass
class Case:
    seed: int
    split: str
    kind: str
    style: str
    families: list[str]
    deleted: bool
    before_html: str
    after_html: str
    reworded: bool = False  # the target is on the after page, its words changed by a copy edit


def case_seeds(split: str, n: int, *, start: int | None = None) -> list[int]:
    """`n` seeds of a split; a held-out run may start further on (fresh cases nobody has looked at)."""
    base = HELDOUT_SEED_BASE if split == "heldout" else 0
    if start is not None:
        if (start >= HELDOUT_SEED_BASE) != (split == "heldout"):
            raise ValueError(f"seed {start} is not in the {split} split")
        base = start
    return list(range(base, base + n))


def tuning_kinds(seed: int) -> tuple[str, ...]:
    return TUNING_KINDS + LATER_TUNING_KINDS if seed >= LATER_TUNING_FROM else TUNING_KINDS


def _draw_kind(rng: random.Random, seed: int) -> str:
    return rng.choice(HELDOUT_KINDS if seed >= HELDOUT_SEED_BASE else tuning_kinds(seed))


def kind_of(seed: int) -> str:
    """The page kind of a seed's case, without building it."""
    return _draw_kind(random.Random(seed), seed)


def make_case(seed: int, *, size: int = 2000) -> Case:
    split = "heldout" if seed >= HELDOUT_SEED_BASE else "tuning"
    rng = random.Random(seed)
    kind = _draw_kind(rng, seed)
    style_name = rng.choice(STYLES)
    style = Style(style_name, rng, build=f"b{seed}")
    body = build_page(Builder(style, rng), kind, size=size)
    main = next(n for n in body.elements() if n.tag == "main")
    by_kind: dict[str, list[Node]] = {}
    for n in main.elements():
        if n.kind:
            by_kind.setdefault(n.kind, []).append(n)
    kinds = [k for k in _TARGET_KIND_WEIGHTS if k in by_kind]
    target_kind = rng.choices(kinds, weights=[_TARGET_KIND_WEIGHTS[k] for k in kinds])[0]
    target = rng.choice(by_kind[target_kind])
    target.target = True
    before_html = _document(body)

    after = body.copy()
    n_mut = rng.choices(_N_MUTATIONS, weights=_N_WEIGHTS)[0]
    deleted = rng.random() < P_DELETED
    families: list[str] = []
    tgt = next(n for n in after.elements() if n.target)
    pool = [f for f in FAMILIES if f not in DELETIONS and applicable(f, after, tgt)]
    # Weighted sampling without replacement: identifier changes are the classic locator breakers and
    # apply to fewer targets, so they are drawn more often when they apply.
    pool.sort(key=lambda f: rng.random() ** (1.0 / _FAMILY_WEIGHTS.get(f, 1.0)), reverse=True)
    for fam in pool[: n_mut - 1 if deleted else n_mut]:
        tgt = next(n for n in after.elements() if n.target)
        if applicable(fam, after, tgt):
            apply(fam, after, style, rng)
            families.append(fam)
    if deleted:
        fam = rng.choice(DELETIONS)
        apply(fam, after, style, rng)
        families.append(fam)
    survivor = find_target(after)
    return Case(
        seed,
        split,
        kind,
        style_name,
        families,
        deleted,
        before_html,
        _document(after),
        reworded=bool(survivor and survivor.reworded),
    )


def _document(body: Node) -> str:
    return f"<!doctype html><html><head><meta charset='utf-8'><title>Bench</title></head>{render(body)}</html>"
