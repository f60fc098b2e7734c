"""Hybrid search: dense (Chroma) and BM25 candidates fused, aggregated per module, filtered."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from content_index.model import Chunk, ModuleMeta
from retrieval.bm25 import BM25Index
from retrieval.embedding import Embedder, embedding_text
from retrieval.errors import IndexMismatchError, VectorStoreError
from retrieval.fusion import (
    aggregate_by_group,
    diversify_by_group,
    jaccard,
    reciprocal_rank_fusion,
    weighted_score_fusion,
)
from retrieval.lexical import build_lexical_index
from retrieval.store import ChromaVectorStore, VectorHit
from retrieval.text import tokenize

ModuleFilter = Callable[[str], bool]
StoreSource = ChromaVectorStore | Callable[[], ChromaVectorStore]


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk.

    Attributes:
        chunk_id: Chunk id.
        module_id: Its module.
        section: Section title, for citations.
        anchor: Section anchor, for links.
        line_start: First source line (0 if unknown).
        line_end: Last source line (0 if unknown).
        text: The chunk text.
        score: Fused score used for ranking (comparable within one result list only).
        dense_score: Cosine similarity to the query, None if not a dense candidate.
        lexical_score: BM25 score, None if not a lexical candidate.
    """

    chunk_id: str
    module_id: str
    section: str
    anchor: str
    line_start: int
    line_end: int
    text: str
    score: float
    dense_score: float | None
    lexical_score: float | None


@dataclass(frozen=True)
class HybridConfig:
    """Tuning of `HybridRetriever` (defaults chosen with bench/bench_retrieval.py).

    Attributes:
        candidates: Chunks taken from each of the dense and lexical retrievers.
        fusion: "rrf" (reciprocal rank fusion) or "weighted" (max-normalised score sum).
        rrf_k: RRF constant.
        dense_weight: Weight of the dense list in the fusion.
        lexical_weight: Weight of the BM25 list in the fusion.
        module_decay: Each chunk already listed from a module multiplies the score of that
            module's next chunk by this factor (1.0: no diversification), so the first results
            cover several modules while a module's strong second chunk can still follow.
        module_weight: Share of the module's aggregate score added to each of its chunks, so
            a module with several matching chunks outranks one lucky chunk (0.0 disables it).
        module_top_m: The module aggregate sums its best `module_top_m` chunk scores (2
            measured best; 3 lets long modules crowd out the right one).
        dedupe_threshold: Term-set Jaccard at or above which a lower-ranked chunk is dropped.
        overfetch: With an audience or module restriction, first ask the vector store for
            this many times `candidates` without the filter and keep the permitted ones
            (1 disables it: always filter in the store).
        rescored: In reduced mode (no vector store), how many of the best BM25 candidates
            are embedded here to give them a cosine.
        dense_retry_s: After the vector store failed, searches stay in reduced mode this
            long before it is tried again (a hung server would make each one wait).
    """

    candidates: int = 50
    fusion: Literal["rrf", "weighted"] = "rrf"
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    module_decay: float = 0.8
    module_weight: float = 0.5
    module_top_m: int = 2
    dedupe_threshold: float = 0.9
    overfetch: int = 3
    rescored: int = 10
    dense_retry_s: float = 10.0


@dataclass(frozen=True)
class Found:
    """What a search found, and whether it ran in reduced mode.

    Attributes:
        hits: Best first.
        reduced: The vector store could not be reached, so the candidates are BM25's alone
            (the best `HybridConfig.rescored` of them given a cosine by embedding their text
            here, so the answer decision still has a similarity to go on).
    """

    hits: list[Hit]
    reduced: bool = False


def role_set(names: Collection[str]) -> frozenset[str]:
    """Normalised role names; "everyone" is not a role but the absence of a restriction."""
    return frozenset(n.strip().casefold() for n in names if n.strip()) - {"everyone"}


def visible_to(audience: Sequence[str], roles: Collection[str]) -> bool:
    """Whether a module with `audience` (empty: everyone) may be shown to a learner with `roles`."""
    wanted = role_set(audience)
    return not wanted or bool(wanted & role_set(roles))


class HybridRetriever:
    """Dense + BM25 retrieval over one set of chunks, honouring module audiences.

    Args:
        embedder: Embeds the query (must match the vectors in `store`).
        store: The chunk vectors, or a function opening them (called at each search, so a
            vector store that could not be opened is tried again).
        chunks: All indexed chunks (the lexical index and result texts come from these).
        modules: Metadata per module id (audience, title).
        lexical: A prebuilt BM25 index over `chunks` in the same order (built if None).
        config: Fusion settings.
    """

    def __init__(
        self,
        *,
        embedder: Embedder,
        store: StoreSource,
        chunks: Sequence[Chunk],
        modules: Mapping[str, ModuleMeta],
        lexical: BM25Index | None = None,
        config: HybridConfig | None = None,
    ) -> None:
        self._embedder = embedder
        self._store = store
        self._chunks = list(chunks)
        self._modules = dict(modules)
        self._audiences = {m: role_set(meta.audience) for m, meta in self._modules.items()}
        self._lexical = lexical or build_lexical_index(self._chunks, self._modules)
        if self._lexical.ids != [c.id for c in self._chunks]:
            raise IndexMismatchError("The BM25 index was built over other chunks; rebuild it.")
        self._position = {c.id: i for i, c in enumerate(self._chunks)}
        self._module_names = sorted({c.module_id for c in self._chunks})
        codes = {m: i for i, m in enumerate(self._module_names)}
        self._module_codes = np.array([codes[c.module_id] for c in self._chunks], dtype=np.int64)
        self.config = config or HybridConfig()
        self._dense_retry_at = 0.0

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        allowed: ModuleFilter | None = None,
        roles: Collection[str] | None = None,
    ) -> list[Hit]:
        """The `k` best chunks for `query`, at most one per near-identical text.

        Args:
            query: The learner's question.
            k: Number of hits.
            allowed: Predicate on module ids; only modules it accepts are searched.
            roles: The learner's roles; modules whose audience excludes them are never returned.
                None means no audience restriction (administrators, evaluation).

        Returns:
            Hits, best first.
        """
        return self.find(query, k=k, allowed=allowed, roles=roles).hits

    def find(
        self,
        query: str,
        *,
        k: int = 10,
        allowed: ModuleFilter | None = None,
        roles: Collection[str] | None = None,
    ) -> Found:
        """`search`, saying whether it ran in reduced mode (the vector store unreachable:
        BM25 candidates only, rescored here). The arguments are `search`'s."""
        permitted = self._permitted_modules(allowed, roles)
        if permitted is not None and not permitted:
            return Found([])
        lexical = self._lexical_candidates(query, permitted)
        reduced = time.monotonic() < self._dense_retry_at
        if not reduced:
            try:
                dense = self._dense(query, permitted, roles)
            except VectorStoreError:
                self._dense_retry_at = time.monotonic() + self.config.dense_retry_s
                reduced = True
        if reduced:
            dense = self._rescore(query, lexical)
        picked = diversify_by_group(
            self._fuse(dense, lexical),
            self._module_of,
            decay=self.config.module_decay,
            limit=k,
            is_duplicate=self._duplicate_test(),
        )
        hits = [self._hit(c, score, dense.get(c), lexical.get(c)) for c, score in picked]
        return Found(hits, reduced)

    def _rescore(self, query: str, lexical: Mapping[str, float]) -> dict[str, float]:
        """Cosines of the best BM25 candidates, embedded here (no vector store)."""
        best = sorted(lexical, key=lambda c: -lexical[c])[: self.config.rescored]
        if not best:
            return {}
        vector = np.asarray(self._embedder.embed_query(query), dtype=np.float32)
        texts = [embedding_text(self._chunks[self._position[c]]) for c in best]
        matrix = np.asarray(self._embedder.embed_documents(texts), dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1) * max(float(np.linalg.norm(vector)), 1e-12)
        cosines = matrix @ vector / np.maximum(norms, 1e-12)
        return dict(zip(best, (float(c) for c in cosines), strict=True))

    @property
    def modules(self) -> Mapping[str, ModuleMeta]:
        """The metadata of the modules this retriever searches."""
        return self._modules

    def unknown_share(self, query: str) -> float:
        """The share of the query's terms that appear nowhere in the library."""
        return self._lexical.unknown_share(query)

    def term_weights(self, query: str) -> dict[str, float]:
        """How distinctive each of the query's terms is in the library (BM25 idf)."""
        return self._lexical.term_weights(query)

    def _permitted_modules(
        self, allowed: ModuleFilter | None, roles: Collection[str] | None
    ) -> set[str] | None:
        if allowed is None and roles is None:
            return None
        learner = None if roles is None else role_set(roles)
        return {
            m
            for m in self._module_names
            if (allowed is None or allowed(m)) and (learner is None or self._visible(m, learner))
        }

    def _visible(self, module_id: str, learner: frozenset[str]) -> bool:
        if module_id not in self._audiences:
            return False  # without metadata the audience is unknown: hide it from learners
        wanted = self._audiences[module_id]
        return not wanted or bool(wanted & learner)

    def _dense(
        self, query: str, permitted: set[str] | None, roles: Collection[str] | None
    ) -> dict[str, float]:
        vector = self._embedder.embed_query(query)
        wanted = self.config.candidates
        if permitted is not None and self.config.overfetch > 1:
            # A filtered vector query scans metadata (about 0.4 s at 100k chunks); most
            # learners may see most of the library, so over-fetch without the filter and
            # drop what they may not see, falling back to the filtered query when too few
            # of the nearest chunks are theirs.
            wide = self._vectors().query(vector, k=wanted * self.config.overfetch)
            kept = self._served(wide, permitted)
            if len(kept) >= wanted or len(wide) < wanted * self.config.overfetch:
                return dict(list(kept.items())[:wanted])
        found = self._vectors().query(
            vector, k=wanted, roles=roles, **self._module_filter(permitted, roles)
        )
        return self._served(found, permitted)

    def _vectors(self) -> ChromaVectorStore:
        store = self._store
        return store() if callable(store) else store

    def _served(self, found: Sequence[VectorHit], permitted: set[str] | None) -> dict[str, float]:
        # The store may hold chunks this retriever does not serve; the permitted set is final.
        return {
            h.chunk_id: h.score
            for h in found
            if h.chunk_id in self._position
            and (permitted is None or self._module_of(h.chunk_id) in permitted)
        }

    def _module_filter(
        self, permitted: set[str] | None, roles: Collection[str] | None
    ) -> dict[str, set[str]]:
        """The shorter of an include or exclude list of modules for the store query."""
        if permitted is None:
            return {}
        # Audience alone is filtered in the store by its role keys; module lists are only
        # needed for modules that the roles would let through.
        learner = None if roles is None else role_set(roles)
        candidates = [m for m in self._module_names if learner is None or self._visible(m, learner)]
        excluded = {m for m in candidates if m not in permitted}
        if not excluded:
            return {}
        if len(excluded) < len(permitted):
            return {"excluded_module_ids": excluded}
        return {"module_ids": permitted}

    def _lexical_candidates(self, query: str, permitted: set[str] | None) -> dict[str, float]:
        mask = None
        if permitted is not None:
            allowed_codes = [i for i, m in enumerate(self._module_names) if m in permitted]
            mask = np.isin(self._module_codes, allowed_codes)
        top = self._lexical.top(query, self.config.candidates, mask=mask)
        return {self._chunks[i].id: score for i, score in top}

    def _fuse(self, dense: dict[str, float], lexical: dict[str, float]) -> dict[str, float]:
        cfg = self.config
        weights = [cfg.dense_weight, cfg.lexical_weight]
        if cfg.fusion == "rrf":
            orders = [sorted(s, key=s.__getitem__, reverse=True) for s in (dense, lexical)]
            fused = reciprocal_rank_fusion(orders, k=cfg.rrf_k, weights=weights)
        else:
            fused = weighted_score_fusion([dense, lexical], weights=weights)
        if cfg.module_weight:
            module_of = self._module_of
            per_module = aggregate_by_group(fused, module_of, top_m=cfg.module_top_m)
            fused = {c: s + cfg.module_weight * per_module[module_of(c)] for c, s in fused.items()}
        return fused

    def _duplicate_test(self) -> Callable[[str, Sequence[str]], bool]:
        """A near-duplicate test for one search, caching term sets only for that search."""
        terms: dict[str, frozenset[str]] = {}
        limit = self.config.dedupe_threshold

        def of(chunk_id: str) -> frozenset[str]:
            if chunk_id not in terms:
                text = self._chunks[self._position[chunk_id]].text
                terms[chunk_id] = frozenset(tokenize(text, use_stemming=False))
            return terms[chunk_id]

        def is_duplicate(chunk_id: str, picked: Sequence[str]) -> bool:
            return any(jaccard(of(chunk_id), of(other)) >= limit for other in picked)

        return is_duplicate

    def _module_of(self, chunk_id: str) -> str:
        return self._chunks[self._position[chunk_id]].module_id

    def _hit(self, chunk_id: str, score: float, dense: float | None, lexical: float | None) -> Hit:
        c = self._chunks[self._position[chunk_id]]
        return Hit(
            chunk_id=c.id,
            module_id=c.module_id,
            section=c.section,
            anchor=c.anchor,
            line_start=c.line_start,
            line_end=c.line_end,
            text=c.text,
            score=score,
            dense_score=dense,
            lexical_score=lexical,
        )
