"""How parameters read to people: size choices, money, the cost estimate (plain text, no Qt)."""

from __future__ import annotations

from desktop_editor.core.params import MODELS, EditParams, fit_within_limits, parse_size


def size_label(name: str, dims: tuple[int, int]) -> str:
    """'portrait_4_3' -> 'Portrait 4:3 · 768x1024'; '1536x1024' -> '1536x1024 · landscape'."""
    w, h = dims
    orientation = "square" if w == h else ("landscape" if w > h else "portrait")
    if parse_size(name):
        return f"{w}x{h} · {orientation}"
    words = name.split("_")
    head = words[0].capitalize()
    rest = words[1:]
    if len(rest) == 2 and all(part.isdigit() for part in rest):
        tail = f"{rest[0]}:{rest[1]}"
    else:
        tail = " ".join(part.upper() if len(part) <= 2 else part for part in rest)
    return f"{head} {tail}".strip() + f" · {w}x{h}"


def format_money(amount: float) -> str:
    """Dollars, with a third decimal for sub-dime amounts ($0.009, $0.27, $1.33)."""
    return f"${amount:.3f}" if amount < 0.1 else f"${amount:.2f}"


def cost_text(params: EditParams, prices: dict[str, float]) -> str:
    """'≈ $0.27 — 2 × high at $0.133', or why no estimate can be given."""
    if params.model not in MODELS:
        return ""
    total = params.estimated_cost(prices)
    if total is None:
        return f"No listed price for {params.spec.label}; the service reports the cost after the edit."
    if not params.spec.has_num_images:
        return f"≈ {format_money(total)} — {params.quality} at ${prices.get(params.quality, 0.0):.3f}"
    per_image = prices.get(params.quality, prices.get("high", 0.0))
    return f"≈ {format_money(total)} — {params.num_images} × {params.quality} at ${per_image:.3f}"


def sent_text(
    params: EditParams, image_size: tuple[int, int] | None, *, region_padding: int | None = None, size_ok: bool = True
) -> str:
    """'Sent as 3840x2160 (scaled down from 7680x4320); result 1024x768', or '' with no image.

    `region_padding` is set when only the region around the mask is sent; `size_ok` is False
    while the chosen size is refused (then no result size is promised).
    """
    if image_size is None:
        return ""
    send = fit_within_limits(*image_size)
    spec = params.spec
    region = spec.takes_mask and region_padding is not None
    if region:
        text = f"Sent as the region around the mask (+{region_padding} px), at most {send[0]}x{send[1]}"
    else:
        text = f"Sent as {send[0]}x{send[1]}"
        if send != tuple(image_size):
            text += f" (scaled down from {image_size[0]}x{image_size[1]})"
    result = params.output_size(*send) if spec.has_size and params.model in MODELS else None
    if result and size_ok and region_padding is None:
        text += f"; result {result[0]}x{result[1]}"
    return text


__all__ = ["cost_text", "format_money", "sent_text", "size_label"]
