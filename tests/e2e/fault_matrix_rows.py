"""Rows of the fault matrix, filled by tests/e2e/test_fault_matrix.py and printed by conftest."""

FAULT_MATRIX: list[dict] = []
