"""The Chroma vector store contract, against an embedded folder and a real local Chroma server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from content_index.model import Chunk, ModuleMeta
from retrieval.errors import VectorStoreError
from retrieval.store import ChromaVectorStore, decode_audience

StoreFactory = Callable[..., ChromaVectorStore]
CHROMA_CLI = Path(sys.executable).parent / "chroma"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_heartbeat(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chroma run exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"Chroma server at {url} did not answer within {timeout} s")


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `chroma run` server on a free port, stopped after the module's tests."""
    if not CHROMA_CLI.is_file():
        pytest.skip(f"chroma CLI not found at {CHROMA_CLI}")
    port = _free_port()
    folder = tmp_path_factory.mktemp("chroma-server")
    process = subprocess.Popen(
        [str(CHROMA_CLI), "run", "--path", str(folder), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_heartbeat(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(params=["embedded", "server"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    """Opens stores on one backend; every test gets its own collection."""
    collection = f"test-{uuid.uuid4().hex[:12]}"
    if request.param == "server":
        url = request.getfixturevalue("chroma_server")
        return lambda **kw: ChromaVectorStore(url=url, collection=collection, **kw)
    return lambda **kw: ChromaVectorStore(path=tmp_path / "chroma", collection=collection, **kw)


def _module(module_id: str, audience: tuple[str, ...] = ()) -> ModuleMeta:
    return ModuleMeta(id=module_id, title=module_id.title(), audience=audience)


def _chunks(module_id: str, count: int, *, prefix: str = "text") -> list[Chunk]:
    return [
        Chunk(
            id=f"{module_id}::{i}",
            module_id=module_id,
            ordinal=i,
            section=f"Section {i}",
            anchor=f"section-{i}",
            text=f"{prefix} {module_id} {i}",
            line_start=10 * i + 1,
            line_end=10 * i + 9,
        )
        for i in range(count)
    ]


def _vectors(count: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(count, 384)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_upsert_count_and_list_modules(open_store: StoreFactory) -> None:
    store = open_store()
    store.upsert_module(_module("a"), _chunks("a", 3), _vectors(3, 1))
    store.upsert_module(_module("b"), _chunks("b", 2), _vectors(2, 2))
    assert store.count() == 5
    assert store.module_ids() == {"a", "b"}


def test_query_returns_cosine_scores_and_metadata(open_store: StoreFactory) -> None:
    store = open_store()
    vectors = _vectors(4, 3)
    store.upsert_module(_module("a", ("sales",)), _chunks("a", 4), vectors)
    hits = store.query(vectors[2], k=2)
    assert hits[0].chunk_id == "a::2"
    assert hits[0].score == pytest.approx(1.0, abs=1e-4)
    assert hits[1].score < hits[0].score
    meta = hits[0].metadata
    assert (meta["module_id"], meta["ordinal"], meta["section"], meta["anchor"]) == (
        "a",
        2,
        "Section 2",
        "section-2",
    )
    assert (meta["line_start"], meta["line_end"]) == (21, 29)
    assert decode_audience(meta["audience"]) == ("sales",)
    assert hits[0].text == "text a 2"


def test_reupsert_replaces_a_module_and_drops_leftovers(open_store: StoreFactory) -> None:
    store = open_store()
    store.upsert_module(_module("a"), _chunks("a", 4), _vectors(4, 4))
    store.upsert_module(_module("b"), _chunks("b", 1), _vectors(1, 5))
    fresh = _vectors(2, 6)
    store.upsert_module(_module("a"), _chunks("a", 2, prefix="new"), fresh)
    assert store.count() == 3
    hit = store.query(fresh[1], k=1)[0]
    assert (hit.chunk_id, hit.text) == ("a::1", "new a 1")
    assert {h.chunk_id for h in store.query(fresh[0], k=10)} == {"a::0", "a::1", "b::0"}


def test_bulk_upsert_replaces_each_listed_module(open_store: StoreFactory) -> None:
    store = open_store()
    store.upsert_modules(
        {"a": _module("a"), "b": _module("b")}, _chunks("a", 3) + _chunks("b", 2), _vectors(5, 16)
    )
    store.upsert_module(_module("keep"), _chunks("keep", 1), _vectors(1, 17))
    listed = {m: _module(m) for m in ("a", "b", "c")}
    store.upsert_modules(listed, _chunks("a", 1) + _chunks("c", 2), _vectors(3, 18))
    assert store.module_ids() == {"a", "c", "keep"}
    assert store.count() == 4
    with pytest.raises(VectorStoreError, match="without metadata: \\['zzz'\\]"):
        store.upsert_modules(listed, _chunks("zzz", 1), _vectors(1, 19))


def test_delete_module(open_store: StoreFactory) -> None:
    store = open_store()
    store.upsert_module(_module("a"), _chunks("a", 3), _vectors(3, 7))
    store.upsert_module(_module("b"), _chunks("b", 2), _vectors(2, 8))
    assert store.delete_module("a") == 3
    assert store.delete_module("a") == 0
    assert store.module_ids() == {"b"}


def test_query_filters_by_module_and_role(open_store: StoreFactory) -> None:
    store = open_store()
    vectors = _vectors(3, 9)
    store.upsert_module(_module("open"), _chunks("open", 1), vectors[:1])
    store.upsert_module(_module("sales", ("sales",)), _chunks("sales", 1), vectors[1:2])
    store.upsert_module(_module("ops", ("ops", "support")), _chunks("ops", 1), vectors[2:])

    def modules(**kw: object) -> set[str]:
        return {h.metadata["module_id"] for h in store.query(vectors[1], k=10, **kw)}  # type: ignore[arg-type]

    assert modules() == {"open", "sales", "ops"}
    assert modules(roles=()) == {"open"}
    assert modules(roles=("support",)) == {"open", "ops"}
    assert modules(roles=("sales", "ops")) == {"open", "sales", "ops"}
    assert modules(module_ids={"sales", "ops"}) == {"sales", "ops"}
    assert modules(module_ids={"sales", "ops"}, roles=("ops",)) == {"ops"}
    assert modules(excluded_module_ids={"sales"}) == {"open", "ops"}
    assert modules(excluded_module_ids={"sales"}, roles=("sales", "ops")) == {"open", "ops"}
    assert modules(module_ids=set()) == set()


def test_adds_are_split_into_batches(open_store: StoreFactory) -> None:
    store = open_store(batch_size=3)
    store.upsert_module(_module("big"), _chunks("big", 8), _vectors(8, 10))
    assert store.count() == 8
    assert store.module_ids() == {"big"}
    store.upsert_module(_module("big"), _chunks("big", 1), _vectors(1, 11))
    assert store.count() == 1


def test_data_survives_reopening(open_store: StoreFactory) -> None:
    vectors = _vectors(2, 12)
    open_store().upsert_module(_module("a"), _chunks("a", 2), vectors)
    reopened = open_store()
    assert reopened.count() == 2
    assert reopened.query(vectors[0], k=1)[0].chunk_id == "a::0"


def test_chroma_is_never_asked_to_embed(open_store: StoreFactory) -> None:
    store = open_store()
    store.upsert_module(_module("a"), _chunks("a", 1), _vectors(1, 13))
    collection = store._collection  # the guard lives on the underlying collection
    with pytest.raises(VectorStoreError, match="precomputed embeddings"):
        collection.query(query_texts=["anything"], n_results=1)
    with pytest.raises(VectorStoreError, match="precomputed embeddings"):
        collection.add(ids=["x"], documents=["needs embedding"])


def test_rejects_mismatched_input(open_store: StoreFactory) -> None:
    store = open_store()
    with pytest.raises(VectorStoreError, match="2 chunks but 1 vectors"):
        store.upsert_module(_module("a"), _chunks("a", 2), _vectors(1, 14))
    with pytest.raises(VectorStoreError, match="belong elsewhere"):
        store.upsert_module(_module("b"), _chunks("a", 1), _vectors(1, 15))


def test_bad_urls_are_reported() -> None:
    with pytest.raises(VectorStoreError, match="http://host:port"):
        ChromaVectorStore(url="ftp://example.org")
    with pytest.raises(VectorStoreError, match=r"127\.0\.0\.1"):
        ChromaVectorStore(url=f"http://127.0.0.1:{_free_port()}")
