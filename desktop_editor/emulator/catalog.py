"""The models the emulator serves and the inputs each accepts.

Kept apart from the checks themselves so the rules read as data, and independent of
desktop_editor.core on purpose: the emulator is a second opinion on what the API accepts.
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

_COMMON_FIELDS = frozenset({"prompt", "image_urls", "num_images", "output_format", "sync_mode"})


@dataclass(frozen=True)
class ModelSpec:
    """What one model accepts beyond the fields every model shares."""

    prompt_required: bool
    mask_field: str | None = None
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # enumerated fields
    size_names: dict[str, tuple[int, int]] | None = None  # None: no image_size field
    explicit_sizes: bool = False  # image_size may be {"width", "height"}

    @property
    def fields(self) -> frozenset[str]:
        extra = set(self.choices)
        if self.mask_field:
            extra.add(self.mask_field)
        if self.size_names is not None:
            extra.add("image_size")
        return _COMMON_FIELDS | extra


MODELS: dict[str, ModelSpec] = {
    "openai/gpt-image-2/edit": ModelSpec(
        prompt_required=True,
        mask_field="mask_url",
        choices={"output_format": OUTPUT_FORMATS, "quality": QUALITIES},
        size_names=GPT2_PRESETS,
        explicit_sizes=True,
    ),
    "openai/gpt-image-1.5/edit": ModelSpec(
        prompt_required=True,
        mask_field="mask_image_url",
        choices={
            "output_format": OUTPUT_FORMATS,
            "quality": QUALITIES,
            "input_fidelity": ("low", "high"),
            "background": ("auto", "transparent", "opaque"),
        },
        size_names=GPT15_SIZES,
    ),
    "runflow/tag-removal": ModelSpec(prompt_required=False, choices={"output_format": OUTPUT_FORMATS}),
    "runflow/product-isolation": ModelSpec(prompt_required=False, choices={"output_format": OUTPUT_FORMATS}),
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
