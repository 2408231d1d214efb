"""The two baselines the benchmark runs side by side with the healer, over the same fingerprints.

- Healenium-style: the tree-comparing scorer Healenium uses (longest common subsequence of the
  root-to-element tag path, plus fixed points for tag, id, own text, classes and other attributes,
  normalised by the maximum of 350 points), healing to the best-scoring element when it reaches the
  default score cap of 0.5. No margin and no visibility gate, as in Healenium.
- Single locator: the one selector a recorder would have saved for the element on the old page
  (test id, id, name, ..., XPath); it "heals" when that selector still matches exactly one element.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from testruns.engine.healing.similarity import lcs_len

HEALENIUM_SCORE_CAP = 0.5
_OTHER_ATTRS = ("name", "type", "href", "placeholder", "alt", "title")


def _lev(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a.lower(), b.lower(), autojunk=False).ratio()


def _others(fp: dict) -> dict[str, str]:
    out = {k: fp.get(k) or "" for k in _OTHER_ATTRS if fp.get(k)}
    for k, v in (fp.get("test_ids") or {}).items():
        out[k] = v
    return out


def healenium_score(target: dict, cand: dict, target_path: list[str] | None = None) -> float:
    tp = target_path if target_path is not None else [n["tag"] for n in target.get("path") or []] + [target["tag"]]
    cp = [n["tag"] for n in cand.get("path") or []] + [cand["tag"]]
    height = len(tp)
    lcs = lcs_len(tp, cp)
    if height == 0 or (height > 5 and lcs / height < 0.7):
        return 0.0
    score = lcs / height * 100.0
    if target["tag"] == cand["tag"]:
        score += 100.0
    if target.get("id") and cand.get("id"):
        score += 50.0 * _lev(target["id"], cand["id"])
    score += 30.0 * _lev(target.get("own_text") or "", cand.get("own_text") or "")
    tc, cc = set(target.get("classes") or []), set(cand.get("classes") or [])
    if tc or cc:
        score += 40.0 * (len(tc & cc) / len(tc | cc))
    to, co = _others(target), _others(cand)
    names = set(to) | set(co)
    if names:
        score += sum(30.0 * _lev(to.get(k, ""), co.get(k, "")) for k in names) / len(names)
    else:
        score += 30.0
    return score / 350.0


def healenium_heal(target: dict, candidates: list[dict]) -> tuple[dict | None, float]:
    """Best candidate and its score; the candidate is None when the score is under the cap."""
    tp = [n["tag"] for n in target.get("path") or []] + [target["tag"]]
    best, best_score = None, -1.0
    for c in candidates:
        s = healenium_score(target, c, tp)
        if s > best_score:
            best, best_score = c, s
    if best is None or best_score < HEALENIUM_SCORE_CAP:
        return None, max(best_score, 0.0)
    return best, best_score
