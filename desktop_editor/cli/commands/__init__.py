"""One module per command, each with `run`: edit, batch, mask, jobs, emulator, and window (the
app itself, with --self-test in selftest)."""
