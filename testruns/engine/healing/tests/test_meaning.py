"""The label model: the numpy encoder against sentence-transformers' own output, and the fallback without it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from testruns.engine.healing import heal, meaning, rewording

from .test_healer import OLD_SUBMIT, login_page, submit_button

# Computed with sentence-transformers 5 on PyTorch 2.13 (CPU) from the same all-MiniLM-L6-v2 weights:
# model.encode([a, b], normalize_embeddings=True), then the dot product.
REFERENCE_COSINES = [
    ("Delete", "Remove", 0.757621),
    ("Delete", "Preview", 0.308042),
    ("Save", "Save changes", 0.623689),
    ("Sign in", "Log in", 0.867450),
    ("Edit", "Export", 0.221013),
    ("Add to cart", "Add to basket", 0.641145),
]
REFERENCE_DELETE_HEAD = [-0.054688, 0.065973, -0.024737, 0.018034, -0.00957, -0.018304]


@pytest.mark.parametrize(("a", "b", "cosine"), REFERENCE_COSINES)
def test_the_numpy_encoder_gives_what_sentence_transformers_gives(a: str, b: str, cosine: float) -> None:
    assert meaning.available(), "the label model is not installed: run scripts/setup.sh"
    assert meaning.similarity(a, b) == pytest.approx(cosine, abs=1e-5)


def test_embeddings_are_unit_vectors_whatever_the_batch() -> None:
    alone = meaning.embed(["Delete"])[0]
    assert [round(float(x), 6) for x in alone[:6]] == pytest.approx(REFERENCE_DELETE_HEAD, abs=1e-5)
    meaning._cache.clear()  # the same label again, encoded in a padded batch with a longer one
    batched = meaning.embed(["Move this conversation to the archive", "Delete"])
    assert float(batched[1] @ alone) == pytest.approx(1.0, abs=1e-5)
    assert float((batched**2).sum(axis=1).max()) == pytest.approx(1.0, abs=1e-5)


@pytest.fixture
def no_label_model(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[None]:
    monkeypatch.setenv("ARGUS_LABEL_MODEL_DIR", str(tmp_path))
    meaning._encoder.cache_clear()
    yield
    monkeypatch.delenv("ARGUS_LABEL_MODEL_DIR")
    meaning._encoder.cache_clear()


def test_without_the_model_labels_are_compared_by_their_words(no_label_model: None) -> None:
    assert not meaning.available()
    with pytest.raises(RuntimeError, match="no label model"):
        meaning.embed(["Never seen before"])
    relabelled = submit_button(id="signin-btn", text="Log in", accessible_name="Log in")
    decision = heal(OLD_SUBMIT, login_page(submit=relabelled))
    assert not decision.healed and "means the same" not in decision.reason
    renamed = submit_button(id="signin-btn")
    assert heal(OLD_SUBMIT, login_page(submit=renamed)).healed


def test_the_healer_consults_the_model_only_when_switched_on(monkeypatch: pytest.MonkeyPatch) -> None:
    relabelled = submit_button(id="signin-btn", text="Log in", accessible_name="Log in")
    assert heal(OLD_SUBMIT, login_page(submit=relabelled)).healed
    monkeypatch.setattr(rewording, "LABEL_MEANING", False)
    assert not heal(OLD_SUBMIT, login_page(submit=relabelled)).healed


def test_a_batch_larger_than_the_cache_still_comes_back_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(meaning, "_CACHE_SIZE", 2)
    meaning._cache.clear()
    labels = ["Archive", "Reply", "Forward", "Mark as read", "Archive"]
    vectors = meaning.embed(labels)
    assert vectors.shape == (5, 384)
    assert float(vectors[0] @ vectors[4]) == pytest.approx(1.0, abs=1e-6)
    assert len(meaning._cache) <= 2
