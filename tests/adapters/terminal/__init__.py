"""Terminal chat adapter tests."""
