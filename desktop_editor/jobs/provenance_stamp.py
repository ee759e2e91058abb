"""Every result the app saves says that AI made it (IPTC Digital Source Type in XMP).

Applied to the finished bytes of each result just before they are written, so it covers every
way a result is made (kept byte for byte, composited, placed back into a region): PNG, JPEG,
WebP and TIFF get the packet without re-encoding. The source's own XMP is merged in. A setting
(`JobOptions.provenance`, `--no-provenance`) leaves it out; the prompt goes in only with
`JobOptions.prompt_in_provenance` (off by default: prompts can be private).
"""

from __future__ import annotations

from dataclasses import replace

from desktop_editor.core.provenance import Provenance, xmp_packet
from desktop_editor.core.source_image import SourceImage
from desktop_editor.core.xmp_embed import XmpError, embed
from desktop_editor.jobs.model import EditJob


def limited_to_mask(job: EditJob, *, mask_used: bool, region: bool) -> bool:
    """Whether the saved result changed only part of the frame: composited through the mask,
    or placed back into the region that was sent. Otherwise the model remade the whole frame."""
    return region or (job.options.keep_unmasked and mask_used)


def job_provenance(job: EditJob, *, limited: bool) -> Provenance:
    """What a result of `job` says about how it was made."""
    return Provenance(model_id=job.params.model, run_id=job.run_id, whole_frame=not limited,
                      prompt=job.params.prompt, include_prompt=job.options.prompt_in_provenance)


def with_encoded_provenance(source: SourceImage | None, job: EditJob, *, limited: bool) -> SourceImage | None:
    """The document's source with the provenance packet as its XMP, so a result encoded in the
    document's own kind (`core.document_export`: HEIC and AVIF take XMP only when encoded)
    carries it from the start; the source's own XMP is merged in."""
    if source is None or not job.options.provenance:
        return source
    return replace(source, xmp=xmp_packet(job_provenance(job, limited=limited), existing=source.xmp))


def _iso_media(data: bytes) -> bool:
    """HEIC/AVIF bytes (an ISO base media file): their XMP is written when they are encoded."""
    return data[4:8] == b"ftyp"


def stamp_result(data: bytes, job: EditJob, *, limited: bool, source_xmp: bytes | str | None = None) -> tuple[bytes, str | None]:
    """`data` with the provenance packet, and a note when it could not be added (the result is
    then saved without it: a paid result is never lost to its metadata)."""
    if not job.options.provenance or _iso_media(data):
        return data, None
    packet = xmp_packet(job_provenance(job, limited=limited), existing=source_xmp)
    try:
        return embed(data, packet), None
    except XmpError as exc:
        try:  # a source packet too large for a JPEG segment: ours alone
            return embed(data, xmp_packet(job_provenance(job, limited=limited))), None
        except XmpError:
            return data, f"The result was saved without its AI provenance note: {exc}."
