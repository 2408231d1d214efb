"""The healing benchmark: its tuner, seed ranges and generator (pure), and its command on a few cases."""

from __future__ import annotations

import json
import random

import pytest

from bench.healing import label_pairs
from bench.healing.dom import Node, find_target, parent_map
from bench.healing.generate import HELDOUT_SEED_BASE, case_seeds
from bench.healing.mutate import apply, decoy_of, same_words
from bench.healing.offline import _in_chromium, _selector_slips
from bench.healing.run import main, ours, rates, tune
from bench.healing.styles import Style


def record(score: float, rival: float, *, right: bool = True, deleted: bool = False, hidden: bool = False) -> dict:
    return {
        "deleted": deleted,
        "hidden": hidden,
        "ours": {"score": score, "runner_up": rival, "rival": rival, "gates": True, "right": right and not deleted},
    }


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


def test_within_one_standard_error_the_tuner_takes_the_fewest_false_heals_before_the_strictest() -> None:
    # 400 clear heals and 40 cases no setting gets right; 4 right heals at 0.65 whose rival is 0.125 behind
    # (margin 0.12 or less takes them), 4 at 0.58 with 0.135 (threshold 0.58 or less); one deleted target
    # scored 0.7, 0.125 ahead of its rival. 0.65 / 0.12 and 0.58 / 0.13 each miss 4, within one standard
    # error of the best: the first is "stricter" (0.77 against 0.71) and heals the deleted target.
    records = [record(0.9, 0.1) for _ in range(400)] + [record(0.1, 0.0, right=False) for _ in range(40)]
    records += [record(0.65, 0.525) for _ in range(4)] + [record(0.58, 0.445) for _ in range(4)]
    records += [record(0.7, 0.575, deleted=True)] + [record(0.1, 0.0, deleted=True) for _ in range(60)]
    assert rates(records, ours(0.65, 0.12))["false_heals"] == 1
    t, m, result = tune(records)
    assert result["false_heals"] == 0 and (t, m) == (0.58, 0.13)


def test_held_out_runs_can_start_on_fresh_seeds() -> None:
    assert case_seeds("heldout", 2) == [HELDOUT_SEED_BASE, HELDOUT_SEED_BASE + 1]
    assert case_seeds("heldout", 2, start=2_000_000) == [2_000_000, 2_000_001]
    with pytest.raises(ValueError):
        case_seeds("heldout", 2, start=5)
    with pytest.raises(ValueError):
        case_seeds("tuning", 2, start=2_000_000)


def test_a_hidden_target_is_not_recoverable_and_healing_it_is_a_false_heal() -> None:
    # The change collapsed the target into a closed <details>: no step can act on it.
    records = [record(0.9, 0.1), record(0.9, 0.1, hidden=True), record(0.2, 0.0, right=False)]
    result = rates(records, ours(0.5, 0.05))
    assert result["heal_accuracy"] == 0.5  # one right heal over the two visible targets
    assert result["heal_attempts"] == 2 and result["false_heals"] == 1


def product_grid() -> Node:
    grid = Node("div", concept="list.grid")
    for n in range(3):
        card = Node("article", concept="card.product").add(Node("h3", concept="heading").add(f"Product {n}"))
        card.add(
            Node("div", concept="item.actions").add(
                Node("button", {"type": "button"}, ["Details"], kind="action", concept="button.link", target=n == 1)
            )
        )
        grid.add(card)
    return Node("main").add(Node("section", concept="container").add(grid))


def test_a_move_keeps_the_control_inside_its_own_card() -> None:
    # "Details" put into the next product's card would be that product's link, not the same one moved.
    for seed in range(60):
        root = product_grid()
        apply("move", root, Style("semantic", random.Random(seed), build="b"), random.Random(seed))
        parents = parent_map(root)
        node = find_target(root)
        while node.tag != "article":
            node = parents[id(node)]
        assert next(n for n in node.elements() if n.tag == "h3").text() == "Product 1", seed


def orders_table() -> Node:
    rows = []
    for n in range(1, 4):
        link = Node("a", {"href": f"/orders/{n}"}, ["View"], kind="action", concept="link", target=n == 2)
        cells = [
            Node("td", concept="cell").add(f"#{n}"),
            Node("td", concept="cell").add(f"Customer {n}"),
            Node("td", concept="cell.actions").add(link),
        ]
        rows.append(Node("tr", concept="row").add(*cells))
    return Node("main").add(Node("table", concept="card.table").add(Node("tbody").add(*rows)))


_TABLE_CHILDREN = {"table": {"thead", "tbody", "tr"}, "tbody": {"tr"}, "thead": {"tr"}, "tr": {"td", "th"}}


@pytest.mark.parametrize("family", ["wrap", "move"])
@pytest.mark.parametrize("target", ["link", "cell"])
def test_a_mutation_in_a_table_leaves_only_table_parts_where_the_parser_expects_them(family: str, target: str) -> None:
    # A <div> (or a bare link) directly in a <tr> is moved out of the table by the browser's parser, and a
    # <td> inside such a <div> is dropped: the target would leave its row, or the page, behind the
    # generator's back. Until 2026-11-30, unwrapping an actions cell and wrapping a cell did that.
    for seed in range(40):
        root = orders_table()
        if target == "cell":
            link = find_target(root)
            link.target, parent_map(root)[id(link)].target = False, True
        apply(family, root, Style("utility", random.Random(seed), build="b"), random.Random(seed))
        for node in root.elements():
            allowed = _TABLE_CHILDREN.get(node.tag)
            if allowed:
                assert all(c.tag in allowed for c in node.children if isinstance(c, Node)), (seed, node.tag)
        assert find_target(root) is not None


def contact_form() -> Node:
    field = Node("textarea", {"id": "msg", "name": "message"}, kind="input", target=True)
    return Node("form").add(
        Node("label", {"for": "email"}, ["Your email"]),
        Node("input", {"id": "email", "name": "email"}, kind="input"),
        Node("label", {"for": "msg"}, ["Message"]),
        field,
    )


@pytest.mark.parametrize("family", ["delete", "delete_decoy"])
def test_a_deleted_field_takes_its_label_along_even_after_its_id_was_removed(family: str) -> None:
    # Removing the id leaves the label naming nothing; it is still the field's label on screen, and a
    # field put in the deleted one's place must not inherit it.
    for seed in range(20):
        root = contact_form()
        rng = random.Random(seed)
        style = Style("semantic", rng, build="b")
        while "id" in find_target(root).attrs:  # the id mutation renames it half of the time
            apply("id", root, style, rng)
        apply(family, root, style, rng)
        assert [n.text() for n in root.elements() if n.tag == "label"] == ["Your email"], seed


def test_a_copy_edit_is_reworded_when_it_changes_the_words() -> None:
    # The table's "of which reworded" row counts the edits that changed the label's words ("Delete" ->
    # "Remove", "Save" -> "Save changes"); a case or punctuation change keeps them and is not one of them.
    seen = {}
    for old in ("Delete", "Save"):
        for seed in range(200):
            button = Node("button", kind="action", target=True).add(old)
            root = Node("main").add(Node("p").add("Intro"), button)
            apply("text", root, Style("semantic", random.Random(seed), build="b"), random.Random(seed))
            seen[button.own_text()] = button.reworded
    assert seen == {
        "Remove": True,
        "Save changes": True,
        "DELETE": False,
        "SAVE": False,
        "Delete!": False,
        "Delete...": False,
        "Delete:": False,
        "Delete \u2192": False,
        "Save!": False,
        "Save...": False,
        "Save:": False,
        "Save \u2192": False,
    }


@pytest.mark.browser
def test_the_benchmark_ends_with_one_json_line_under_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    # Four held-out cases in a real Chromium, with the shipped thresholds: the shape the issue asks for.
    main(["--tuning", "0", "--heldout", "4", "--workers", "1"])
    lines = capsys.readouterr().out.strip().splitlines()
    summary = json.loads(lines[-1])
    assert summary["cases"] == 4
    assert summary["label_model"] is True  # setup installs it: numbers without it would not be the product's
    for key in ("heal_accuracy", "false_heal_rate", "abstain_correct", "p50_ms", "p95_ms"):
        assert key in summary
    for baseline in ("healenium", "single_locator"):
        assert {"heal_accuracy", "false_heal_rate", "abstain_correct"} <= summary[baseline].keys()
    rows = {line.split("  ")[0] for line in lines if not line.startswith(("#", "{", "-", " "))}
    assert {"all", "all but reworded", "page:table"} <= rows


# Order-table cases (tuning split) whose target is a cell and whose changes wrap its content in a <div>.
WRAPPED_CELLS = [5417, 5527, 5971, 6321, 6770, 7003]


@pytest.mark.browser
def test_every_guess_on_wrapped_cells_has_a_selector_that_names_it() -> None:
    # A stored case judges a heal by XPath; the benchmark by the selector. A td:text-is(...) for a cell
    # whose text now sits in a <div> resolved to nothing, and held-out tables counted those heals wrong.
    assert _in_chromium(WRAPPED_CELLS, _selector_slips) == []


@pytest.mark.parametrize("label", ["Close", "Beta features", "Invite team", "Mark all as read"])
def test_a_look_alike_never_has_the_old_labels_words(label: str) -> None:
    # A "Close" beside a deleted "Close", or "Beta features (beta)" for "Beta features", is the same
    # words: a healer that takes it has not been fooled by a look-alike, yet the benchmark counted it so.
    for seed in range(200):
        button = Node("button", {"id": "b"}, [label], kind="action", target=True)
        decoy = decoy_of(button, Node("div").add(button), random.Random(seed))
        assert not same_words(decoy.own_text(), label), (seed, decoy.own_text())


def test_a_selects_look_alike_and_copy_edit_change_its_label_not_its_options() -> None:
    def country_field() -> tuple[Node, Node]:
        select = Node("select", {"name": "country"}, kind="input", target=True)
        select.add(Node("option", {"value": "DE"}, ["Germany"]), Node("option", {"value": "FR"}, ["France"]))
        return Node("form").add(Node("label", {}, ["Country"]).add(select)), select

    for seed in range(20):
        form, select = country_field()
        decoy = decoy_of(select, form, random.Random(seed))
        assert decoy.tag == "label" and decoy.own_text() != "Country"
        assert [o.own_text() for o in decoy.elements() if o.tag == "option"] == ["Germany", "France"]
        form, select = country_field()
        apply("text", form, Style("semantic", random.Random(seed), build="b1"), random.Random(seed))
        assert [o.own_text() for o in form.elements() if o.tag == "option"] == ["Germany", "France"]
        assert next(n for n in form.elements() if n.tag == "label").own_text() != "Country"


def test_the_label_model_report_judges_the_model_on_pairs_the_generator_never_uses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    label_pairs.main()  # asserts the lists share no pair with the generator and every opposite is stopped
    report = capsys.readouterr().out.splitlines()
    assert report[0].split() == ["cut-off", "relabellings", "healed", "other", "actions", "let", "through"]
    assert len(report) == 1 + len(label_pairs.CUTOFFS) + 1 + len(label_pairs.OPPOSITES)
