"""Replay benchmark cases and show why the healer decided what it did (for tuning-split analysis).

.venv/bin/python -m bench.healing.explain SEED [SEED ...]
"""

from __future__ import annotations

import sys

from playwright.sync_api import sync_playwright

from testruns.engine.healing import capture_candidates, fingerprint_element, heal
from testruns.engine.healing.scoring import Target, precise_score

from .generate import make_case
from .run import CHROMIUM_ARGS, MARK_JS, _chromium

_SHOW = ("tag", "id", "name", "classes", "text", "role", "accessible_name", "label", "test_ids", "xpath")


def _brief(fp: dict) -> str:
    return " ".join(f"{k}={fp.get(k)!r}" for k in _SHOW if fp.get(k))


def main(seeds: list[int]) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        for seed in seeds:
            case = make_case(seed)
            page.set_content(case.before_html)
            page.evaluate(MARK_JS)
            target = fingerprint_element(page, page.evaluate_handle("window.__benchTarget"))
            page.set_content(case.after_html)
            present = page.evaluate(MARK_JS)
            candidates = capture_candidates(page, quiet_ms=0)
            decision = heal(target, candidates)
            print(f"== seed {seed} {case.kind}/{case.style} {case.families} deleted={case.deleted}")
            print(f"   old:  {_brief(target)}")
            if present:
                truth = fingerprint_element(page, page.evaluate_handle("window.__benchTarget"))
                match = next(c for c in candidates if c["xpath"] == truth["xpath"])
                score, sims, _ = precise_score(Target(target), match)
                print(f"   new:  {_brief(truth)}")
                print(f"   true score {score:.3f} { ({k: round(v, 2) for k, v in sims.items()}) }")
            print(f"   decision: {decision.reason}")
            for guess in decision.top:
                print(f"   guess {guess['score']:.3f} {guess['locator']} {_brief(guess)}")
                print(f"         {guess['evidence']}")
        browser.close()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]])
