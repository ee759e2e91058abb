"""The brush footprint computed with few temporary arrays is the plain formula's, pixel for pixel."""

from __future__ import annotations

import numpy as np

from desktop_editor.core import brush


def _plain_alpha(bounds, a, b, r, hardness):
    """The swept-disc coverage for a constant radius, written the plain way (float32 throughout)."""
    x0, y0, x1, y1 = bounds
    px = np.arange(x0, x1, dtype=np.float32) + np.float32(0.5 - a[0])
    py = np.arange(y0, y1, dtype=np.float32)[:, None] + np.float32(0.5 - a[1])
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    if length2 > 1e-12:
        t = np.clip(px * np.float32(dx / length2) + py * np.float32(dy / length2), 0.0, 1.0)
        dist2 = (px - t * np.float32(dx)) ** 2 + (py - t * np.float32(dy)) ** 2
    else:
        dist2 = px * px + py * py
    if hardness >= 1.0:
        return np.where(dist2 <= np.float32(r * r), np.uint8(255), np.uint8(0))
    table, scale = brush._falloff_table(float(r), float(hardness))
    index = np.minimum(dist2 * np.float32(scale), np.float32(len(table) - 1))
    return table[index.astype(np.intp)]


def test_segment_alpha_matches_the_plain_formula_exactly():
    rng = np.random.default_rng(4)
    compared = 0
    for _ in range(1500):
        a = (float(rng.uniform(0, 400)), float(rng.uniform(0, 400)))
        reach = float(rng.choice([0.0, 0.3, 5.0, 60.0]))
        b = (a[0] + float(rng.uniform(-reach, reach)), a[1] + float(rng.uniform(-reach, reach)))
        r = float(rng.uniform(0.5, 50))
        hardness = float(rng.choice([1.0, 0.95, 0.8, 0.5, 0.0]))
        bounds = brush.segment_bounds((500, 500), a, b, r)
        if bounds is None:
            continue
        got = brush.segment_alpha(bounds, a, b, r, r, hardness)
        assert got.dtype == np.uint8
        assert np.array_equal(got, _plain_alpha(bounds, a, b, r, hardness)), (a, b, r, hardness)
        compared += 1
    assert compared > 1000
