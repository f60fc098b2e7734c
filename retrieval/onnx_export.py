"""One-time ONNX export of the packaged BERT encoder, with ONNX Runtime's fused attention op.

The exported graph maps (input_ids, attention_mask, token_type_ids) to token embeddings;
pooling and normalisation happen in numpy. Each layer's self-attention is written as
ONNX Runtime's `com.microsoft.Attention` contrib op (Q/K/V projection, masked softmax and
weighting in one kernel), which measured about 1.2x faster on CPU than the traced eager
attention; the rest of the layer is the model's own modules, traced.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from retrieval.errors import EmbeddingModelError

ONNX_FILE_NAME = "minilm.onnx"
OPSET = 17
EXPORT_FORMAT = 2  # bump when the exported graph changes, so caches are rebuilt
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")


def model_fingerprint(model_path: Path) -> str:
    """A cheap fingerprint of a model folder and the export format, to detect a stale export."""
    digest = hashlib.sha256(f"format {EXPORT_FORMAT}".encode())
    for name in ("config.json", "tokenizer.json"):
        digest.update((model_path / name).read_bytes())
    for weights in sorted(model_path.glob("*.safetensors")) + sorted(model_path.glob("*.bin")):
        digest.update(f"{weights.name}:{weights.stat().st_size}".encode())
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Hide what torch's C++ exporter prints to file descriptor 2 (shape-inference notes).

    The custom attention op has no shape function, which the exporter reports once per
    layer. The tests compare the exported graph's embeddings with torch's instead.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@contextlib.contextmanager
def _without_onnx_package() -> Iterator[None]:
    """Let torch's TorchScript exporter write a model when the `onnx` package is absent.

    The exporter imports `onnx` only to splice custom onnxscript functions into the graph; this
    encoder has none, so passing the serialized bytes through unchanged is equivalent.
    """
    try:
        import onnx  # noqa: F401
    except ImportError:
        proto_utils: Any = importlib.import_module(
            "torch.onnx._internal.torchscript_exporter.onnx_proto_utils"
        )
        original = proto_utils._add_onnxscript_fn
        proto_utils._add_onnxscript_fn = lambda model_bytes, _opsets: model_bytes
        try:
            yield
        finally:
            proto_utils._add_onnxscript_fn = original
    else:
        yield


def _fused_encoder(model: Any) -> Any:
    """Wrap a BertModel so that tracing emits one Attention op per layer."""
    import torch

    heads = int(model.config.num_attention_heads)

    class FusedAttention(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, hidden: Any, weight: Any, bias: Any, mask: Any) -> Any:
            # The reference computation, used while tracing (BERT's eager attention).
            batch, tokens, width = hidden.shape
            q, k, v = (
                part.reshape(batch, tokens, heads, width // heads).transpose(1, 2)
                for part in (hidden @ weight + bias).split(width, dim=-1)
            )
            scores = q @ k.transpose(-1, -2) / (width // heads) ** 0.5
            scores = scores + (1.0 - mask[:, None, None, :].to(scores.dtype)) * -10000.0
            out = torch.softmax(scores, dim=-1) @ v
            return out.transpose(1, 2).reshape(batch, tokens, width)

        @staticmethod
        def symbolic(g: Any, hidden: Any, weight: Any, bias: Any, mask: Any) -> Any:
            mask_index = g.op("Cast", mask, to_i=6)  # int32, as the contrib op requires
            return g.op(
                "com.microsoft::Attention", hidden, weight, bias, mask_index, num_heads_i=heads
            )

    fused_attention: Any = FusedAttention.apply  # untyped in torch

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model
            for i, layer in enumerate(model.encoder.layer):
                attn = layer.attention.self
                projections = (attn.query, attn.key, attn.value)
                self.register_buffer(f"qkv_w{i}", torch.cat([p.weight.T for p in projections], 1))
                self.register_buffer(f"qkv_b{i}", torch.cat([p.bias for p in projections]))

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            x = self.model.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
            for i, layer in enumerate(self.model.encoder.layer):
                weight, bias = getattr(self, f"qkv_w{i}"), getattr(self, f"qkv_b{i}")
                attended = fused_attention(x, weight, bias, attention_mask)
                out = layer.attention.output
                x = out.LayerNorm(out.dense(attended) + x)
                hidden = layer.intermediate.intermediate_act_fn(layer.intermediate.dense(x))
                x = layer.output.LayerNorm(layer.output.dense(hidden) + x)
            return x

    return Encoder().eval()


def export_onnx(model_path: Path, target: Path) -> Path:
    """Export the packaged transformer to ONNX (token embeddings out).

    Args:
        model_path: The sentence-transformers model folder.
        target: Where to write the .onnx file; written atomically, with a .json sidecar.

    Returns:
        `target`.

    Raises:
        EmbeddingModelError: The model could not be loaded.
    """
    import torch
    from transformers import AutoModel

    try:
        model = AutoModel.from_pretrained(str(model_path), local_files_only=True).eval()
    except OSError as exc:
        raise EmbeddingModelError(
            f"Cannot load the embedding model from {model_path}: {exc}"
        ) from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    # Per process, so a server and a worker exporting at the same time do not mix files.
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    sample = torch.ones((2, 8), dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUT_NAMES, "last_hidden_state")}
    with (
        warnings.catch_warnings(),
        _without_onnx_package(),
        _native_stderr_silenced(),
        torch.no_grad(),
    ):
        warnings.simplefilter("ignore")  # tracer warnings about shape-dependent Python code
        torch.onnx.export(
            _fused_encoder(model),
            (sample, sample, torch.zeros_like(sample)),
            str(tmp),
            dynamo=False,
            opset_version=OPSET,
            input_names=list(INPUT_NAMES),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            custom_opsets={"com.microsoft": 1},
        )
    tmp.replace(target)
    sidecar = {"source": str(model_path), "fingerprint": model_fingerprint(model_path)}
    target.with_suffix(".json").write_text(json.dumps({**sidecar, "opset": OPSET}, indent=2))
    return target


def ensure_onnx_model(model_path: Path, cache_dir: Path) -> Path:
    """Return the cached ONNX export for `model_path`, exporting it first if missing or stale."""
    target = cache_dir / ONNX_FILE_NAME
    sidecar = target.with_suffix(".json")
    if target.is_file() and sidecar.is_file():
        with contextlib.suppress(ValueError):
            if json.loads(sidecar.read_text()).get("fingerprint") == model_fingerprint(model_path):
                return target
    return export_onnx(model_path, target)
