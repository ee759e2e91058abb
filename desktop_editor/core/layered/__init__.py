"""Layered files (PSD, OpenRaster): the original and each result as masked layers."""
