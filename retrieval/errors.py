"""Exceptions raised by the retrieval layer."""

from __future__ import annotations


class RetrievalError(Exception):
    """Base class for retrieval failures."""


class EmbeddingModelError(RetrievalError):
    """The embedding model could not be loaded, exported or run."""


class VectorStoreError(RetrievalError):
    """The vector store could not be reached or rejected an operation."""


class IndexMismatchError(RetrievalError):
    """A stored index does not match the content it is asked to serve."""
