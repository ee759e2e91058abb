"""The parameters panel: the sections composed, validation, the cost, and Generate.

Every choice lives in one observable `ParamsModel`; each section binds its own widgets to it
and the panel reacts to the model only, so `set_params` and the designer's clicks take the same
path. Validation is `EditParams.problems`, shown next to the field it concerns before anything
is sent (a bad size or an empty prompt must never cost a round trip or money).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QImage
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_editor.core.params import (
    DEFAULT_PRICES,
    MODELS,
    EditParams,
    Problem,
    fit_within_limits,
)
from desktop_editor.ui.common.binding import bind, no_wheel_when_unfocused, set_tone
from desktop_editor.ui.common.job_bridge import ThumbnailCache
from desktop_editor.ui.models.params_model import ParamsModel
from desktop_editor.ui.models.params_text import cost_text, sent_text
from desktop_editor.ui.panels.params.form import (
    FittingScrollArea,
    problem_label,
    section_header,
    show_problem,
)
from desktop_editor.ui.panels.params.output import OutputSection
from desktop_editor.ui.panels.params.prompt import PromptSection
from desktop_editor.ui.panels.params.references import THUMB, ReferencesSection
from desktop_editor.ui.panels.params.result import ResultSection

MIN_WIDTH = 280
GENERATE_STYLE = (
    "QPushButton#generateButton { background: palette(highlight); color: palette(highlighted-text);"
    " font-weight: 600; border: none; border-radius: 4px; padding: 6px 14px; }"
    "QPushButton#generateButton:hover { background: palette(highlight); }"
    "QPushButton#generateButton:disabled { background: rgba(127, 127, 127, 60); color: rgba(127, 127, 127, 230); }"
)


class ParamsPanel(QWidget):
    """Model, prompt, reference images and output choices, with cost, sent size and validation.

    Signals:
        params_changed(object): the EditParams now chosen (emitted only when they change).
        options_changed(object): the dict from `options()` changed.
        references_changed(object): the list of reference image paths changed.
        recent_prompts_changed(object): the recent-prompts list changed (list of str), to persist.
        generate_requested(): Generate or Ctrl+Enter with parameters that may be sent.
    """

    params_changed = Signal(object)
    options_changed = Signal(object)
    references_changed = Signal(object)
    recent_prompts_changed = Signal(object)
    generate_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, thumbnails: ThumbnailCache | None = None):
        super().__init__(parent)
        self.model = ParamsModel(self)
        self._prices: dict[str, float] = dict(DEFAULT_PRICES)
        self._image_size: tuple[int, int] | None = None
        self._expansion_note = ""  # what an expanded canvas is sent as, said instead of the plain size
        self._demo = False
        self._problems: list[Problem] = []
        self._last_params: EditParams | None = None
        self._last_options: dict[str, Any] | None = None
        self._batching = 0

        self._build(thumbnails or ThumbnailCache(edge=2 * THUMB, parent=self))
        self.model.changed.connect(self._on_model_changed)
        self._on_model_spec_changed()
        self._refresh()

    def _build(self, thumbnails: ThumbnailCache) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.scroll_area = FittingScrollArea(self)
        body = QWidget(self.scroll_area)
        body.setObjectName("paramsBody")
        self.scroll_area.setWidget(body)
        outer.addWidget(self.scroll_area, 1)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(12, 10, 12, 12)
        lay.setSpacing(6)

        self.model_combo = QComboBox()
        for spec in MODELS.values():
            self.model_combo.addItem(spec.label, spec.id)
            self.model_combo.setItemData(self.model_combo.count() - 1, spec.id, Qt.ItemDataRole.ToolTipRole)
        self.model_combo.setAccessibleName("Model")
        lay.addWidget(section_header("Model"))
        lay.addWidget(self.model_combo)

        self.prompt_section = PromptSection(self.model)
        self.prompt_edit = self.prompt_section.edit  # the window's Generate and its tests type here
        self.images_section = ReferencesSection(thumbnails)
        self.output_section = OutputSection(self.model)
        self.result_section = ResultSection(self.model)
        for section in (self.prompt_section, self.images_section, self.output_section, self.result_section):
            lay.addWidget(section)
        lay.addStretch(1)
        outer.addWidget(self._build_footer())

        self._binding = bind(self.model, "model", self.model_combo)
        self.prompt_section.submit_requested.connect(self._on_generate_clicked)
        self.prompt_section.recent_prompts_changed.connect(self.recent_prompts_changed)
        self.images_section.references_changed.connect(self._on_references_changed)
        self.output_section.size.choice_changed.connect(self._refresh)
        out, result = self.output_section, self.result_section
        no_wheel_when_unfocused(
            self.model_combo, out.num_images_spin, out.format_combo, out.size.combo, out.quality_combo,
            *out.options.combos.values(), result.feather_spin, result.send_combo, result.padding_spin,
        )
        self.setMinimumWidth(MIN_WIDTH)

    def _build_footer(self) -> QWidget:
        """Cost, sent size, Demo mode, what is missing, and Generate: always visible under the scroll."""
        footer = QWidget(self)
        footer.setObjectName("paramsFooter")
        footer.setAutoFillBackground(True)
        fl = QVBoxLayout(footer)
        fl.setContentsMargins(12, 8, 12, 12)
        fl.setSpacing(4)
        self.cost_label = QLabel()
        self.cost_label.setWordWrap(True)
        self.sent_label = QLabel()
        self.sent_label.setWordWrap(True)
        set_tone(self.sent_label, "muted")
        self.demo_label = QLabel("Demo mode: results are emulated and nothing is charged.")
        self.demo_label.setWordWrap(True)
        set_tone(self.demo_label, "accent")
        self.problems_label = problem_label()
        self.generate_button = QPushButton("Generate")
        self.generate_button.setObjectName("generateButton")
        self.generate_button.setToolTip("Send the edit (Ctrl+Enter in the prompt)")
        self.generate_button.setMinimumHeight(32)
        self.generate_button.setStyleSheet(GENERATE_STYLE)
        self.generate_button.clicked.connect(self._on_generate_clicked)
        for widget in (self.cost_label, self.sent_label, self.demo_label, self.problems_label):
            fl.addWidget(widget)
        fl.addSpacing(4)
        fl.addWidget(self.generate_button)
        return footer

    def row_visible(self, widget: QWidget) -> bool:
        """Whether the form row holding `widget` is shown (for tests and the window's layout checks)."""
        for form in (*self.output_section.forms, self.result_section.form):
            if form.holds(widget):
                return form.row_visible(widget)
        return widget.isVisibleTo(self)

    # ----- public API --------------------------------------------------------------------------

    def params(self) -> EditParams:
        """The parameters as chosen now (possibly invalid: see `problems()`)."""
        return self.model.params()

    def set_params(self, params: EditParams) -> None:
        """Show `params` (a reopened job, a project's saved choices, the settings' defaults).

        One `params_changed` follows, with the final parameters (not one per field).
        """
        with self.batched():
            self.model.set_params(params)

    def options(self) -> dict[str, Any]:
        """How results are kept and what is sent: keys of `JobOptions`, for `AppSettings.job_options`."""
        m = self.model
        spec = m.spec
        return {
            # A model that recomposes the whole frame cannot be restricted to the mask.
            "keep_unmasked": bool(m.keep_unmasked) and spec.uses_mask,
            "feather": int(m.feather),
            "colour_match": bool(m.colour_match),
            # Only a model with a mask field can be sent the region around the mask.
            "region_padding": int(m.region_padding) if m.send_region and spec.takes_mask else None,
        }

    def set_options(
        self,
        *,
        keep_unmasked: bool | None = None,
        feather: float | None = None,
        colour_match: bool | None = None,
        region_padding: int | None | bool = False,
    ) -> None:
        """Show result options; `region_padding=None` means whole image, a number a region (False: leave)."""
        values: dict[str, Any] = {}
        if keep_unmasked is not None:
            values["keep_unmasked"] = bool(keep_unmasked)
        if feather is not None:
            values["feather"] = int(round(feather))
        if colour_match is not None:
            values["colour_match"] = bool(colour_match)
        if region_padding is None:
            values["send_region"] = False
        elif region_padding is not False:
            values.update(send_region=True, region_padding=int(region_padding))
        with self.batched():
            self.model.update(**values)

    def problems(self) -> list[Problem]:
        """What stops these parameters from being sent now (empty when Generate is enabled)."""
        return list(self._problems)

    def is_valid(self) -> bool:
        return not self._problems

    def set_prices(self, prices: dict[str, float]) -> None:
        """Prices per output image by quality (from settings) used for the estimate."""
        self._prices = dict(prices)
        self._refresh()

    def set_demo(self, demo: bool) -> None:
        """In Demo mode the panel says that results are emulated and nothing is charged."""
        self._demo = bool(demo)
        self.generate_button.setText("Generate (demo)" if demo else "Generate")
        self._refresh()

    def set_image_size(self, width: int, height: int) -> None:
        """The open image's size, for the size that will be sent (scaled to the model's limits)."""
        self._image_size = (int(width), int(height))
        self.output_section.size.fallback_size = fit_within_limits(*self._image_size)
        if self.images_section.open_image_name is None:
            self.images_section.set_open_image("Open image")
        self._refresh()

    def set_open_image(self, name: str, path: str | Path | None = None, thumbnail: QImage | None = None) -> None:
        """Show the image being edited first in the images list (fixed, never reordered or removed)."""
        self.images_section.set_open_image(name, path, thumbnail)
        self._refresh()

    def clear_image(self) -> None:
        """No image is open: Generate is disabled until one is."""
        self._image_size = None
        self.output_section.size.fallback_size = None
        self.images_section.set_open_image(None)
        self._refresh()

    def reference_paths(self) -> list[Path]:
        """Reference images in the order they will be sent (after the edited image)."""
        return self.images_section.paths()

    def set_reference_paths(self, paths: list[str | Path]) -> None:
        """Replace the reference images (e.g. when a job is reopened)."""
        self.images_section.set_paths(paths)

    def add_reference_paths(self, paths: list[str | Path]) -> int:
        """Append reference images, up to 16 images in all; returns how many were added."""
        return self.images_section.add_paths(paths)

    def recent_prompts(self) -> list[str]:
        return self.prompt_section.recent_prompts()

    def set_recent_prompts(self, prompts: list[str]) -> None:
        self.prompt_section.set_recent_prompts(prompts)

    @Slot()
    def request_generate(self) -> bool:
        """What the Generate button does (also the window's Generate action and Ctrl+Enter):
        emit `generate_requested` when the parameters may be sent, remembering the prompt.
        Returns False, with the problems shown next to their fields, when they may not."""
        self._refresh()
        if self._problems:
            return False
        if self.model.spec.has_prompt:  # an optional prompt is remembered too
            self.prompt_section.remember(self.model.prompt)
        self.generate_requested.emit()
        return True

    @Slot()
    def _on_generate_clicked(self) -> None:
        self.request_generate()

    # ----- reacting to the model ---------------------------------------------------------------

    @contextmanager
    def batched(self) -> Iterator[None]:
        """Apply several changes (a switch to another image sets its name, size, parameters,
        options and references), then validate, summarise and announce once."""
        self._batching += 1
        try:
            yield
        finally:
            self._batching -= 1
            if not self._batching:
                self._refresh()

    @Slot(str)
    def _on_model_changed(self, name: str) -> None:
        if name == "model":
            self._on_model_spec_changed()
        if not self._batching:
            self._refresh()

    def _on_model_spec_changed(self) -> None:
        spec = self.model.spec
        self.output_section.show_spec(spec)  # first: a size the model does not take goes back to auto
        self.prompt_section.show_spec(spec)
        self.images_section.show_spec(spec)
        self.result_section.show_spec(spec)
        self.model_combo.setToolTip(spec.id)

    @Slot(object)
    def _on_references_changed(self, paths: list[Path]) -> None:
        self.references_changed.emit(paths)
        self._refresh()

    # ----- validation and summary --------------------------------------------------------------

    def _image_count(self) -> int:
        has_image = self._image_size is not None or self.images_section.open_image_name is not None
        return (1 if has_image else 0) + len(self.reference_paths())

    def _refresh(self) -> None:
        if self._batching:
            return  # done once when the batch ends
        params = self.model.params()
        spec = self.model.spec
        size = self.output_section.size
        problems = params.problems(self._image_count())
        if spec.has_size and size.custom_selected() and not self.model.image_size.strip():
            problems.append(Problem("image_size", "Type a size as WIDTHxHEIGHT, for example 1536x1024."))
        self._problems = problems
        by_field: dict[str, list[str]] = {}
        for problem in problems:
            by_field.setdefault(problem.field, []).append(problem.message)

        self.prompt_section.show_problems(by_field.pop("prompt", []))
        size.show_problems(by_field.pop("image_size", []) if spec.has_size else [])
        image_msgs = by_field.pop("image_urls", []) + by_field.pop("image_url", [])
        self.images_section.show_state(self._image_count(), image_msgs)
        self.result_section.show_state()

        # Everything else, plus what is missing when nothing is open
        rest = [m for msgs in by_field.values() for m in msgs]
        if self.images_section.open_image_name is None:
            rest = ["Open an image to edit first.", *rest]
        show_problem(self.problems_label, rest)

        # Summary
        self.cost_label.setText(cost_text(params, self._prices))
        font = self.cost_label.font()
        font.setWeight(QFont.Weight.DemiBold if params.estimated_cost(self._prices) is not None else QFont.Weight.Normal)
        self.cost_label.setFont(font)
        self.sent_label.setText(self._sent_text(params))
        self.sent_label.setVisible(bool(self.sent_label.text()))
        self.demo_label.setVisible(self._demo)
        self.generate_button.setEnabled(not problems)

        if params != self._last_params:
            self._last_params = params
            self.params_changed.emit(params)
        options = self.options()
        if options != self._last_options:
            self._last_options = options
            self.options_changed.emit(options)

    def set_expansion_note(self, text: str) -> None:
        """Say what the current image's expanded canvas will be sent as ("" when none is framed)."""
        if text != self._expansion_note:
            self._expansion_note = text
            self.sent_label.setText(self._sent_text(self.params()))
            self.sent_label.setVisible(bool(self.sent_label.text()))

    def _sent_text(self, params: EditParams) -> str:
        if self._expansion_note:
            return self._expansion_note
        m = self.model
        size_ok = not any(problem.field == "image_size" for problem in self._problems)
        return sent_text(params, self._image_size, region_padding=m.region_padding if m.send_region else None,
                         size_ok=size_ok)


__all__ = ["ParamsPanel"]
