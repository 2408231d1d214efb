"""Tuning-split workbench: capture fingerprints once, then re-run the pure healer on them in seconds.

    .venv/bin/python -m bench.healing.offline collect --tuning 800 --out var/healing-tuning.pkl.gz
    .venv/bin/python -m bench.healing.offline eval var/healing-tuning.pkl.gz [more.pkl.gz ...]
    .venv/bin/python -m bench.healing.offline selectors --tuning-from 5000 --tuning 800

A stored case judges a heal by the chosen element's XPath, as the benchmark cannot without a browser;
`selectors` re-runs cases in Chromium to check that each guess's selector names exactly that element.

Only tuning-split seeds can be collected: the held-out split is never looked at while tuning.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import pickle
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from testruns.engine.healing import capture_candidates, fingerprint_element, heal
from testruns.engine.healing.capture import SHADOW_STEP

from .generate import HELDOUT_SEED_BASE, LATER_TUNING_KINDS, TUNING_KINDS, case_seeds, kind_of, make_case
from .mutate import FAMILIES
from .run import CHROMIUM_ARGS, MARK_JS, _chromium, case_fields, ours, rates, target_hidden, tune


def _open_case(page: Any, seed: int) -> tuple[Any, dict, bool]:
    """Render a tuning case's old page, fingerprint its target, render the new page: (case, old target's
    fingerprint, whether the target is still on the new page, marked as window.__benchTarget)."""
    case = make_case(seed)
    assert case.split == "tuning"
    page.set_content(case.before_html)
    page.evaluate(MARK_JS)
    target = fingerprint_element(page, page.evaluate_handle("window.__benchTarget"))
    page.set_content(case.after_html)
    return case, target, page.evaluate(MARK_JS)


def _in_chromium(seeds: list[int], work: Callable[[Any, int], list]) -> list:
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        for seed in seeds:
            out.extend(work(page, seed))
        browser.close()
    return out


def _stored_case(page: Any, seed: int) -> list[dict[str, Any]]:
    case, target, present = _open_case(page, seed)
    truth, hidden = None, False
    if present:
        truth = fingerprint_element(page, page.evaluate_handle("window.__benchTarget"))["xpath"]
        hidden = target_hidden(page)
    return [
        {
            **case_fields(case, hidden=hidden),
            "target": target,
            "candidates": capture_candidates(page, quiet_ms=0),
            "truth": truth,
        }
    ]


# Whether a selector resolves, through Playwright, to exactly the element at an XPath.
_NAMES_JS = "(els, xp) => els.length === 1 && els[0] === document.evaluate(xp, document, null, 9, null).singleNodeValue"


def _selector_slips(page: Any, seed: int) -> list[str]:
    """The healer's guesses whose selector does not resolve to exactly the element it chose.

    The stored cases judge a heal by XPath; the benchmark by the selector, in the page. Where the two
    disagree the healer picked right and then named its pick wrongly: only a browser can tell.
    """
    case, target, _ = _open_case(page, seed)
    decision = heal(target, capture_candidates(page, quiet_ms=0), threshold=0.0, margin=0.0)
    slips = []
    for guess in decision.top:
        loc = guess["locator"]
        if loc and SHADOW_STEP not in guess["xpath"] and not page.locator(loc).evaluate_all(_NAMES_JS, guess["xpath"]):
            slips.append(f"seed {seed} ({case.kind}): {loc} does not name {guess['xpath']}")
    return slips


def decide(cases: list[dict]) -> list[dict]:
    """Each case's decision with no threshold and no margin: what the tuner sweeps them over."""
    records = []
    for c in cases:
        d = heal(c["target"], c["candidates"], threshold=0.0, margin=0.0)
        top = d.top[0] if d.top else None
        records.append(
            {
                **{k: c[k] for k in ("seed", "split", "kind", "style", "families", "deleted")},
                # Cases stored before the generator marked rewording get it from their seed.
                "reworded": c["reworded"] if "reworded" in c else make_case(c["seed"]).reworded,
                "hidden": c.get("hidden", False),
                "reason": d.reason,
                "ours": {
                    "score": d.score,
                    "runner_up": d.runner_up_score,
                    "rival": d.rival_score,
                    "gates": d.healed,
                    "right": bool(top and c["truth"] and top["xpath"] == c["truth"]),
                },
            }
        )
    return records


def evaluate(records: list[dict]) -> None:
    rec = [r for r in records if not r["deleted"] and not r["hidden"]]
    print(f"top-1 right on recoverable: {sum(r['ours']['right'] for r in rec)}/{len(rec)}")
    t, m, tuned = tune(records)
    print(f"tuned threshold={t:.2f} margin={m:.2f}: {tuned}")
    decide = ours(t, m)
    groups = [(f"{fam:<14}", [r for r in records if fam in r["families"]]) for fam in FAMILIES]
    groups += [
        (f"page:{kind:<14}", [r for r in records if r["kind"] == kind]) for kind in sorted({r["kind"] for r in records})
    ]
    groups += [
        (f"{'reworded':<14}", [r for r in records if r["reworded"]]),
        (f"{'not reworded':<14}", [r for r in records if not r["reworded"]]),
    ]
    for name, sub in groups:
        if sub:
            print(f"  {name}{len(sub):>4} {rates(sub, decide)}")
    false = [r for r in records if decide(r)[0] and not decide(r)[1]]
    print("false heals at the tuned values:", [(r["seed"], r["kind"], r["families"]) for r in false])
    gated = [r for r in rec if r["ours"]["right"] and not r["ours"]["gates"]]
    print(f"right top-1 stopped by a gate: {len(gated)}")
    for r in gated[:40]:
        print(f"    {r['seed']} {r['kind']} {r['families']}: {r['reason'][:150]}")
    wrong = [r for r in rec if not r["ours"]["right"]]
    print("top-1 wrong:", [(r["seed"], r["families"]) for r in wrong][:30])
    missed = [r for r in rec if r["ours"]["right"] and not decide(r)[0]]
    print(
        "right but abstained:",
        [
            (r["seed"], round(r["ours"]["score"], 2), round(r["ours"]["score"] - r["ours"]["runner_up"], 2))
            for r in missed
        ][:30],
    )
    print(leave_one_kind_out(records))


def leave_one_kind_out(records: list[dict]) -> str:
    """How the tuner transfers to a page kind it has not seen: tune on all kinds but one, rate that one."""
    right = recoverable = wrong = attempts = 0
    picks = []
    for kind in sorted({r["kind"] for r in records}):
        t, m, _ = tune([r for r in records if r["kind"] != kind])
        left_out = [r for r in records if r["kind"] == kind]
        result = rates(left_out, ours(t, m))
        n = sum(1 for r in left_out if not r["deleted"] and not r["hidden"])
        right += round((result["heal_accuracy"] or 0.0) * n)
        recoverable += n
        wrong += result["false_heals"]
        attempts += result["heal_attempts"]
        picks.append(f"{kind} {t:.2f}/{m:.2f}")
    return (
        f"leave one kind out: {right}/{recoverable} right heals on the kind left out, "
        f"{wrong}/{attempts} false heals; picks: {', '.join(picks)}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("collect")
    v = sub.add_parser("selectors", help="check in Chromium that each guess's selector names exactly that guess")
    for p in (c, v):
        p.add_argument("--tuning", type=int, default=800)
        p.add_argument(
            "--tuning-from",
            type=int,
            default=0,
            help="first tuning seed: more tuning-split cases to study (seeds 800-4799 were, on 2026-11-29)",
        )
        p.add_argument("--kinds", default="", help="only cases of these page kinds (comma-separated), --tuning of them")
        p.add_argument("--workers", type=int, default=2)
    c.add_argument("--out", type=Path, required=True)
    e = sub.add_parser("eval", help="tune on the stored cases of one or more files together, and report")
    e.add_argument("files", type=Path, nargs="+")
    x = sub.add_parser("explain", help="why the healer decided what it did on stored tuning cases")
    x.add_argument("file", type=Path)
    x.add_argument("seeds", type=int, nargs="+")
    args = ap.parse_args()
    if args.cmd in ("collect", "selectors"):
        if args.kinds:
            kinds = set(args.kinds.split(","))
            unknown = kinds - set(TUNING_KINDS + LATER_TUNING_KINDS)
            if unknown:
                ap.error(f"not tuning page kinds: {', '.join(sorted(unknown))}")
            of_kinds = (s for s in range(args.tuning_from, HELDOUT_SEED_BASE) if kind_of(s) in kinds)
            seeds = list(itertools.islice(of_kinds, args.tuning))
        else:
            seeds = case_seeds("tuning", args.tuning, start=args.tuning_from)
        work = _stored_case if args.cmd == "collect" else _selector_slips
        chunks = [seeds[i :: args.workers] for i in range(args.workers)]
        found: list = []
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            for part in pool.map(partial(_in_chromium, work=work), chunks):
                found.extend(part)
    if args.cmd == "selectors":
        print("\n".join(sorted(found)))
        print(f"{len(found)} guesses of {len(seeds)} cases have a selector that does not name them")
    elif args.cmd == "collect":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(args.out, "wb") as fh:
            pickle.dump(sorted(found, key=lambda x: x["seed"]), fh)
        print(f"stored {len(found)} tuning cases in {args.out}")
    elif args.cmd == "explain":
        with gzip.open(args.file, "rb") as fh:
            stored = {c["seed"]: c for c in pickle.load(fh)}
        for seed in args.seeds:
            explain(stored[seed])
    else:
        records = []
        for path in args.files:  # one file's pages at a time: 800 cases' candidates take gigabytes
            with gzip.open(path, "rb") as fh:
                records += decide(pickle.load(fh))
        evaluate(records)


_SHOW = (
    "tag",
    "id",
    "name",
    "classes",
    "text",
    "accessible_name",
    "label",
    "test_ids",
    "href",
    "context",
    "neighbor_texts",
    "xpath",
)


def _brief(fp: dict) -> str:
    return " ".join(f"{k}={fp.get(k)!r}" for k in _SHOW if fp.get(k))


def explain(c: dict) -> None:
    d = heal(c["target"], c["candidates"])
    print(f"== seed {c['seed']} {c['kind']}/{c['style']} {c['families']} deleted={c['deleted']}")
    print(f"   old:  {_brief(c['target'])} unique={c['target'].get('unique')}")
    if c["truth"]:
        truth = next(x for x in c["candidates"] if x["xpath"] == c["truth"])
        print(f"   new:  {_brief(truth)}")
    print(f"   decision: {d.reason}")
    for guess in d.top:
        mark = " (truth)" if guess["xpath"] == c["truth"] else ""
        print(f"   guess {guess['score']:.3f}{mark} {_brief(guess)}")
        print(f"         {guess['evidence']}")


if __name__ == "__main__":
    main()
