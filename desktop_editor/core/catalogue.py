"""The model catalogue: every model the app can call, and exactly the input fields each takes.

One table drives everything that depends on a model's inputs: the create body
(`EditParams.model_input`), validation before sending, the rows the parameters panel shows
and the command line's `--option key=value`. The emulator keeps its own, independent copy of
these rules (desktop_editor/emulator/catalog.py), so the two are checked against each other
over HTTP rather than one echoing the other.

Sources (runflow-api.md): the gpt-image edit models' inputs are documented [V]; the utility
models take one image, not a list, as Runflow's own client code calls them [V] (product
isolation with `image_url`, `aspect_ratio`, `resolution`, `prompt`); tag removal is not called
there and takes `image_url` by analogy [I]; the aspect ratios offered are the ones Runflow's
code lists for its smart-resize model, and the resolutions beyond "1K" are inferred [I].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

DEFAULT_MODEL = "openai/gpt-image-2/edit"

OUTPUT_FORMATS = ("png", "jpeg", "webp")
QUALITIES = ("low", "medium", "high", "auto")

# fal-style named sizes that the gpt-image-2 listing mirrors.
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
ASPECT_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
RESOLUTIONS = ("1K", "2K", "4K")


class Kind(str, Enum):
    """What an input field holds, which decides where its value comes from in EditParams."""

    PROMPT = "prompt"  # EditParams.prompt
    IMAGE = "image"  # one image URL: the image being edited
    IMAGES = "images"  # a list of image URLs: the edited image first, then references
    MASK = "mask"  # the mask's URL, or left out
    NUM_IMAGES = "num_images"
    OUTPUT_FORMAT = "output_format"
    IMAGE_SIZE = "image_size"
    QUALITY = "quality"
    SYNC_MODE = "sync_mode"
    CHOICE = "choice"  # a model-specific option, in EditParams.options[name]


class MaskUse(str, Enum):
    """What a painted mask does with a model, said to the designer before sending."""

    SENT = "sent"  # the model takes a mask field: the mask is sent as guidance
    COMPOSITE = "composite"  # no mask field, the result keeps the frame: the mask restricts the change here
    WHOLE_FRAME = "whole_frame"  # no mask field, the model recomposes the whole frame: the mask cannot apply


@dataclass(frozen=True)
class InputField:
    """One field of a model's input, under the service's own name."""

    name: str
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] = ()
    default: str | None = None  # CHOICE: sent when the designer picks nothing; None leaves the field out
    label: str = ""
    help: str = ""


@dataclass(frozen=True)
class ModelSpec:
    """What one model takes; the UI shows only these fields and the client sends only these."""

    id: str
    label: str
    fields: tuple[InputField, ...]
    mask_use: MaskUse
    size_presets: dict[str, tuple[int, int]] = field(default_factory=dict)
    explicit_sizes: bool = False
    priced: bool = True  # a listed price per image exists (by quality)

    def field_of(self, kind: Kind) -> InputField | None:
        return next((f for f in self.fields if f.kind is kind), None)

    def has(self, kind: Kind) -> bool:
        return self.field_of(kind) is not None

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def image_field(self) -> InputField:
        found = self.field_of(Kind.IMAGES) or self.field_of(Kind.IMAGE)
        assert found is not None, f"{self.id} takes no image"
        return found

    @property
    def takes_image_list(self) -> bool:
        """True when the model takes reference images after the edited one."""
        return self.has(Kind.IMAGES)

    @property
    def mask_field(self) -> str | None:
        found = self.field_of(Kind.MASK)
        return found.name if found else None

    @property
    def takes_mask(self) -> bool:
        return self.has(Kind.MASK)

    @property
    def has_prompt(self) -> bool:
        return self.has(Kind.PROMPT)

    @property
    def prompt_required(self) -> bool:
        found = self.field_of(Kind.PROMPT)
        return bool(found and found.required)

    @property
    def has_num_images(self) -> bool:
        return self.has(Kind.NUM_IMAGES)

    @property
    def has_quality(self) -> bool:
        return self.has(Kind.QUALITY)

    @property
    def has_output_format(self) -> bool:
        return self.has(Kind.OUTPUT_FORMAT)

    @property
    def has_size(self) -> bool:
        return self.has(Kind.IMAGE_SIZE)

    @property
    def has_sync_mode(self) -> bool:
        return self.has(Kind.SYNC_MODE)

    @property
    def options(self) -> tuple[InputField, ...]:
        """The model-specific choices (the command line's `--option key=value`)."""
        return tuple(f for f in self.fields if f.kind is Kind.CHOICE)

    @property
    def uses_mask(self) -> bool:
        """Whether a painted mask changes anything for this model (sent, or composited here)."""
        return self.mask_use is not MaskUse.WHOLE_FRAME


_PROMPT = InputField("prompt", Kind.PROMPT, required=True, label="Prompt")
_IMAGE_URLS = InputField("image_urls", Kind.IMAGES, required=True, label="Images")
_IMAGE_URL = InputField("image_url", Kind.IMAGE, required=True, label="Image")
_NUM_IMAGES = InputField("num_images", Kind.NUM_IMAGES, label="Results")
_OUTPUT_FORMAT = InputField("output_format", Kind.OUTPUT_FORMAT, choices=OUTPUT_FORMATS, label="Format")
_IMAGE_SIZE = InputField("image_size", Kind.IMAGE_SIZE, label="Size")
_QUALITY = InputField("quality", Kind.QUALITY, choices=QUALITIES, label="Quality")
_SYNC_MODE = InputField("sync_mode", Kind.SYNC_MODE, label="Sync mode")

MODELS: dict[str, ModelSpec] = {
    spec.id: spec
    for spec in (
        ModelSpec(
            id="openai/gpt-image-2/edit",
            label="GPT Image 2 Edit",
            fields=(
                _PROMPT, _IMAGE_URLS, InputField("mask_url", Kind.MASK, label="Mask"),
                _NUM_IMAGES, _OUTPUT_FORMAT, _IMAGE_SIZE, _QUALITY, _SYNC_MODE,
            ),
            mask_use=MaskUse.SENT,
            size_presets=GPT2_PRESETS,
            explicit_sizes=True,
        ),
        ModelSpec(
            id="openai/gpt-image-1.5/edit",
            label="GPT Image 1.5 Edit",
            fields=(
                _PROMPT, _IMAGE_URLS, InputField("mask_image_url", Kind.MASK, label="Mask"),
                _NUM_IMAGES, _OUTPUT_FORMAT, _IMAGE_SIZE, _QUALITY,
                InputField(
                    "input_fidelity", Kind.CHOICE, choices=("low", "high"), label="Input fidelity",
                    help="How closely the result keeps the input's details",
                ),
                InputField(
                    "background", Kind.CHOICE, choices=("auto", "transparent", "opaque"), label="Background",
                    help="Whether the result may have a transparent background",
                ),
                _SYNC_MODE,
            ),
            mask_use=MaskUse.SENT,
            size_presets=GPT15_SIZES,
        ),
        ModelSpec(
            id="runflow/tag-removal",
            label="Tag removal",
            fields=(_IMAGE_URL,),
            mask_use=MaskUse.COMPOSITE,
            priced=False,
        ),
        ModelSpec(
            id="runflow/product-isolation",
            label="Product isolation",
            fields=(
                _IMAGE_URL,
                InputField(
                    "aspect_ratio", Kind.CHOICE, choices=ASPECT_RATIOS, default="1:1", label="Aspect ratio",
                    help="The shape of the frame the product is placed in",
                ),
                InputField(
                    "resolution", Kind.CHOICE, choices=RESOLUTIONS, default="1K", label="Resolution",
                    help="The size of the result's longer edge",
                ),
                InputField(
                    "prompt", Kind.PROMPT, required=False, label="Prompt",
                    help="Optional: what to isolate, e.g. “the bottle, without its box”",
                ),
            ),
            mask_use=MaskUse.WHOLE_FRAME,
            priced=False,
        ),
    )
}


def mask_note(spec: ModelSpec, keep_unmasked: bool) -> str:
    """One sentence for the designer: what a painted mask will do with this model.

    Models without a mask field look at the whole image. When the result keeps the original's
    frame, the app itself can restrict the change to the painted area (the composite that
    "Keep original outside mask" does); when the model recomposes the frame, it cannot.
    """
    if spec.mask_use is MaskUse.SENT:
        return ""
    if spec.mask_use is MaskUse.WHOLE_FRAME:
        return (
            f"{spec.label} takes no mask and recomposes the whole frame, so the painted mask is not "
            "used and “Keep original outside mask” is off."
        )
    if keep_unmasked:
        return (
            f"{spec.label} takes no mask and changes the whole image; “Keep original outside mask” "
            "puts the original back outside the painted area here, whenever the result has the "
            "original's shape."
        )
    return (
        f"{spec.label} takes no mask: it may change every pixel, the painted mask is not used. "
        "Turn on “Keep original outside mask” to restrict the change to the painted area."
    )
