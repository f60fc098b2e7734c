"""Learning paths: the planner's inputs, the recorded plans and the equity report's data."""
