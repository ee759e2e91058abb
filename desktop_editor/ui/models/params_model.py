"""What a document is to be sent with: the parameters model behind the parameters panel.

`ParamsModel` holds every `EditParams` field plus how results are kept and what is sent, as
observable properties; the panel's widgets are bound to it and react to it only, so a value set
in code and a designer's click take the same path. No widgets here.
"""

from __future__ import annotations

from PySide6.QtCore import Signal

from desktop_editor.core.params import DEFAULT_MODEL, MODELS, EditParams, ModelSpec
from desktop_editor.ui.common.binding import ObservableModel, Prop


class ParamsModel(ObservableModel):
    """The panel's state: every EditParams field plus how results are kept and what is sent.

    Signals:
        <name>_changed(object): for each property below, its new value.
        changed(str): the name of the property that changed.
    """

    model = Prop(DEFAULT_MODEL)
    model_changed = Signal(object)
    prompt = Prop("")
    prompt_changed = Signal(object)
    num_images = Prop(1)
    num_images_changed = Signal(object)
    output_format = Prop("png")
    output_format_changed = Signal(object)
    image_size = Prop("auto")
    image_size_changed = Signal(object)
    quality = Prop("high")
    quality_changed = Signal(object)
    sync_mode = Prop(False)
    sync_mode_changed = Signal(object)
    model_options = Prop({})  # a model's own choices by field name (replaced whole, never mutated)
    model_options_changed = Signal(object)
    keep_unmasked = Prop(True)
    keep_unmasked_changed = Signal(object)
    feather = Prop(4)
    feather_changed = Signal(object)
    colour_match = Prop(False)
    colour_match_changed = Signal(object)
    send_region = Prop(False)
    send_region_changed = Signal(object)
    region_padding = Prop(64)
    region_padding_changed = Signal(object)

    @property
    def spec(self) -> ModelSpec:
        return MODELS.get(self.model) or MODELS[DEFAULT_MODEL]

    def params(self) -> EditParams:
        """The EditParams to send: fields the chosen model does not take are left at their defaults."""
        spec = self.spec
        chosen = self.model_options or {}
        return EditParams(
            prompt=self.prompt if spec.has_prompt else "",
            model=spec.id,
            num_images=self.num_images if spec.has_num_images else 1,
            output_format=self.output_format if spec.has_output_format else "png",
            image_size=self.image_size if spec.has_size else "auto",
            quality=self.quality if spec.has_quality else "high",
            sync_mode=self.sync_mode if spec.has_sync_mode else False,
            options={f.name: chosen[f.name] for f in spec.options if chosen.get(f.name)},
        )

    def set_params(self, params: EditParams) -> None:
        """Show `params`; the model is set first so the size it brings is judged against it."""
        self.model = params.model if params.model in MODELS else DEFAULT_MODEL
        self.update(
            prompt=params.prompt or "",
            num_images=params.num_images,
            output_format=params.output_format,
            image_size=(params.image_size or "auto").strip(),
            quality=params.quality,
            sync_mode=bool(params.sync_mode),
            model_options={**(self.model_options or {}), **params.options},
        )


def takes_references(spec: ModelSpec) -> bool:
    """Reference images go with models that take a list of images; the utility models take one."""
    return spec.takes_image_list


def size_allowed(spec: ModelSpec, size: str) -> bool:
    """Whether `spec` takes `size`: auto, one of its presets, or any WxH when it takes explicit sizes."""
    size = (size or "auto").strip()
    return size == "auto" or size in spec.size_presets or spec.explicit_sizes


__all__ = ["ParamsModel", "size_allowed", "takes_references"]
