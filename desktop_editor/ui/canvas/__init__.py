"""The mask canvas: its view, display pyramid and tools."""
