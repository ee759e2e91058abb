"""Edit parameters, the models that take them, and validation before anything is sent.

Every rule a request could break is checked here, in words a designer understands, so a
bad size or an empty prompt never costs a round trip (or money). The emulator keeps its own
independent checks; the two must agree, which the tests verify.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from desktop_editor.core.catalogue import (
    DEFAULT_MODEL,
    GPT2_PRESETS,
    GPT15_SIZES,
    MODELS,
    OUTPUT_FORMATS,
    QUALITIES,
    InputField,
    Kind,
    ModelSpec,
)

# Explicit-size rules for gpt-image-2 (runflow-api.md, "Explicit sizes").
SIZE_MULTIPLE = 16
MAX_EDGE = 3840
MIN_PIXELS = 655_360
MAX_PIXELS = 8_294_400
MAX_ASPECT = 3.0

PROMPT_MIN = 2
PROMPT_MAX = 32_000
MAX_INPUT_IMAGES = 16
MAX_NUM_IMAGES = 4

# Listed prices per output image, by quality (runflow-api.md, "Timing and price").
DEFAULT_PRICES: dict[str, float] = {"low": 0.009, "medium": 0.034, "high": 0.133, "auto": 0.133}

__all__ = [
    "DEFAULT_MODEL", "DEFAULT_PRICES", "GPT2_PRESETS", "GPT15_SIZES", "MAX_INPUT_IMAGES", "MAX_NUM_IMAGES",
    "MODELS", "OUTPUT_FORMATS", "PROMPT_MAX", "QUALITIES", "EditParams", "InputField", "Kind", "ModelSpec",
    "ParamsError", "Problem", "fit_within_limits", "model_spec", "nearest_valid_size", "parse_options",
    "parse_size", "size_problems",
]


def model_spec(model_id: str) -> ModelSpec:
    """The spec of a known model; unknown ids raise ParamsError naming the known ones."""
    try:
        return MODELS[model_id]
    except KeyError:
        known = ", ".join(MODELS)
        raise ParamsError([Problem("model", f"Unknown model '{model_id}'. Choose one of: {known}.")]) from None


@dataclass(frozen=True)
class Problem:
    """One broken rule: the input field it concerns and a sentence for the designer."""

    field: str
    message: str


class ParamsError(ValueError):
    """Parameters that must not be sent; `problems` lists every broken rule at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(p.message for p in self.problems))


_SIZE_RE = re.compile(r"^\s*(\d+)\s*[xX×]\s*(\d+)\s*$")


def parse_size(text: str) -> tuple[int, int] | None:
    """'1024x768' -> (1024, 768); anything else -> None."""
    m = _SIZE_RE.match(text or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


def _round_to_multiple(value: float, multiple: int = SIZE_MULTIPLE) -> int:
    return max(multiple, int(round(value / multiple)) * multiple)


def size_problems(width: int, height: int) -> list[str]:
    """Every rule an explicit gpt-image-2 size breaks, each with what would be valid."""
    out: list[str] = []
    for name, v in (("Width", width), ("Height", height)):
        if v <= 0:
            out.append(f"{name} must be a positive number of pixels.")
            return out
        if v % SIZE_MULTIPLE:
            lo = (v // SIZE_MULTIPLE) * SIZE_MULTIPLE
            hi = lo + SIZE_MULTIPLE
            options = f"{lo} or {hi}" if lo >= SIZE_MULTIPLE else f"{hi}"
            out.append(f"{name} {v} is not a multiple of {SIZE_MULTIPLE}; nearest valid: {options}.")
    if max(width, height) > MAX_EDGE:
        out.append(f"The longest edge is {max(width, height)} px; the model allows at most {MAX_EDGE} px.")
    ratio = max(width, height) / min(width, height)
    if ratio > MAX_ASPECT:
        out.append(f"Aspect ratio {width}:{height} is more extreme than 3:1; the model accepts 1:3 to 3:1.")
    pixels = width * height
    if pixels < MIN_PIXELS:
        out.append(f"{width}x{height} is {pixels:,} pixels; the model needs at least {MIN_PIXELS:,} (e.g. 1024x640).")
    elif pixels > MAX_PIXELS:
        out.append(f"{width}x{height} is {pixels:,} pixels; the model allows at most {MAX_PIXELS:,} (e.g. 3840x2160).")
    if out:
        nw, nh = nearest_valid_size(width, height)
        out.append(f"Nearest valid size: {nw}x{nh}.")
    return out


def nearest_valid_size(width: int, height: int) -> tuple[int, int]:
    """The valid explicit size closest to width x height, keeping its aspect ratio as far as rules allow."""
    width, height = max(1, width), max(1, height)
    ratio = width / height
    ratio = min(MAX_ASPECT, max(1 / MAX_ASPECT, ratio))
    pixels = min(MAX_PIXELS, max(MIN_PIXELS, width * height))
    h = (pixels / ratio) ** 0.5
    w = h * ratio
    scale = min(1.0, MAX_EDGE / max(w, h))
    w, h = w * scale, h * scale
    best: tuple[int, int] | None = None
    best_cost = float("inf")
    base_w, base_h = _round_to_multiple(w), _round_to_multiple(h)
    for dw in range(-3, 4):
        for dh in range(-3, 4):
            cw, ch = base_w + dw * SIZE_MULTIPLE, base_h + dh * SIZE_MULTIPLE
            if cw <= 0 or ch <= 0 or _breaks_rules(cw, ch):
                continue
            cost = abs(cw - width) + abs(ch - height) + 1000 * abs(cw / ch - width / height)
            if cost < best_cost:
                best, best_cost = (cw, ch), cost
    return best or (1024, 1024)


def _breaks_rules(w: int, h: int) -> bool:
    return bool(
        w % SIZE_MULTIPLE
        or h % SIZE_MULTIPLE
        or max(w, h) > MAX_EDGE
        or max(w, h) / min(w, h) > MAX_ASPECT
        or not MIN_PIXELS <= w * h <= MAX_PIXELS
    )


def fit_within_limits(width: int, height: int) -> tuple[int, int]:
    """The size an input image is sent at: unchanged when within the model's limits, else scaled down.

    Limits are the explicit-size caps (longest edge 3840, 8,294,400 pixels); the aspect ratio is kept.
    """
    scale = min(1.0, MAX_EDGE / max(width, height), (MAX_PIXELS / (width * height)) ** 0.5)
    if scale >= 1.0:
        return width, height
    return max(1, int(width * scale)), max(1, int(height * scale))


# Options stored before the catalogue existed, as EditParams fields of their own.
_LEGACY_OPTIONS = ("input_fidelity", "background")


@dataclass(frozen=True)
class EditParams:
    """The designer's choices for one edit, independent of the images it applies to.

    Fields most models share are attributes; a model's own choices (input fidelity, product
    isolation's aspect ratio and resolution, ...) are in `options`, keyed by the service's field
    name. Only what the chosen model takes (its catalogue entry) is validated and sent.
    """

    prompt: str = ""
    model: str = DEFAULT_MODEL
    num_images: int = 1
    output_format: str = "png"
    image_size: str = "auto"
    quality: str = "high"
    sync_mode: bool = False
    options: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def spec(self) -> ModelSpec:
        return model_spec(self.model)

    def option(self, name: str) -> str | None:
        """The value of a model option: the designer's choice, else the catalogue's default."""
        value = self.options.get(name)
        if value is not None:
            return value
        found = next((f for f in self.spec.options if f.name == name), None) if self.model in MODELS else None
        return found.default if found else None

    def with_changes(self, **changes: Any) -> EditParams:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EditParams:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        options = dict(known.get("options") or {})
        for name in _LEGACY_OPTIONS:  # history written before options existed
            if data.get(name) is not None:
                options.setdefault(name, data[name])
        known["options"] = options
        return cls(**known)

    def problems(self, image_count: int = 1) -> list[Problem]:
        """Every rule these parameters (with `image_count` input images) break."""
        if self.model not in MODELS:
            return [Problem("model", f"Unknown model '{self.model}'. Choose one of: {', '.join(MODELS)}.")]
        spec = self.spec
        out: list[Problem] = []
        prompt = self.prompt or ""
        if spec.prompt_required or (spec.has_prompt and prompt):
            n = len(prompt.strip())
            if n < PROMPT_MIN:
                out.append(Problem("prompt", "Write a prompt of at least 2 characters describing the change."))
            elif len(prompt) > PROMPT_MAX:
                out.append(Problem("prompt", f"The prompt has {len(prompt):,} characters; the limit is {PROMPT_MAX:,}."))
        image = spec.image_field
        if image_count < 1:
            out.append(Problem(image.name, "Open an image to edit first."))
        elif not spec.takes_image_list and image_count > 1:
            out.append(Problem(image.name, f"{spec.label} takes one image; remove the reference images."))
        elif image_count > MAX_INPUT_IMAGES:
            out.append(Problem(image.name, f"{image_count} images given; the model takes at most {MAX_INPUT_IMAGES}."))
        if spec.has_num_images and not (isinstance(self.num_images, int) and 1 <= self.num_images <= MAX_NUM_IMAGES):
            out.append(Problem("num_images", f"Number of images must be 1 to {MAX_NUM_IMAGES}, not {self.num_images}."))
        if spec.has_output_format and self.output_format not in OUTPUT_FORMATS:
            out.append(Problem("output_format", f"Output format '{self.output_format}' is not one of png, jpeg, webp."))
        if spec.has_quality and self.quality not in QUALITIES:
            out.append(Problem("quality", f"Quality '{self.quality}' is not one of low, medium, high, auto."))
        if spec.has_size:
            out.extend(self._size_problems(spec))
        out.extend(self._option_problems(spec))
        return out

    def _option_problems(self, spec: ModelSpec) -> list[Problem]:
        out = []
        offered = {f.name: f for f in spec.options}
        for name, value in self.options.items():
            option = offered.get(name)
            if option is None:
                takes = ", ".join(offered) or "none"
                out.append(Problem(name, f"{spec.label} has no option '{name}' (its options: {takes})."))
            elif value is not None and value not in option.choices:
                label = option.label or name.replace("_", " ").capitalize()
                out.append(Problem(name, f"{label} '{value}' is not one of {', '.join(option.choices)}."))
        return out

    def _size_problems(self, spec: ModelSpec) -> list[Problem]:
        size = (self.image_size or "auto").strip()
        if size == "auto" or size in spec.size_presets:
            return []
        dims = parse_size(size)
        if not spec.explicit_sizes:
            allowed = ", ".join(["auto", *spec.size_presets])
            return [Problem("image_size", f"Size '{size}' is not offered by {spec.label}; choose {allowed}.")]
        if dims is None:
            presets = ", ".join(spec.size_presets)
            return [Problem("image_size", f"Size '{size}' is not understood; use auto, {presets}, or WIDTHxHEIGHT such as 1536x1024.")]
        problems = size_problems(*dims)
        return [Problem("image_size", " ".join(problems))] if problems else []

    def check(self, image_count: int = 1) -> None:
        """Raise ParamsError listing every problem; return quietly when the parameters may be sent."""
        problems = self.problems(image_count)
        if problems:
            raise ParamsError(problems)

    def output_size(self, image_width: int, image_height: int) -> tuple[int, int] | None:
        """The result size when it is predictable: a preset or explicit size; None for auto."""
        size = (self.image_size or "auto").strip()
        if size == "auto":
            return None
        presets = self.spec.size_presets if self.model in MODELS else {}
        return presets.get(size) or parse_size(size)

    def model_input(self, image_urls: list[str], mask_url: str | None) -> dict[str, Any]:
        """The `input` object for a run: exactly the fields the catalogue lists for this model,
        under the service's names (a model without a mask field never gets the mask)."""
        spec = self.spec
        body: dict[str, Any] = {}
        for spec_field in spec.fields:
            value = self._input_value(spec, spec_field, image_urls, mask_url)
            if value is not None:
                body[spec_field.name] = value
        return body

    def _input_value(self, spec: ModelSpec, spec_field: InputField, image_urls: list[str], mask_url: str | None) -> Any:
        kind = spec_field.kind
        if kind is Kind.PROMPT:
            return self.prompt if (spec_field.required or self.prompt.strip()) else None
        if kind is Kind.IMAGES:
            return list(image_urls)
        if kind is Kind.IMAGE:
            return image_urls[0] if image_urls else None
        if kind is Kind.MASK:
            return mask_url or None
        if kind is Kind.NUM_IMAGES:
            return self.num_images
        if kind is Kind.OUTPUT_FORMAT:
            return self.output_format
        if kind is Kind.QUALITY:
            return self.quality
        if kind is Kind.SYNC_MODE:
            return True if self.sync_mode else None
        if kind is Kind.IMAGE_SIZE:
            size = (self.image_size or "auto").strip()
            dims = parse_size(size)
            if dims and spec.explicit_sizes and size not in spec.size_presets:
                return {"width": dims[0], "height": dims[1]}
            return size
        return self.option(spec_field.name)  # Kind.CHOICE

    def estimated_cost(self, prices: dict[str, float] | None = None) -> float | None:
        """Listed price x number of images; None when the model's price is not known."""
        if not self.spec.priced:
            return None
        table = prices or DEFAULT_PRICES
        per_image = table.get(self.quality, table.get("high"))
        return None if per_image is None else round(per_image * self.num_images, 4)


def parse_options(pairs: list[str]) -> dict[str, str]:
    """`["aspect_ratio=4:5", "resolution=2K"]` -> a dict; ValueError names a malformed pair."""
    options: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValueError(f"'{pair}' is not key=value (for example aspect_ratio=4:5).")
        options[name.strip()] = value.strip()
    return options
