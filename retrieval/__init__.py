"""Retrieval over the content library: embeddings, vector store, BM25, hybrid search, answers."""
