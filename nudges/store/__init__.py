"""Nudge records: every SQL statement of the nudges package."""
