"""Qt helpers every room may use: binding, imaging, workers, icons, theme."""
