"""The healing benchmark's tuner and seed ranges (pure: no browser)."""

from __future__ import annotations

import pytest

from bench.healing.generate import HELDOUT_SEED_BASE, case_seeds
from bench.healing.run import tune


def record(score: float, rival: float, *, right: bool = True, deleted: bool = False) -> dict:
    return {"deleted": deleted, "ours": {"score": score, "runner_up": rival, "rival": rival, "gates": True,
                                         "right": right and not deleted}}


def test_the_tuner_takes_the_strictest_setting_within_one_standard_error_of_the_best() -> None:
    # 100 recoverable cases: 90 clear heals at 0.9, 2 more that only a threshold under 0.4 takes, and
    # deleted-target cases the healer scores low. Taking those 2 is within one standard error (3 points).
    records = [record(0.9, 0.1) for _ in range(90)] + [record(0.35, 0.0) for _ in range(2)]
    records += [record(0.1, 0.0, right=False) for _ in range(8)] + [record(0.2, 0.0, deleted=True) for _ in range(50)]
    t, m, result = tune(records)
    # The most accurate setting (0.92, threshold at most 0.35) is not chosen: the strictest one is.
    assert (t, m) == (0.9, 0.3)
    assert result["heal_accuracy"] == 0.9 and result["false_heals"] == 0


def test_the_tuner_never_buys_accuracy_with_wrong_heals() -> None:
    records = [record(0.9, 0.1) for _ in range(40)] + [record(0.6, 0.0) for _ in range(40)]
    assert tune(records)[2]["heal_accuracy"] == 1.0  # no deleted cases: abstentions cannot fail
    # Ten deleted targets the healer scores 0.65: any threshold at or under 0.65 heals them wrongly.
    records += [record(0.65, 0.0, deleted=True) for _ in range(10)]
    t, _, result = tune(records)
    assert result["false_heals"] == 0 and t > 0.65
    # With a wrong heal no setting avoids (scored 0.99), the fewest false heals still wins over accuracy.
    records.append(record(0.99, 0.0, deleted=True))
    t, _, result = tune(records)
    assert result["false_heals"] == 1 and t > 0.65


def test_held_out_runs_can_start_on_fresh_seeds() -> None:
    assert case_seeds("heldout", 2) == [HELDOUT_SEED_BASE, HELDOUT_SEED_BASE + 1]
    assert case_seeds("heldout", 2, start=2_000_000) == [2_000_000, 2_000_001]
    with pytest.raises(ValueError):
        case_seeds("heldout", 2, start=5)
    with pytest.raises(ValueError):
        case_seeds("tuning", 2, start=2_000_000)
