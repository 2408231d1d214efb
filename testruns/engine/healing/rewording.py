"""Labels read for their meaning: a control whose label's words were replaced ("Reply" now reads
"Respond") is compared by what the two labels mean, through the sentence-embedding model of meaning.py.
"""

from __future__ import annotations

from . import meaning, scoring
from .opposites import opposed
from .similarity import words

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


def compare_meaning(
    t: scoring.Target,
    best: scoring.Scored,
    candidates: list[dict],
    threshold: float,
) -> dict[int, float]:
    """Raise the label similarities of the best candidates to what their reworded labels mean.

    The candidates' `sims` dicts are raised in place (they are the short list's own), so scoring the
    short list again takes the raise into account.

    Only candidates that a perfect label would bring within MEANING_REACH of `threshold` are read:
    the others cannot be healed whatever their label means. Returns, per candidate raised, the
    cosine that raised it (the heal's evidence says so).
    """
    pairs = {}
    for i, score, sims, used in best:
        found = _reworded_labels(t, candidates[i], sims)
        gain = sum(used[key] * (1.0 - sims[key]) for key in found) / (sum(used.values()) or 1.0)
        if found and score + gain >= threshold - MEANING_REACH:
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


def _reworded_labels(t: scoring.Target, c: dict, sims: dict[str, float]) -> dict[str, tuple[str, str]]:
    """Per label attribute the candidate does not match exactly: (old, new) when the new words replaced the old."""
    pairs = {
        "text": (t.text, c.get("text") or ""),
        "accessible_name": (t.acc, c.get("accessible_name") or ""),
        "label": (t.label, scoring.screen_label(c)),
    }
    out = {}
    for key, (old, new) in pairs.items():
        if key not in sims or sims[key] >= 1.0 or not old or not new:
            continue
        if max(len(old), len(new)) > meaning.MAX_LABEL_CHARS:
            continue
        old_words, new_words = words(old), words(new)
        if opposed(old_words, new_words):
            continue
        if old_words and new_words and not (old_words <= new_words or new_words <= old_words):
            out[key] = (old, new)
    return out
