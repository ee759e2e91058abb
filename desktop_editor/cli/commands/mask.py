"""`desktop-editor mask` and `batch --auto-mask`: masks derived from the photos, offline.

The same selection code as the canvas (core.selection). Every image's box or point is checked
before any mask is computed or any file written, so a bad box stops the command with a sentence
naming the image and nothing on disk. Masks are computed on worker threads (OpenCV releases the
GIL), one per core. A photo in which select subject finds nothing gets an empty mask and a
warning naming it from `mask`; `batch` sends nothing then and names those photos.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_editor.cli.status_codes import EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:  # numpy, Pillow and OpenCV load only when a mask is made, not for --help
    import numpy as np
    from PIL import Image

    from desktop_editor.core.selection.recipe import MaskRecipe



class MaskInputError(ValueError):
    """An image or a recipe the command cannot use; str() is the line to print."""


def add_recipe_options(p: argparse.ArgumentParser) -> None:
    """The selection and shaping options of `mask`."""
    p.add_argument("--select-subject", action="store_true",
                   help="select each photo's main subject, no box needed (a product on its backdrop)")
    p.add_argument("--select-object", metavar="X,Y,W,H",
                   help="select the object in this box (pixels or percentages, e.g. 10%%,10%%,80%%,80%%)")
    p.add_argument("--wand", metavar="X,Y", help="magic wand at this point (pixels or percentages)")
    p.add_argument("--tolerance", type=int, default=32, metavar="T", help="wand tolerance 0-255 (default 32)")
    p.add_argument("--global", dest="wand_global", action="store_true",
                   help="the wand selects every similar pixel, not only the connected region")
    p.add_argument("--refine-edge", type=float, default=0.0, metavar="PX",
                   help="snap the mask's edge to the photo's edges within PX pixels")
    p.add_argument("--grow", type=int, default=0, metavar="PX", help="expand the mask by PX pixels")
    p.add_argument("--shrink", type=int, default=0, metavar="PX", help="contract the mask by PX pixels")
    p.add_argument("--feather", type=float, default=0.0, metavar="PX", help="soften the mask's edge over PX pixels")
    p.add_argument("--invert", action="store_true", help="edit everything but the selection")


def recipe_from_args(args: argparse.Namespace) -> MaskRecipe:
    from desktop_editor.core.selection.recipe import MaskRecipe

    return MaskRecipe(
        subject=args.select_subject, object_box=args.select_object, wand_point=args.wand, tolerance=args.tolerance,
        wand_global=args.wand_global, refine_px=args.refine_edge, grow_px=args.grow,
        shrink_px=args.shrink, feather_px=args.feather, invert=args.invert,
    )


def check_images(images: list[Path], recipe: MaskRecipe) -> None:
    """Raise MaskInputError for a recipe problem, a missing or unreadable image, or a box or
    point that does not fit one of the images; reads headers only."""
    from PIL import Image

    from desktop_editor.core.image_formats import UnsupportedFileError
    from desktop_editor.core.selection.common import SelectionError
    from desktop_editor.jobs.batch import image_size

    problems = recipe.problems()
    if problems:
        raise MaskInputError(problems[0])
    for path in images:
        if not path.is_file():
            raise MaskInputError(f"{path}: no such file.")
        try:
            size = image_size(path)
        except UnsupportedFileError as exc:  # camera RAW: says what to export it as
            raise MaskInputError(str(exc)) from None
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            raise MaskInputError(f"{path}: not a readable image.") from None
        try:
            recipe.check_fits(size)
        except SelectionError as exc:
            raise MaskInputError(f"{path.name}: {exc}") from None


def derive_masks(
    images: list[Path], recipe: MaskRecipe, *, on_done: Callable[[int], None] | None = None,
) -> Iterator[tuple[Path, Image.Image, np.ndarray, str]]:
    """(image, photo, mask, problem) for every image, in order, computed one per core; `problem`
    is empty, or why the mask is empty (select subject found nothing in that photo).

    Raises:
        MaskInputError: an image cannot be opened (too large for this machine, damaged, camera
            RAW); the masks already yielded are written, none after it.
    """
    import numpy as np

    from desktop_editor.core.images import ImageLoadError, load_image
    from desktop_editor.core.selection.common import photo_array
    from desktop_editor.core.selection.recipe import NoSubject

    def one(path: Path) -> tuple[Path, Image.Image, np.ndarray, str]:
        try:
            photo = load_image(path).image  # the display copy: what the canvas selects on
        except ImageLoadError as exc:
            raise MaskInputError(str(exc)) from None
        pixels = photo_array(photo)
        try:
            return path, photo, recipe.make(pixels), ""
        except NoSubject as exc:
            return path, photo, np.zeros(pixels.shape[:2], np.uint8), str(exc)

    workers = max(1, min(len(images), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mask") as pool:
        for done, result in enumerate(pool.map(one, images), start=1):
            if on_done:
                on_done(done)
            yield result


def _progress(total: int, quiet: bool = False) -> Callable[[int], None]:
    def report(done: int) -> None:
        if not quiet:
            print(f"\rDeriving masks: {done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)

    return report


def run(args: argparse.Namespace) -> int:
    """Write one mask per image into --out (never over an existing file); print their paths."""
    from desktop_editor.cli.output import fail
    from desktop_editor.core.filenames import write_new_file
    from desktop_editor.core.masks import MaskConvention, encode_mask_png

    recipe = recipe_from_args(args)
    try:
        check_images(list(args.images), recipe)
    except MaskInputError as exc:
        return fail(str(exc), EXIT_USAGE)
    convention = MaskConvention(args.convention)
    softened = False
    try:
        for path, _photo, mask, problem in derive_masks(list(args.images), recipe,
                                                       on_done=_progress(len(args.images), args.quiet)):
            written = write_new_file(args.out, f"{path.stem}_mask.png", encode_mask_png(mask, convention))
            if problem:
                print(f"desktop-editor: warning: {path.name}: {problem} Its mask {written.name} is empty.",
                      file=sys.stderr)
            softened = softened or bool(((mask > 0) & (mask < 255)).any())
            print(written)
    except MaskInputError as exc:  # an image that cannot be opened: the masks before it stay written
        return fail(str(exc), EXIT_USAGE)
    if softened and convention is MaskConvention.OPENAI:
        print("desktop-editor: note: soft edges were saved as fully edited (the OpenAI convention has no "
              "partial edit); use --convention bw to keep them.", file=sys.stderr)
    return EXIT_OK


def auto_masks(args: argparse.Namespace, images: list[Path], stream) -> dict[Path, Path]:
    """`batch --auto-mask`: check every image, derive the masks into OUT/masks (black and white,
    soft edges kept for compositing), write the contact sheet if asked; image -> mask file.

    Raises:
        MaskInputError: the spec or one image's box is unusable (nothing is written then), or
            select subject found nothing in some photos (the other masks are written; nothing
            is sent).
    """
    from desktop_editor.core.contact_sheet import write_contact_sheet
    from desktop_editor.core.filenames import write_new_file
    from desktop_editor.core.masks import MaskConvention, encode_mask_png
    from desktop_editor.core.selection.common import SelectionError
    from desktop_editor.core.selection.recipe import parse_auto_mask

    try:
        recipe = parse_auto_mask(args.auto_mask)
    except SelectionError as exc:
        raise MaskInputError(str(exc)) from None
    check_images(images, recipe)
    folder = Path(args.out) / "masks"
    derived: dict[Path, Path] = {}
    sheet = []
    no_subject: list[str] = []
    print(f"Auto mask: {recipe.describe()}.", file=stream)
    for path, photo, mask, problem in derive_masks(images, recipe, on_done=_progress(len(images))):
        if problem:
            no_subject.append(path.name)
            continue
        derived[path] = write_new_file(folder, f"{path.stem}_mask.png", encode_mask_png(mask, MaskConvention.BLACK_WHITE))
        if args.masks_preview:
            photo.thumbnail((480, 480))  # the sheet needs a small copy only; frees the full photo
            sheet.append((path.name, photo, _reduced(mask, photo.size)))
    if derived:
        print(f"Masks written to {folder}.", file=stream)
    if no_subject:
        listed = ", ".join(no_subject[:5]) + (f" and {len(no_subject) - 5} more" if len(no_subject) > 5 else "")
        kept = f"; the other masks are in {folder} (--masks {folder} uses them)" if derived else ""
        raise MaskInputError(f"no clear subject in {listed}: nothing was sent. Give those photos a mask of "
                             f"their own, or use --auto-mask object:X,Y,W,H{kept}.")
    if args.masks_preview:
        written = write_contact_sheet(args.masks_preview, sheet)
        print(f"Mask preview: {written} ({len(sheet)} masks); look before sending.", file=stream)
    return derived


def _reduced(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    import numpy as np
    from PIL import Image

    return np.asarray(Image.fromarray(mask, "L").resize(size, Image.Resampling.BILINEAR))
