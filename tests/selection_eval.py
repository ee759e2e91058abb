"""The selection evaluation set: composites and product-style photos with an exact mask.

It exists so that select object, click-to-select and select subject are judged on photos nobody
tuned them on. Everything is generated from the real photos in tests/data (scikit-image's
public-domain / CC0 samples, see its README) with fixed seeds, so the set is the same on every
machine, and it is split by seed into a *development* half (even seeds: the only cases any
parameter may be chosen on) and a *held-out* half (odd seeds), both reported.

- 40 composites: a region of one of 8 object photos (fur, a glossy cup, a helmet and suit, a
  rocket, coins, a retina, stained tissue, a grey street scene), cut with a shape and pasted
  at a random position and scale onto a different real photo. Five kinds of cut, one per case
  in turn: a hard-edged blob, a soft (feathered) blob, a horse silhouette (thin legs and
  tail), a blob with thin arms, and a low-contrast blob whose colours are pulled half-way to
  the background's around it.
  A composite over a photo with a subject of its own (`OWN_SUBJECT`: a person, a cat, a cup)
  has no one main subject; select subject is judged on the others (`Case.clear_subject`).
- 10 product-style photos: an object (a region of a real photo cut with one of the same
  shapes) on a plain, gradient or busy real-photo background, with a soft drop shadow that is
  not part of the object.

The truth is the alpha the object was pasted with, so it is exact by construction. Every case
carries a box (the object's bounds plus 4% margin, each side then moved by up to 5% of the
box's size, in or out) and a click (a point inside the object, away from its edge).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

DATA = Path(__file__).resolve().parent / "data"
SIZE = (560, 420)  # every case's photo, width x height (0.24 MP)

# Object photos: (file, kind of material, centre of the part worth cutting, as fractions).
OBJECTS = [
    ("chelsea.png", "furry", (0.45, 0.45)),
    ("coffee.jpg", "glossy", (0.5, 0.4)),
    ("astronaut.png", "suit", (0.45, 0.35)),
    ("rocket.jpg", "metal", (0.5, 0.55)),
    ("coins.png", "coins", (0.5, 0.5)),
    ("retina.jpg", "retina", (0.5, 0.5)),
    ("ihc.jpg", "tissue", (0.5, 0.5)),
    ("camera.png", "grey scene", (0.45, 0.4)),
]
BACKGROUNDS = ["astronaut.png", "chelsea.png", "rocket.jpg", "coffee.jpg", "hubble.jpg", "retina.jpg",
               "ihc.jpg", "grass.jpg", "gravel.jpg", "brick.jpg", "camera.png", "coins.png"]
SHAPES = ["hard", "soft", "thin", "arms", "low contrast"]
PRODUCT_BACKGROUNDS = ["plain", "gradient", "busy"]
# Background photos with a subject of their own (a person, a cat, a cup, a rocket, the disc of
# a retina): on a composite over one of them "the main subject" is ambiguous, so select subject
# is not judged there (select object and click are: they are told which object).
OWN_SUBJECT = {"astronaut.png", "chelsea.png", "coffee.jpg", "camera.png", "rocket.jpg", "retina.jpg"}
COMPOSITES = 40
PRODUCTS = 10
BOX_MARGIN = 0.04
BOX_JITTER = 0.05


@dataclass(frozen=True)
class Case:
    name: str
    seed: int
    group: str  # "composite" or "product"
    kind: str  # the shape or background kind (per-kind IoU)
    material: str  # the object photo's kind of content
    photo: np.ndarray  # RGB uint8 (H, W, 3)
    truth: np.ndarray  # uint8 (H, W), the pasted alpha
    box: tuple[int, int, int, int]  # x, y, w, h: jittered
    click: tuple[int, int]  # x, y inside the object
    background: str = ""  # the background photo's file, or the product backdrop's kind

    @property
    def development(self) -> bool:
        return self.seed % 2 == 0

    @property
    def clear_subject(self) -> bool:
        """Whether the object is the photo's one main subject (the background photo has none
        of its own): the cases select subject is judged on."""
        return self.background not in OWN_SUBJECT


def load(name: str) -> np.ndarray:
    with Image.open(DATA / name) as img:
        return np.asarray(img.convert("RGB")).copy()


def iou(mask: np.ndarray, truth: np.ndarray) -> float:
    """Intersection over union of the two masks' halves (>= 128)."""
    a, b = mask >= 128, truth >= 128
    union = np.count_nonzero(a | b)
    return float(np.count_nonzero(a & b)) / union if union else 1.0


def _supersampled(size: tuple[int, int], draw, factor: int = 4) -> np.ndarray:
    width, height = size
    canvas = Image.new("L", (width * factor, height * factor), 0)
    draw(ImageDraw.Draw(canvas), factor)
    big = np.asarray(canvas, dtype=np.uint32).reshape(height, factor, width, factor)
    return (big.sum(axis=(1, 3)) / (factor * factor) + 0.5).astype(np.uint8)


def _blob(rng: np.random.Generator, size: int, arms: bool = False) -> np.ndarray:
    """An irregular blob filling a size x size square (anti-aliased), optionally with thin arms."""
    harmonics = [(k, rng.uniform(0.03, 0.1), rng.uniform(0, 2 * math.pi)) for k in range(2, 7)]
    base = 0.3 if arms else 0.4
    outline = []
    for i in range(360):
        t = 2 * math.pi * i / 360
        r = base * size * (1 + sum(a * math.cos(k * t + p) for k, a, p in harmonics))
        outline.append((size / 2 + r * math.cos(t), size / 2 + r * math.sin(t)))
    sticks = []
    if arms:
        for _ in range(int(rng.integers(2, 4))):
            angle = rng.uniform(0, 2 * math.pi)
            width = rng.uniform(0.025, 0.045) * size
            sticks.append((angle, width))

    def draw(d: ImageDraw.ImageDraw, f: int) -> None:
        d.polygon([(x * f, y * f) for x, y in outline], fill=255)
        for angle, width in sticks:
            end = (size / 2 + 0.48 * size * math.cos(angle), size / 2 + 0.48 * size * math.sin(angle))
            d.line([(size / 2 * f, size / 2 * f), (end[0] * f, end[1] * f)], fill=255, width=max(1, int(width * f)))

    return _supersampled((size, size), draw)


@lru_cache(maxsize=1)
def _horse() -> np.ndarray:
    with Image.open(DATA / "horse.png") as img:
        grey = np.asarray(img.convert("RGBA"))[..., :3].mean(axis=2)
    return np.where(grey < 128, 255, 0).astype(np.uint8)  # the horse is the dark part


def _horse_shape(size: int, rng: np.random.Generator) -> np.ndarray:
    """The horse silhouette fitted in a size x size square, 4x supersampled, maybe mirrored."""
    horse = _horse()
    if rng.random() < 0.5:
        horse = horse[:, ::-1]
    h, w = horse.shape
    scale = size / max(h, w)
    big = Image.fromarray(horse).resize((max(1, round(w * scale * 4)), max(1, round(h * scale * 4))),
                                        Image.Resampling.NEAREST)
    small = np.asarray(big.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.Resampling.BOX))
    out = np.zeros((size, size), np.uint8)
    oy, ox = (size - small.shape[0]) // 2, (size - small.shape[1]) // 2
    out[oy : oy + small.shape[0], ox : ox + small.shape[1]] = small
    return out


def _shape(kind: str, size: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "thin":
        return _horse_shape(size, rng)
    alpha = _blob(rng, size, arms=kind == "arms")
    if kind == "soft":
        sigma = rng.uniform(1.5, 3.0)
        alpha = np.asarray(Image.fromarray(alpha).filter(ImageFilter.GaussianBlur(sigma)))
    return alpha


def _fit(photo: np.ndarray, size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A random crop of the photo at the (width, height) aspect, resized to that size."""
    h, w = photo.shape[:2]
    target_w, target_h = size
    scale = max(target_w / w, target_h / h) * rng.uniform(1.0, 1.3)
    img = Image.fromarray(photo).resize((max(target_w, round(w * scale)), max(target_h, round(h * scale))),
                                        Image.Resampling.BICUBIC)
    x = int(rng.integers(0, img.width - target_w + 1))
    y = int(rng.integers(0, img.height - target_h + 1))
    return np.asarray(img)[y : y + target_h, x : x + target_w].copy()


def _object_pixels(name: str, centre: tuple[float, float], size: int, rng: np.random.Generator) -> np.ndarray:
    """A size x size square of an object photo around its interesting part, at a random zoom."""
    photo = load(name)
    h, w = photo.shape[:2]
    zoom = rng.uniform(0.6, 1.0) * min(h, w) / size
    side = max(8, int(size * zoom))
    cx = int(centre[0] * w + rng.uniform(-0.08, 0.08) * w)
    cy = int(centre[1] * h + rng.uniform(-0.08, 0.08) * h)
    x0 = min(max(0, cx - side // 2), w - side)
    y0 = min(max(0, cy - side // 2), h - side)
    crop = Image.fromarray(photo[max(0, y0) : max(0, y0) + side, max(0, x0) : max(0, x0) + side])
    return np.asarray(crop.resize((size, size), Image.Resampling.BICUBIC))


def _low_contrast(pixels: np.ndarray, alpha: np.ndarray, around: np.ndarray) -> np.ndarray:
    """The object's colours pulled half-way to the background's around it (mean and spread)."""
    inside = alpha >= 128
    obj = pixels.astype(np.float32)
    mean_o, std_o = obj[inside].mean(axis=0), obj[inside].std(axis=0) + 1
    bg = around.astype(np.float32)
    mean_b, std_b = bg.reshape(-1, 3).mean(axis=0), bg.reshape(-1, 3).std(axis=0) + 1
    target_mean, target_std = (mean_o + mean_b) / 2, (std_o + std_b) / 2
    return np.clip((obj - mean_o) / std_o * target_std + target_mean, 0, 255).astype(np.uint8)


def _paste(background: np.ndarray, pixels: np.ndarray, alpha: np.ndarray, at: tuple[int, int]):
    height, width = background.shape[:2]
    truth = np.zeros((height, width), np.uint8)
    x, y = at
    s = alpha.shape[0]
    truth[y : y + s, x : x + s] = alpha
    layer = np.zeros_like(background)
    layer[y : y + s, x : x + s] = pixels
    a = truth.astype(np.float32)[..., None] / 255
    photo = (background * (1 - a) + layer * a + 0.5).astype(np.uint8)
    return photo, truth


def _box_and_click(truth: np.ndarray, rng: np.random.Generator):
    import cv2

    height, width = truth.shape
    ys, xs = np.nonzero(truth >= 128)
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    w, h = x1 - x0, y1 - y0
    edges = [x0 - BOX_MARGIN * w, y0 - BOX_MARGIN * h, x1 + BOX_MARGIN * w, y1 + BOX_MARGIN * h]
    edges = [e + rng.uniform(-BOX_JITTER, BOX_JITTER) * (w if i % 2 == 0 else h) for i, e in enumerate(edges)]
    bx0, by0 = max(0, round(edges[0])), max(0, round(edges[1]))
    bx1, by1 = min(width, round(edges[2])), min(height, round(edges[3]))
    # The click: a random point at least half as far from the edge as the object's deepest point.
    inside = (truth >= 128).astype(np.uint8)
    depth = cv2.distanceTransform(inside, cv2.DIST_L2, 5)
    ys, xs = np.nonzero(depth >= 0.5 * depth.max())
    pick = int(rng.integers(0, len(xs)))
    return (bx0, by0, bx1 - bx0, by1 - by0), (int(xs[pick]), int(ys[pick]))


def composite(seed: int) -> Case:
    rng = np.random.default_rng(1000 + seed)
    obj_name, material, centre = OBJECTS[seed % len(OBJECTS)]
    kind = SHAPES[seed % len(SHAPES)] if seed < 40 else SHAPES[int(rng.integers(0, len(SHAPES)))]
    choices = [b for b in BACKGROUNDS if b != obj_name]
    background_name = choices[int(rng.integers(0, len(choices)))]
    background = _fit(load(background_name), SIZE, rng)
    width, height = SIZE
    size = int(rng.uniform(0.3, 0.75) * min(width, height))
    alpha = _shape(kind, size, rng)
    pixels = _object_pixels(obj_name, centre, size, rng)
    at = (int(rng.integers(0, width - size + 1)), int(rng.integers(0, height - size + 1)))
    if kind == "low contrast":
        around = background[at[1] : at[1] + size, at[0] : at[0] + size]
        pixels = _low_contrast(pixels, alpha, around)
    photo, truth = _paste(background, pixels, alpha, at)
    box, click = _box_and_click(truth, rng)
    return Case(f"c{seed:02d} {material} {kind}", seed, "composite", kind, material, photo, truth, box, click,
                background_name)


def _product_background(kind: str, rng: np.random.Generator) -> np.ndarray:
    width, height = SIZE
    if kind == "plain":
        colour = rng.uniform(150, 250, 3)
        bg = np.broadcast_to(colour, (height, width, 3)).astype(np.float32)
    elif kind == "gradient":
        top, bottom = rng.uniform(120, 250, 3), rng.uniform(60, 200, 3)
        t = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
        bg = np.broadcast_to(top * (1 - t) + bottom * t, (height, width, 3)).astype(np.float32)
    else:
        name = ["grass.jpg", "gravel.jpg", "brick.jpg", "hubble.jpg"][int(rng.integers(0, 4))]
        bg = _fit(load(name), SIZE, rng).astype(np.float32)
        if name != "hubble.jpg":
            bg *= rng.uniform(0.7, 1.2, 3)  # the grey textures tinted
    noise = rng.normal(0, 2.0, (height, width, 1)).astype(np.float32)  # sensor noise
    return np.clip(bg + noise, 0, 255).astype(np.uint8)


def product(index: int) -> Case:
    """A product-style photo: a cut object on a studio-like background with a soft shadow."""
    seed = COMPOSITES + index
    rng = np.random.default_rng(5000 + seed)
    kind = PRODUCT_BACKGROUNDS[index % len(PRODUCT_BACKGROUNDS)]
    obj_name, material, centre = OBJECTS[int(rng.integers(0, len(OBJECTS)))]
    background = _product_background(kind, rng)
    width, height = SIZE
    size = int(rng.uniform(0.5, 0.8) * min(width, height))
    alpha = _shape(["hard", "thin", "arms", "soft"][index % 4], size, rng)
    pixels = _object_pixels(obj_name, centre, size, rng)
    at = (int(rng.uniform(0.3, 0.7) * (width - size)), int(rng.uniform(0.3, 0.7) * (height - size)))
    # The shadow: the object's alpha, offset down-right, blurred, darkening the background by up to 45%.
    shadow = np.zeros((height, width), np.uint8)
    dx, dy = int(size * 0.05), int(size * 0.07)
    sx, sy = min(width - size, at[0] + dx), min(height - size, at[1] + dy)
    shadow[sy : sy + size, sx : sx + size] = alpha
    shadow = np.asarray(Image.fromarray(shadow).filter(ImageFilter.GaussianBlur(size * 0.04)))
    shade = 1 - 0.45 * shadow.astype(np.float32)[..., None] / 255
    background = (background * shade + 0.5).astype(np.uint8)
    photo, truth = _paste(background, pixels, alpha, at)
    box, click = _box_and_click(truth, rng)
    return Case(f"p{index:02d} {material} on {kind}", seed, "product", kind, material, photo, truth, box, click,
                kind)


@lru_cache(maxsize=1)
def evaluation_set() -> tuple[Case, ...]:
    """All 50 cases, in seed order (generated once per process)."""
    return tuple([composite(seed) for seed in range(COMPOSITES)] + [product(i) for i in range(PRODUCTS)])


def summarise(scores: dict[str, float], cases) -> dict:
    """Mean and worst IoU on the whole set, on each half, and per kind and per material."""
    by_name = {c.name: c for c in cases}

    def stats(names) -> dict:
        values = [scores[n] for n in names]
        if not values:
            return {}
        worst = min(names, key=lambda n: scores[n])
        return {"n": len(values), "mean": round(float(np.mean(values)), 4), "worst": round(min(values), 4),
                "worst_case": worst}

    names = list(scores)
    kinds = sorted({by_name[n].kind for n in names})
    materials = sorted({by_name[n].material for n in names})
    return {
        "all": stats(names),
        "development": stats([n for n in names if by_name[n].development]),
        "held_out": stats([n for n in names if not by_name[n].development]),
        "composites": stats([n for n in names if by_name[n].group == "composite"]),
        "products": stats([n for n in names if by_name[n].group == "product"]),
        "per_kind": {k: stats([n for n in names if by_name[n].kind == k]) for k in kinds},
        "per_material": {m: stats([n for n in names if by_name[n].material == m]) for m in materials},
    }
