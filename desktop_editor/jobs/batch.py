"""Planning a batch: which images, which mask for each, what will be sent and what it will cost.

Matching is by file stem (`shoe.jpg` with `shoe.png`, `shoe_mask.png` or `shoe-mask.png`), so a
designer can export masks from any tool into one folder. Nothing here sends anything.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from desktop_editor.core.image_formats import RAW_FORMATS, UnsupportedFileError, displayed_size
from desktop_editor.core.images import OPEN_FILTER_EXTENSIONS
from desktop_editor.core.params import EditParams, fit_within_limits

MASK_SUFFIXES = ("", "_mask", "-mask", ".mask")


@dataclass
class BatchItem:
    image: Path
    mask: Path | None
    size: tuple[int, int] | None = None  # as opened (orientation applied)
    sent_size: tuple[int, int] | None = None
    problem: str | None = None  # why this image is skipped


@dataclass
class BatchPlan:
    items: list[BatchItem] = field(default_factory=list)
    params: EditParams | None = None

    @property
    def to_send(self) -> list[BatchItem]:
        return [i for i in self.items if i.problem is None]

    @property
    def skipped(self) -> list[BatchItem]:
        return [i for i in self.items if i.problem is not None]

    def estimated_cost(self, prices: dict[str, float] | None = None) -> float | None:
        per_job = self.params.estimated_cost(prices) if self.params else None
        return None if per_job is None else round(per_job * len(self.to_send), 4)


def find_images(spec: str) -> list[Path]:
    """A folder's images (sorted), or the images a glob pattern names."""
    path = Path(spec).expanduser()
    if path.is_dir():
        candidates = sorted(p for p in path.iterdir() if p.is_file())
    elif path.is_file():
        candidates = [path]
    else:
        candidates = sorted(Path(p) for p in glob.glob(str(path), recursive=True))
    # Camera RAW files are listed too, so the plan says each is skipped and what to export it as.
    wanted = (*OPEN_FILTER_EXTENSIONS, *RAW_FORMATS)
    return [p for p in candidates if p.suffix.lower() in wanted and not p.name.startswith(".")]


def match_mask(image: Path, masks_dir: Path | None) -> Path | None:
    """The mask for `image` in `masks_dir` by stem, never the image itself."""
    if masks_dir is None:
        return None
    for suffix in MASK_SUFFIXES:
        for ext in (".png", ".PNG", ".webp", ".tif", ".tiff"):
            candidate = masks_dir / f"{image.stem}{suffix}{ext}"
            if candidate.is_file() and candidate.resolve() != image.resolve():
                return candidate
    return None


def image_size(path: Path) -> tuple[int, int]:
    """Size as displayed, from the header only (no full decode): fast for hundreds of files.

    Raises:
        UnsupportedFileError: camera RAW, with what to export it as.
    """
    return displayed_size(path)


def plan_batch(
    images: list[Path],
    params: EditParams,
    *,
    masks_dir: Path | None = None,
    shared_mask: Path | None = None,
    derived_masks: dict[Path, Path] | None = None,
    masks_optional: bool = False,
) -> BatchPlan:
    """One item per image, with its mask, the size it will be sent at, or why it is skipped.

    `derived_masks` (image -> mask file, from `--auto-mask`) comes before any other mask.
    `masks_optional`: an image without one is still sent (an expansion makes its own mask).
    """
    plan = BatchPlan(params=params)
    needs_mask = params.spec.takes_mask
    derived_masks = derived_masks or {}
    # A model without a mask field that keeps the frame still uses a mask: to composite through.
    for image in images:
        mask = (derived_masks.get(image) or match_mask(image, masks_dir) or shared_mask) if params.spec.uses_mask else None
        item = BatchItem(image=image, mask=mask)
        try:
            item.size = image_size(image)
            item.sent_size = fit_within_limits(*item.size)
        except UnsupportedFileError as exc:
            item.problem = str(exc)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
            item.problem = f"not a readable image ({type(exc).__name__})"
        if item.problem is None and needs_mask and mask is None and not masks_optional:
            item.problem = "no mask found (give --mask FILE to use one mask for all)"
        plan.items.append(item)
    return plan

