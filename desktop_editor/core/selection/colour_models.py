"""Object and background colour models as histograms, and the object's probability per pixel.

GrabCut's own colour models are five Gaussians each; a busy background photo or a many-coloured
object (a face in a helmet, coins on a tray) needs many more modes than that, and a model that
cannot hold them gives the object's colours to the background or the reverse. A histogram of
quantised colour (16 levels a channel) and local texture (4 levels of the local spread of grey,
so that a smooth grey coin and grey gravel differ) holds any number of modes and is learnt in
one `bincount`. The probability it gives is smoothed with the guided filter, which keeps the
photo's edges, and iterated: the object's model is learnt again from what it selected.

The background model also learns every background colour darkened (`SHADOW`): a product's
drop shadow is background, though no background pixel outside the object's box is that dark.
"""

from __future__ import annotations

import numpy as np

from desktop_editor.core.opencv import cv2
from desktop_editor.core.selection.common import StopCheck, check
from desktop_editor.core.selection.guided import guided_filter

LEVELS = 16  # per colour channel
TEXTURES = 4  # levels of local grey spread
TEXTURE_STEP = 8.0  # grey levels of spread per texture level
BINS = LEVELS**3 * TEXTURES
SHADOW = (0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)  # shades of the background, learnt as background too
SHADOW_WEIGHT = 1.5 / len(SHADOW)  # all the shades together weigh 1.5 times the background itself
SMOOTH_RADIUS = 3  # the guided filter's window on the reduced photo, in its pixels
SMOOTH_EPS = 2e-3
FLOOR = 1e-5  # a colour never seen gets this share in each model


def colour_bins(photo: np.ndarray) -> np.ndarray:
    """Each pixel's quantised colour (int32 (H, W), 0 .. LEVELS**3 - 1)."""
    q = (photo.astype(np.uint16) * LEVELS) >> 8
    return ((q[..., 0] * LEVELS + q[..., 1]) * LEVELS + q[..., 2]).astype(np.int32)


def texture_levels(photo: np.ndarray) -> np.ndarray:
    """Each pixel's texture level (int32 (H, W), 0 .. TEXTURES - 1): the spread of grey around it."""
    grey = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY).astype(np.float32)
    mean = cv2.blur(grey, (5, 5))
    spread = np.sqrt(np.maximum(cv2.blur(grey * grey, (5, 5)) - mean * mean, 0))
    return np.clip((spread / TEXTURE_STEP).astype(np.int32), 0, TEXTURES - 1)


class ColourModels:
    """The bins of a reduced photo, and of its darkened copies, from which to learn models."""

    def __init__(self, photo: np.ndarray):
        self.photo = photo
        texture = texture_levels(photo)
        self.bins = colour_bins(photo) * TEXTURES + texture
        # A shadow darkens the colours, not the texture: the shaded copies keep the photo's own
        # texture levels (darkened gravel is dark, still rough, and no smooth dark coin tray).
        self.shaded = [colour_bins((photo.astype(np.float32) * k).astype(np.uint8)) * TEXTURES + texture
                       for k in SHADOW]

    def _histogram(self, bins: np.ndarray, weights: np.ndarray) -> np.ndarray:
        h = np.bincount(bins.ravel(), weights=weights.ravel().astype(np.float64), minlength=BINS)
        return h / max(float(h.sum()), 1e-9)

    def probability(
        self, object_weights: np.ndarray, background_weights: np.ndarray, object_share: float = 0.5
    ) -> np.ndarray:
        """P(object | colour, texture) per pixel (float32 (H, W)), from weighted samples, with
        `object_share` the prior probability of the object (below 0.5 where the object's samples
        are known to hold much background, as a centre prior's do)."""
        fg = self._histogram(self.bins, object_weights)
        bg = self._histogram(self.bins, background_weights)
        for bins in self.shaded:
            bg = bg + SHADOW_WEIGHT * self._histogram(bins, background_weights)
        bg /= max(float(bg.sum()), 1e-9)
        fg += FLOOR
        bg += FLOOR
        fg *= object_share
        bg *= 1 - object_share
        return (fg / (fg + bg)).astype(np.float32)[self.bins]

    def smooth(self, probability: np.ndarray) -> np.ndarray:
        """The probability smoothed along the photo's edges (guided filter), float32 0..1."""
        byte = (np.clip(probability, 0, 1) * 255 + 0.5).astype(np.uint8)
        everywhere = np.full(byte.shape, 255, np.uint8)
        return guided_filter(self.photo, byte, everywhere, SMOOTH_RADIUS, SMOOTH_EPS).astype(np.float32) / 255

    def iterate(
        self, object_weights: np.ndarray, background_weights: np.ndarray, allowed: np.ndarray,
        rounds: int, stop: StopCheck = None, object_share: float = 0.5, object_kept: np.ndarray | float = 0.0,
    ) -> np.ndarray:
        """Learn, select (smoothed probability > 0.5 within `allowed`), learn the object again
        from what was selected plus `object_kept` (scribbles); the last smoothed probability
        (0 outside `allowed`)."""
        fg, bg = object_weights.astype(np.float32), background_weights.astype(np.float32)
        p = np.zeros(allowed.shape, np.float32)
        for _ in range(rounds):
            check(stop)
            p = self.probability(fg, bg, object_share)
            p[~allowed] = 0
            p = self.smooth(p)
            p[~allowed] = 0
            chosen = p > 0.5
            fg = chosen.astype(np.float32) + object_kept
            bg = background_weights.astype(np.float32) + 0.5 * (allowed & ~chosen)
        return p


SURE = 0.9  # a probability above this (or below 1 - it) is a sure label for GrabCut


def labels_from(probability: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """GrabCut labels from a probability: sure where it is very high or low, probable between;
    outside `allowed` sure background."""
    labels = np.where(probability > 0.5, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
    labels[probability > SURE] = cv2.GC_FGD
    labels[probability < 1 - SURE] = cv2.GC_BGD
    labels[~allowed] = cv2.GC_BGD
    return labels
