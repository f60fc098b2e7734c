"""The pure learning domain: items, ability estimation, adaptive testing, mastery and paths."""
