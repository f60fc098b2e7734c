"""Okapi BM25 over chunk texts with scipy sparse matrices, persisted as a versioned npz file."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from retrieval.errors import IndexMismatchError
from retrieval.text import tokenize

if TYPE_CHECKING:
    import scipy.sparse as sp

_FORMAT = 1


def content_version(ids: Sequence[str], texts: Sequence[str]) -> str:
    """Fingerprint chunk ids and texts, so a persisted index is reused only for the same content.

    Args:
        ids: Chunk ids, in index order.
        texts: The texts indexed for those chunks, same order.

    Returns:
        A hex SHA-256 digest.
    """
    digest = hashlib.sha256()
    for chunk_id, text in zip(ids, texts, strict=True):
        digest.update(chunk_id.encode())
        digest.update(b"\x00")
        digest.update(text.encode())
        digest.update(b"\x01")
    return digest.hexdigest()


@dataclass(frozen=True)
class BM25Params:
    """BM25 parameters.

    Attributes:
        k1: Term-frequency saturation (1.2-2.0 is usual).
        b: Length normalisation strength (0 none, 1 full).
        title_weight: How many body occurrences one occurrence in the title/section path counts as.
        use_stemming: Stem terms with `retrieval.text.stem`.
    """

    k1: float = 1.2
    b: float = 0.75
    title_weight: float = 2.0
    use_stemming: bool = True


class BM25Index:
    """A static BM25 index: rebuild it when the chunk set changes (it takes seconds at 100k)."""

    def __init__(
        self,
        *,
        ids: Sequence[str],
        weights: sp.csc_matrix,
        vocabulary: dict[str, int],
        params: BM25Params,
        version: str,
    ) -> None:
        self.ids = list(ids)
        self.params = params
        self.version = version
        self._weights = weights
        self._vocabulary = vocabulary

    def __len__(self) -> int:
        return len(self.ids)

    def unknown_share(self, query: str, *, min_vocabulary: int = 1000) -> float:
        """The share of the query's terms that occur nowhere in the index.

        0.0 for a query without terms, and for an index of fewer than `min_vocabulary`
        distinct terms: a small library lacks everyday words too, so absence means little.
        """
        terms = tokenize(query, use_stemming=self.params.use_stemming)
        if not terms or len(self._vocabulary) < min_vocabulary:
            return 0.0
        return sum(1 for t in terms if t not in self._vocabulary) / len(terms)

    def term_weights(self, query: str) -> dict[str, float]:
        """The inverse document frequency of each of the query's terms the index has.

        Says which of a question's words are distinctive ("party" in "the company holiday
        party"); terms the index lacks are left out (`unknown_share` counts them).
        """
        n_docs = len(self.ids)
        frequency = np.diff(self._weights.indptr)  # chunks per term (one column per term)
        weights = {}
        for term in tokenize(query, use_stemming=self.params.use_stemming):
            column = self._vocabulary.get(term)
            if column is not None:
                df = int(frequency[column])
                weights[term] = float(np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5)))
        return weights

    @classmethod
    def build(
        cls,
        *,
        ids: Sequence[str],
        bodies: Sequence[str],
        titles: Sequence[str] | None = None,
        params: BM25Params | None = None,
    ) -> BM25Index:
        """Index chunk bodies, counting title/section-path terms with `params.title_weight`.

        Args:
            ids: Chunk ids, in the order results will be reported.
            bodies: Chunk texts.
            titles: Title and section breadcrumb per chunk (optional).
            params: BM25 parameters; defaults to `BM25Params()`.

        Returns:
            The index, versioned by `content_version` of ids, titles and bodies.
        """
        params = params or BM25Params()
        titles = titles if titles is not None else [""] * len(bodies)
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for row, (body, title) in enumerate(zip(bodies, titles, strict=True)):
            for terms, weight in (
                (tokenize(body, use_stemming=params.use_stemming), 1.0),
                (tokenize(title, use_stemming=params.use_stemming), params.title_weight),
            ):
                for term in terms:
                    cols.append(vocabulary.setdefault(term, len(vocabulary)))
                    rows.append(row)
                    vals.append(weight)
        import scipy.sparse as sp

        tf = sp.csr_matrix(
            (vals, (rows, cols)), shape=(len(bodies), len(vocabulary)), dtype=np.float32
        )
        tf.sum_duplicates()
        version = cls.version_for(ids=ids, bodies=bodies, titles=titles)
        return cls(
            ids=ids,
            weights=_bm25_weights(tf, params),
            vocabulary=vocabulary,
            params=params,
            version=version,
        )

    @staticmethod
    def version_for(
        *, ids: Sequence[str], bodies: Sequence[str], titles: Sequence[str] | None = None
    ) -> str:
        """The content version `build` would record for these inputs (no tokenising needed)."""
        titles = titles if titles is not None else [""] * len(bodies)
        return content_version(ids, [f"{t}\x02{b}" for t, b in zip(titles, bodies, strict=True)])

    def scores(self, query: str, *, mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every chunk for `query`; chunks outside `mask` score -inf.

        Args:
            query: Free text.
            mask: Boolean array over chunks (True = may be returned), or None for all.

        Returns:
            float32 array of length `len(self)`.
        """
        counts: dict[int, int] = {}
        for term in tokenize(query, use_stemming=self.params.use_stemming):
            if term in self._vocabulary:
                column = self._vocabulary[term]
                counts[column] = counts.get(column, 0) + 1
        result = np.zeros(len(self.ids), dtype=np.float32)
        if counts:
            columns = np.fromiter(counts, dtype=np.int64)
            multiplicity = np.fromiter(counts.values(), dtype=np.float32)
            result = np.asarray(self._weights[:, columns] @ multiplicity, dtype=np.float32)
        if mask is not None:
            result = np.where(mask, result, -np.inf).astype(np.float32)
        return result

    def top(self, query: str, n: int, *, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The best `n` chunks with a positive score, as (position, score), best first."""
        scores = self.scores(query, mask=mask)
        n = min(n, len(scores))
        if n <= 0:
            return []
        candidates = np.argpartition(-scores, n - 1)[:n]
        ordered = candidates[np.argsort(-scores[candidates], kind="stable")]
        return [(int(i), float(scores[i])) for i in ordered if scores[i] > 0]

    def save(self, path: Path) -> None:
        """Write the index to `path` (an .npz file), atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        terms = np.array(sorted(self._vocabulary, key=self._vocabulary.__getitem__), dtype=str)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(
            tmp,
            format=np.int64(_FORMAT),
            version=np.array(self.version),
            ids=np.array(self.ids, dtype=str),
            terms=terms,
            data=self._weights.data,
            indices=self._weights.indices,
            indptr=self._weights.indptr,
            shape=np.array(self._weights.shape),
            params=np.array(
                [
                    self.params.k1,
                    self.params.b,
                    self.params.title_weight,
                    float(self.params.use_stemming),
                ]
            ),
        )
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, *, expected_version: str | None = None) -> BM25Index:
        """Read an index written by `save`.

        Raises:
            IndexMismatchError: The file has another format, or another content version than
                `expected_version`.
        """
        with np.load(path, allow_pickle=False) as stored:
            version = str(stored["version"])
            if int(stored["format"]) != _FORMAT:
                raise IndexMismatchError(
                    f"{path}: BM25 index format {int(stored['format'])} "
                    f"is not the supported format {_FORMAT}; rebuild it."
                )
            if expected_version is not None and version != expected_version:
                raise IndexMismatchError(
                    f"{path}: BM25 index is for content version "
                    f"{version[:12]}, not {expected_version[:12]}."
                )
            k1, b, title_weight, stemming = (float(x) for x in stored["params"])
            import scipy.sparse as sp

            weights = sp.csc_matrix(
                (stored["data"], stored["indices"], stored["indptr"]),
                shape=tuple(int(x) for x in stored["shape"]),
            )
            return cls(
                ids=[str(x) for x in stored["ids"]],
                weights=weights,
                vocabulary={str(t): i for i, t in enumerate(stored["terms"])},
                params=BM25Params(k1, b, title_weight, bool(stemming)),
                version=version,
            )


def _bm25_weights(tf: sp.csr_matrix, params: BM25Params) -> sp.csc_matrix:
    """Precompute the per (chunk, term) BM25 contribution, so a query is a column sum."""
    import scipy.sparse as sp

    n_docs = tf.shape[0]
    lengths = np.asarray(tf.sum(axis=1)).ravel()
    average = float(lengths.mean()) if n_docs else 1.0
    df = np.bincount(tf.indices, minlength=tf.shape[1]).astype(np.float64)
    # Lucene's non-negative idf: very common terms weigh little but never subtract.
    idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
    norm = params.k1 * (1.0 - params.b + params.b * lengths / max(average, 1e-9))
    row_of_entry = np.repeat(np.arange(n_docs), np.diff(tf.indptr))
    freq = tf.data.astype(np.float64)
    weight = idf[tf.indices] * freq * (params.k1 + 1.0) / (freq + norm[row_of_entry])
    return sp.csr_matrix((weight.astype(np.float32), tf.indices, tf.indptr), shape=tf.shape).tocsc()
