"""Comparing results with the original: the view and its panes."""
