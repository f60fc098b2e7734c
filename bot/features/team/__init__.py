"""Team progress for managers: who is in scope, and the report views."""
