"""Quizzes: the item bank operations and the learner model built on quiz answers."""
