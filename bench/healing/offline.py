"""Tuning-split workbench: capture fingerprints once, then re-run the pure healer on them in seconds.

    .venv/bin/python -m bench.healing.offline collect --tuning 300 --out var/healing-tuning.pkl.gz
    .venv/bin/python -m bench.healing.offline eval var/healing-tuning.pkl.gz

Only tuning-split seeds can be collected: the held-out split is never looked at while tuning.
"""

from __future__ import annotations

import argparse
import gzip
import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from testruns.engine.healing import capture_candidates, fingerprint_element, heal

from .generate import case_seeds, make_case
from .mutate import FAMILIES
from .run import CHROMIUM_ARGS, MARK_JS, _chromium, ours, rates, tune


def _collect(seeds: list[int]) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        for seed in seeds:
            case = make_case(seed)
            assert case.split == "tuning"
            page.set_content(case.before_html)
            page.evaluate(MARK_JS)
            target = fingerprint_element(page, page.evaluate_handle("window.__benchTarget"))
            page.set_content(case.after_html)
            truth = None
            if page.evaluate(MARK_JS):
                truth = fingerprint_element(page, page.evaluate_handle("window.__benchTarget"))["xpath"]
            out.append({"seed": seed, "split": case.split, "kind": case.kind, "style": case.style,
                        "families": case.families, "deleted": case.deleted, "target": target,
                        "candidates": capture_candidates(page, quiet_ms=0), "truth": truth})
        browser.close()
    return out


def evaluate(cases: list[dict]) -> None:
    records = []
    for c in cases:
        d = heal(c["target"], c["candidates"], threshold=0.0, margin=0.0)
        top = d.top[0] if d.top else None
        records.append({**{k: c[k] for k in ("seed", "split", "kind", "style", "families", "deleted")},
                        "ours": {"score": d.score, "runner_up": d.runner_up_score, "gates": d.healed,
                                 "right": bool(top and c["truth"] and top["xpath"] == c["truth"])}})
    rec = [r for r in records if not r["deleted"]]
    print(f"top-1 right on recoverable: {sum(r['ours']['right'] for r in rec)}/{len(rec)}")
    t, m, tuned = tune(records)
    print(f"tuned threshold={t:.2f} margin={m:.2f}: {tuned}")
    for fam in FAMILIES:
        sub = [r for r in records if fam in r["families"]]
        if sub:
            print(f"  {fam:<14}{len(sub):>4} {rates(sub, ours(t, m))}")
    wrong = [r for r in rec if not r["ours"]["right"]]
    print("top-1 wrong:", [(r["seed"], r["families"]) for r in wrong][:30])
    missed = [r for r in rec if r["ours"]["right"] and not ours(t, m)(r)[0]]
    print("right but abstained:", [(r["seed"], round(r["ours"]["score"], 2),
                                    round(r["ours"]["score"] - r["ours"]["runner_up"], 2)) for r in missed][:30])


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--tuning", type=int, default=300)
    c.add_argument("--workers", type=int, default=2)
    c.add_argument("--out", type=Path, required=True)
    e = sub.add_parser("eval")
    e.add_argument("file", type=Path)
    args = ap.parse_args()
    if args.cmd == "collect":
        seeds = case_seeds("tuning", args.tuning)
        chunks = [seeds[i:: args.workers] for i in range(args.workers)]
        cases: list[dict] = []
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            for part in pool.map(_collect, chunks):
                cases.extend(part)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(args.out, "wb") as fh:
            pickle.dump(sorted(cases, key=lambda x: x["seed"]), fh)
        print(f"stored {len(cases)} tuning cases in {args.out}")
    else:
        with gzip.open(args.file, "rb") as fh:
            evaluate(pickle.load(fh))


if __name__ == "__main__":
    main()
