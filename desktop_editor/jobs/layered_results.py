"""Layered files from results already on disk, using the history to find each result's mask.

A result saved with "keep original outside mask" is already the original with the edit blended
in through the feathered mask, so its layer shows it through the edit's whole area (a mask that
is 255 wherever the edit reached): stacked on the original it gives the saved file exactly, and
the designer can still brush parts of it away. A result the model made for the whole frame is
limited on its layer to the job's mask, feathered as the app composites (`composite.weight_image`).
A result without a mask in the history (or none recorded) goes on a full layer, said so.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np

from desktop_editor.core.composite import weight_image
from desktop_editor.core.filenames import free_path
from desktop_editor.core.images import ImageLoadError, load_image
from desktop_editor.core.layered.build import layer_name
from desktop_editor.core.layered.from_results import (
    ResultPiece,
    add_to_psd,
    layered_format,
    stack_from_results,
    write_layered,
)
from desktop_editor.core.layered.psd_copy import open_psd
from desktop_editor.core.layered.psd_copy import source_xmp as psd_xmp
from desktop_editor.core.layered.stack import LayeredFileError
from desktop_editor.core.masks import MaskError, fit_mask, load_mask
from desktop_editor.core.provenance import Provenance, xmp_packet
from desktop_editor.jobs.model import EditJob


def job_time(job: EditJob) -> datetime | None:
    """When the job was made, in local time, for the layer's name."""
    try:
        return datetime.fromisoformat(job.created_at).astimezone()
    except ValueError:
        return None


def job_mask(job: EditJob, size: tuple[int, int]) -> np.ndarray | None:
    """The job's mask at `size`, or None when it had none or the file is gone."""
    if job.mask_path is None or job.options.expansion is not None:
        return None
    try:
        return fit_mask(load_mask(job.mask_path), size, rescale=True)
    except (MaskError, OSError):
        return None


def piece_for(path: Path, job: EditJob | None, size: tuple[int, int], index: int) -> tuple[ResultPiece, str | None]:
    """The layer piece for one result file, and a note when its mask could not be used."""
    try:
        image = load_image(path)
    except ImageLoadError as exc:
        raise LayeredFileError(str(exc)) from exc
    if job is None:
        return ResultPiece(image, None, f"{path.stem}"), f"{path.name} is not in the history: it is a full layer."
    name = layer_name(job.params.prompt, job_time(job), fallback=f"Result {index}")
    mask = job_mask(job, size)
    if mask is None:
        return ResultPiece(image, None, name), None
    if job.options.keep_unmasked:
        area = np.where(np.asarray(weight_image(mask, job.options.feather)) > 0, 255, 0).astype(np.uint8)
        return ResultPiece(image, area, name), None
    return ResultPiece(image, mask, name, job.options.feather), None


def job_for_result(jobs: list[EditJob], path: Path) -> EditJob | None:
    """The job that saved `path` (compared as resolved paths)."""
    target = path.resolve()
    for job in jobs:
        if any(Path(p).resolve() == target for p in job.result_paths):
            return job
    return None


def provenance_for(jobs: list[EditJob], include_prompt: bool = False) -> Provenance:
    """One packet for a layered file: its models and runs joined, limited to masks when every
    result was."""
    models = sorted({job.params.model for job in jobs}) or ["unknown"]
    runs = [job.run_id for job in jobs if job.run_id]
    whole = any(job.mask_path is None for job in jobs) or not jobs
    prompts = "; ".join(dict.fromkeys(job.params.prompt for job in jobs if job.params.prompt))
    return Provenance(", ".join(models), ", ".join(runs) or None, whole_frame=whole, prompt=prompts or None,
                      include_prompt=include_prompt)


def build_layered_file(results: list[Path], original: Path, out: Path, jobs: list[EditJob], *,
                       provenance: bool = True, include_prompt: bool = False,
                       allow_flattened: bool = False) -> tuple[Path, list[str]]:
    """Write `out` (.psd/.ora) with `original` at the bottom and each result on a layer; the notes
    to show. A PSD original with a PSD output keeps the designer's layers (`add_to_psd`)."""
    layered_format(out)
    keep_psd = original.suffix.lower() in (".psd", ".psb") and out.suffix.lower() in (".psd", ".psb")
    loaded = None
    if keep_psd:  # the designer's document itself: its size and XMP from the PSD
        document = open_psd(original)
        size, source_xmp = (document.width, document.height), psd_xmp(document)
    else:
        try:
            loaded = load_image(original)
        except ImageLoadError as exc:
            raise LayeredFileError(str(exc)) from exc
        source = loaded.source
        size, source_xmp = loaded.size, (source.xmp if source is not None else None) or loaded.info.get("xmp")
    found = [job_for_result(jobs, path) for path in results]
    pieces, notes = [], []
    for index, (path, job) in enumerate(zip(results, found, strict=True), start=1):
        piece, note = piece_for(path, job, size, index)
        pieces.append(piece)
        if note:
            notes.append(note)
    used = [job for job in found if job is not None]
    xmp = xmp_packet(provenance_for(used, include_prompt), existing=source_xmp) if provenance else None
    if loaded is None:
        return add_to_psd(original, pieces, out, xmp=xmp, allow_flattened=allow_flattened), notes
    stack, note = stack_from_results(loaded, pieces)
    if note:
        notes.append(note)
    return write_layered(stack, out, xmp=xmp), notes


def write_job_layers(job: EditJob, fmt: str, *, original: Path | None = None) -> tuple[Path, list[str]]:
    """The layered file of a finished job beside its results ("photo-edit-layers.psd", never
    replacing a file)."""
    if not job.result_paths:
        raise LayeredFileError("The edit has no results to put on layers.")
    if job.options.expansion is not None:
        raise LayeredFileError("An expanded canvas has no original of the same size to layer the results over.")
    source = original or (Path(job.options.source_image) if job.options.source_image else Path(job.image_paths[0]))
    folder = Path(job.result_paths[0]).parent
    out = free_path(folder, f"{Path(job.image_paths[0]).stem}-edit-layers.{fmt}")
    return build_layered_file([Path(p) for p in job.result_paths], source, out, [job],
                              provenance=job.options.provenance, include_prompt=job.options.prompt_in_provenance)
