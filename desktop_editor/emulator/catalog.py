"""The models the emulator serves and the inputs each accepts.

Kept apart from the checks themselves so the rules read as data, and independent of
desktop_editor.core on purpose: the emulator is a second opinion on what the API accepts.
Written from runflow-api.md: the gpt-image edit models as documented; the utility models as
Runflow's own client code calls them, one `image_url` rather than a list (tag removal by
analogy); product isolation's aspect ratios as that code lists for its resize model, and
resolutions beyond "1K" inferred.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OUTPUT_FORMATS = ("png", "jpeg", "webp")
QUALITIES = ("low", "medium", "high", "auto")

GPT2_PRESETS: dict[str, tuple[int, int]] = {
    "square_hd": (1024, 1024),
    "square": (512, 512),
    "portrait_4_3": (768, 1024),
    "portrait_16_9": (576, 1024),
    "landscape_4_3": (1024, 768),
    "landscape_16_9": (1024, 576),
}
GPT15_SIZES: dict[str, tuple[int, int]] = {
    "1024x1024": (1024, 1024),
    "1536x1024": (1536, 1024),
    "1024x1536": (1024, 1536),
}
ISOLATION_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
ISOLATION_EDGES = {"1K": 1024, "2K": 2048, "4K": 4096}  # resolution -> longer edge of the result


@dataclass(frozen=True)
class ModelSpec:
    """Every input field one model accepts; anything else is refused as an unknown field."""

    prompt: str  # "required", "optional" or "none"
    image_field: str  # "image_urls" (a list, the first is edited) or "image_url" (one URL)
    mask_field: str | None = None
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # enumerated fields
    size_names: dict[str, tuple[int, int]] | None = None  # None: no image_size field
    explicit_sizes: bool = False  # image_size may be {"width", "height"}
    num_images: bool = False
    sync_mode: bool = False
    reframes: bool = False  # the result is a new frame (aspect_ratio, resolution), not the input's

    @property
    def fields(self) -> frozenset[str]:
        names = {self.image_field, *self.choices}
        if self.prompt != "none":
            names.add("prompt")
        if self.mask_field:
            names.add(self.mask_field)
        if self.size_names is not None:
            names.add("image_size")
        if self.num_images:
            names.add("num_images")
        if self.sync_mode:
            names.add("sync_mode")
        return frozenset(names)


MODELS: dict[str, ModelSpec] = {
    "openai/gpt-image-2/edit": ModelSpec(
        prompt="required",
        image_field="image_urls",
        mask_field="mask_url",
        choices={"output_format": OUTPUT_FORMATS, "quality": QUALITIES},
        size_names=GPT2_PRESETS,
        explicit_sizes=True,
        num_images=True,
        sync_mode=True,
    ),
    "openai/gpt-image-1.5/edit": ModelSpec(
        prompt="required",
        image_field="image_urls",
        mask_field="mask_image_url",
        choices={
            "output_format": OUTPUT_FORMATS,
            "quality": QUALITIES,
            "input_fidelity": ("low", "high"),
            "background": ("auto", "transparent", "opaque"),
        },
        size_names=GPT15_SIZES,
        num_images=True,
        sync_mode=True,
    ),
    "runflow/tag-removal": ModelSpec(prompt="none", image_field="image_url"),
    "runflow/product-isolation": ModelSpec(
        prompt="optional",
        image_field="image_url",
        choices={"aspect_ratio": ISOLATION_RATIOS, "resolution": tuple(ISOLATION_EDGES)},
        reframes=True,
    ),
}


def find_model(name: str, *, short_names: bool = False) -> str | None:
    """Canonical model name for `name`, or None.

    The direct style is seen both with and without the vendor prefix
    (`/v1/run/gpt-image-2/edit` and `/v1/run/openai/gpt-image-2/edit`), so it may pass
    `short_names=True` to accept both.
    """
    if name in MODELS:
        return name
    if short_names:
        for full in MODELS:
            if full.split("/", 1)[1] == name:
                return full
    return None


def isolation_frame(aspect_ratio: str, resolution: str) -> tuple[int, int]:
    """The size of a product isolation result: the longer edge from the resolution, the other
    from the aspect ratio."""
    across, down = (int(part) for part in aspect_ratio.split(":"))
    edge = ISOLATION_EDGES[resolution]
    if across >= down:
        return edge, max(1, round(edge * down / across))
    return max(1, round(edge * across / down)), edge
