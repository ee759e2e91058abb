"""Mask copies go into a spare made ahead, and are always independent of the mask."""

import time

import numpy as np

from desktop_editor.ui.models.mask_copies import SpareMasks


def wait_ready(spares: SpareMasks) -> None:
    deadline = time.monotonic() + 5
    while not spares.ready():
        assert time.monotonic() < deadline, "no spare was made"
        time.sleep(0.005)


def test_a_copy_goes_into_the_spare_and_another_is_made():
    spares = SpareMasks()
    mask = np.zeros((60, 80), np.uint8)
    mask[10:20, 5:50] = 255
    spares.prepare(mask.shape)
    wait_ready(spares)
    first = spares.copy(mask)
    assert first.flags.c_contiguous and first.dtype == np.uint8
    assert np.array_equal(first, mask) and not np.shares_memory(first, mask)
    mask[:] = 7  # the designer paints on: the copy keeps what was sent
    assert first[0, 0] == 0 and first[15, 10] == 255
    wait_ready(spares)
    second = spares.copy(mask)
    assert not np.shares_memory(second, first) and (second == 7).all()


def test_without_a_spare_of_the_shape_a_plain_copy_is_made():
    spares = SpareMasks()
    spares.prepare((10, 10))
    wait_ready(spares)
    other = np.full((12, 9), 3, np.uint8)
    copy = spares.copy(other[:, ::-1])  # another shape, not contiguous
    assert copy.flags.c_contiguous and np.array_equal(copy, other) and not np.shares_memory(copy, other)
    wait_ready(spares)  # now ready for the shape last copied
    assert spares.copy(np.ones((12, 9), np.uint8)).sum() == 108
