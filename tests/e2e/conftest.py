"""Collects the fault matrix rows and prints them as one table at the end of the run."""

from fault_matrix_rows import FAULT_MATRIX


def pytest_terminal_summary(terminalreporter):
    if not FAULT_MATRIX:
        return
    terminalreporter.section("fault matrix")
    header = f"{'scenario':44} {'asked':>5} {'created':>7} {'charged':>7} {'saved':>5} {'lost':>4} {'unknown':>7}"
    terminalreporter.write_line(header)
    for row in sorted(FAULT_MATRIX, key=lambda r: r["scenario"]):
        terminalreporter.write_line(
            f"{row['scenario']:44} {row['asked']:>5} {row['created']:>7} {row['charged']:>7} "
            f"{row['saved']:>5} {row['lost']:>4} {row['unknown']:>7}"
        )
