"""The parameters panel: what to ask the model for, what it will cost, and whether it can be sent.

Every choice lives in one observable `ParamsModel`, bound to its widget with `binding.bind`;
the panel reacts to the model only, so `set_params` and the designer's clicks take the same
path. Validation is `EditParams.problems`, shown next to the field it concerns before anything
is sent (a bad size or an empty prompt must never cost a round trip or money).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_editor.core.catalogue import InputField, MaskUse, mask_note
from desktop_editor.core.params import (
    DEFAULT_MODEL,
    DEFAULT_PRICES,
    MAX_INPUT_IMAGES,
    MAX_NUM_IMAGES,
    MODELS,
    OUTPUT_FORMATS,
    PROMPT_MAX,
    QUALITIES,
    EditParams,
    ModelSpec,
    Problem,
    fit_within_limits,
    nearest_valid_size,
    parse_size,
)
from desktop_editor.ui.common.binding import (
    ObservableModel,
    Prop,
    bind,
    no_wheel_when_unfocused,
    set_tone,
)
from desktop_editor.ui.common.job_bridge import ThumbnailCache

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff);;All files (*)"
MAX_RECENT_PROMPTS = 15
CUSTOM_SIZE = "custom"
_THUMB = 36


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


class PromptEdit(QPlainTextEdit):
    """A multi-line prompt where Ctrl+Enter asks to generate and Tab moves on.

    Signals:
        submit_requested(): Ctrl+Enter (or Ctrl+Return) was pressed.
    """

    submit_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTabChangesFocus(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.submit_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


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
        self._thumbs = thumbnails or ThumbnailCache(edge=2 * _THUMB, parent=self)
        self._thumbs.thumbnail_ready.connect(self._on_thumbnail_ready)
        self._prices: dict[str, float] = dict(DEFAULT_PRICES)
        self._image_size: tuple[int, int] | None = None
        self._open_name: str | None = None
        self._references: list[Path] = []
        self._recent: list[str] = []
        self._demo = False
        self._problems: list[Problem] = []
        self._last_params: EditParams | None = None
        self._last_options: dict[str, Any] | None = None
        self._refs_note = ""
        self._open_path: str | None = None
        self._row_forms: dict[QWidget, QFormLayout] = {}
        self._batching = 0

        self._build()
        self._bind()
        self.model.changed.connect(self._on_model_changed)
        self._on_model_spec_changed()
        self._refresh()

    # ----- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget(scroll)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        lay = QVBoxLayout(body)
        lay.setContentsMargins(12, 10, 12, 12)
        lay.setSpacing(6)

        # Model
        self.model_combo = QComboBox()
        for spec in MODELS.values():
            self.model_combo.addItem(spec.label, spec.id)
            self.model_combo.setItemData(self.model_combo.count() - 1, spec.id, Qt.ItemDataRole.ToolTipRole)
        self.model_combo.setAccessibleName("Model")
        lay.addWidget(self._header("Model"))
        lay.addWidget(self.model_combo)

        # Prompt
        self.prompt_section = QWidget()
        p = QVBoxLayout(self.prompt_section)
        p.setContentsMargins(0, 0, 0, 0)
        p.setSpacing(4)
        self.prompt_header = self._header("Prompt")
        p.addWidget(self.prompt_header)
        self.prompt_edit = PromptEdit()
        self.prompt_edit.setPlaceholderText("Describe the change, e.g. “replace the sky with a warm sunset”")
        self.prompt_edit.setAccessibleName("Prompt")
        line = self.prompt_edit.fontMetrics().lineSpacing()
        self.prompt_edit.setMinimumHeight(line * 4 + 12)
        self.prompt_edit.setMaximumHeight(line * 8 + 12)
        self.prompt_edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        p.addWidget(self.prompt_edit)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        self.recent_button = QToolButton()
        self.recent_button.setText("Recent prompts")
        self.recent_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.recent_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.recent_button.setAutoRaise(True)
        self.recent_menu = QMenu(self.recent_button)
        self.recent_menu.aboutToShow.connect(self._on_recent_menu_about_to_show)
        self.recent_button.setMenu(self.recent_menu)
        self.recent_button.setEnabled(False)
        self.char_count = QLabel()
        self.char_count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.char_count.setAccessibleName("Prompt length")
        row.addWidget(self.recent_button)
        row.addStretch(1)
        row.addWidget(self.char_count)
        p.addLayout(row)
        self.prompt_problem = self._problem_label()
        p.addWidget(self.prompt_problem)
        lay.addWidget(self.prompt_section)

        # Images
        self.images_section = QWidget()
        im = QVBoxLayout(self.images_section)
        im.setContentsMargins(0, 0, 0, 0)
        im.setSpacing(4)
        im.addWidget(self._header("Images"))
        self.open_row = QWidget()
        orow = QHBoxLayout(self.open_row)
        orow.setContentsMargins(4, 2, 4, 2)
        orow.setSpacing(8)
        self.open_thumb = QLabel()
        self.open_thumb.setFixedSize(_THUMB, _THUMB)
        self.open_thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.open_name = QLabel()
        self.open_name.setTextFormat(Qt.TextFormat.PlainText)
        self.open_role = QLabel("edited")
        set_tone(self.open_role, "muted")
        orow.addWidget(self.open_thumb)
        orow.addWidget(self.open_name, 1)
        orow.addWidget(self.open_role)
        im.addWidget(self.open_row)
        self.refs_list = QListWidget()
        self.refs_list.setIconSize(QSize(_THUMB, _THUMB))
        self.refs_list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.refs_list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.refs_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.refs_list.setUniformItemSizes(True)
        self.refs_list.setToolTip("Reference images, sent after the edited image. Drag to reorder.")
        self.refs_list.setAccessibleName("Reference images")
        self.refs_list.model().rowsMoved.connect(self._on_refs_reordered)
        self.refs_list.itemSelectionChanged.connect(self._on_refs_selection_changed)
        im.addWidget(self.refs_list)
        brow = QHBoxLayout()
        brow.setContentsMargins(0, 0, 0, 0)
        self.add_refs_button = QPushButton("Add references…")
        self.add_refs_button.setToolTip("Add images that guide the edit (style, objects to insert)")
        self.add_refs_button.clicked.connect(self._on_add_references_clicked)
        self.remove_refs_button = QPushButton("Remove")
        self.remove_refs_button.setEnabled(False)
        self.remove_refs_button.clicked.connect(self._on_remove_references_clicked)
        self.refs_count = QLabel()
        set_tone(self.refs_count, "muted")
        brow.addWidget(self.add_refs_button)
        brow.addWidget(self.remove_refs_button)
        brow.addStretch(1)
        brow.addWidget(self.refs_count)
        im.addLayout(brow)
        self.refs_problem = self._problem_label()
        im.addWidget(self.refs_problem)
        lay.addWidget(self.images_section)

        # Output
        lay.addWidget(self._header("Output"))
        self.output_form = QFormLayout()
        self._init_form(self.output_form)
        self.num_images_spin = QSpinBox()
        self.num_images_spin.setRange(1, MAX_NUM_IMAGES)
        self.num_images_spin.setToolTip("How many results to make; each one is charged")
        self.format_combo = QComboBox()
        for fmt in OUTPUT_FORMATS:
            self.format_combo.addItem(fmt.upper(), fmt)
        self.size_combo = QComboBox()
        self.custom_size = QLineEdit()
        self.custom_size.setPlaceholderText("1536x1024")
        self.custom_size.setAccessibleName("Custom size")
        self.custom_size.setFixedWidth(self.custom_size.fontMetrics().horizontalAdvance("88888x88888") + 16)
        size_row = QWidget()
        srow = QHBoxLayout(size_row)
        srow.setContentsMargins(0, 0, 0, 0)
        srow.setSpacing(6)
        srow.addWidget(self.size_combo, 1)
        srow.addWidget(self.custom_size)
        self.size_row = size_row
        self.size_problem = self._problem_label()
        self.nearest_button = QPushButton()
        self.nearest_button.clicked.connect(self._on_nearest_clicked)
        size_help = QWidget()
        shl = QVBoxLayout(size_help)
        # Full width under the Size row (a wrapped label inside a form row gets clipped), indented to the fields.
        shl.setContentsMargins(self._label_width() + 10, 0, 0, 2)
        shl.setSpacing(4)
        shl.addWidget(self.size_problem)
        shl.addWidget(self.nearest_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.size_help = size_help
        self.quality_combo = QComboBox()
        for quality in QUALITIES:
            self.quality_combo.addItem(quality.capitalize(), quality)
        # One combo per model-specific field in the catalogue, shown only for models that take it.
        self.option_combos: dict[str, QComboBox] = {}
        option_fields: dict[str, InputField] = {}
        for spec in MODELS.values():
            for option in spec.options:
                option_fields.setdefault(option.name, option)
        for name, option in option_fields.items():
            self.option_combos[name] = self._option_combo(option)
        self.fidelity_combo = self.option_combos["input_fidelity"]
        self.background_combo = self.option_combos["background"]
        self.sync_check = QCheckBox("Return images inline")
        self.sync_check.setToolTip(
            "Sync mode: the service sends the images in its answer instead of links and does not keep them in its history"
        )
        for text, widget in (("Results", self.num_images_spin), ("Format", self.format_combo), ("Size", size_row)):
            self._add_row(self.output_form, text, widget)
        lay.addLayout(self.output_form)
        lay.addWidget(size_help)
        more_output = QFormLayout()
        self._init_form(more_output)
        self._add_row(more_output, "Quality", self.quality_combo)
        for name, combo in self.option_combos.items():
            self._add_row(more_output, option_fields[name].label or name, combo)
        self._add_row(more_output, "Sync mode", self.sync_check)
        lay.addLayout(more_output)

        # Result and send
        self.result_section = QWidget()
        rs = QVBoxLayout(self.result_section)
        rs.setContentsMargins(0, 0, 0, 0)
        rs.setSpacing(6)
        rs.addWidget(self._header("Result"))
        self.mask_note = QLabel()
        self.mask_note.setWordWrap(True)
        self.mask_note.setAccessibleName("What the mask does")
        set_tone(self.mask_note, "warning")
        rs.addWidget(self.mask_note)
        self.keep_check = QCheckBox("Keep original outside mask")
        self.keep_check.setToolTip(
            "The model may change pixels outside the mask; this puts the original back there"
        )
        self.feather_spin = QSpinBox()
        self.feather_spin.setRange(0, 256)
        self.feather_spin.setSuffix(" px")
        self.feather_spin.setSpecialValueText("0 px (hard edge)")
        self.feather_spin.setToolTip("Soft blend at the mask's edge; 0 for a hard edge")
        self.colour_check = QCheckBox("Match colours to the original")
        self.send_combo = QComboBox()
        self.send_combo.addItem("Whole image", False)
        self.send_combo.addItem("Region around mask", True)
        self.send_combo.setToolTip("Sending only the masked region keeps small edits sharp on big photos")
        self.padding_spin = QSpinBox()
        self.padding_spin.setRange(0, 2048)
        self.padding_spin.setSingleStep(16)
        self.padding_spin.setSuffix(" px")
        self.padding_spin.setToolTip("Context around the mask sent with the region")
        result_form = QFormLayout()
        self._init_form(result_form)
        self._add_row(result_form, "", self.keep_check)
        self._add_row(result_form, "Feather", self.feather_spin)
        self._add_row(result_form, "", self.colour_check)
        self._add_row(result_form, "Send", self.send_combo)
        self._add_row(result_form, "Padding", self.padding_spin)
        rs.addLayout(result_form)
        lay.addWidget(self.result_section)
        lay.addStretch(1)

        # Footer: always visible
        footer = QWidget(self)
        footer.setObjectName("paramsFooter")
        footer.setAutoFillBackground(True)
        fl = QVBoxLayout(footer)
        fl.setContentsMargins(12, 8, 12, 12)
        fl.setSpacing(4)
        self.cost_label = QLabel()
        self.cost_label.setWordWrap(True)
        bold = QFont(self.cost_label.font())
        bold.setWeight(QFont.Weight.DemiBold)
        self.cost_label.setFont(bold)
        self.sent_label = QLabel()
        self.sent_label.setWordWrap(True)
        set_tone(self.sent_label, "muted")
        self.demo_label = QLabel("Demo mode: results are emulated and nothing is charged.")
        self.demo_label.setWordWrap(True)
        set_tone(self.demo_label, "accent")
        self.problems_label = self._problem_label()
        self.generate_button = QPushButton("Generate")
        self.generate_button.setObjectName("generateButton")
        self.generate_button.setToolTip("Send the edit (Ctrl+Enter in the prompt)")
        self.generate_button.setMinimumHeight(32)
        self.generate_button.setStyleSheet(
            "QPushButton#generateButton { background: palette(highlight); color: palette(highlighted-text);"
            " font-weight: 600; border: none; border-radius: 4px; padding: 6px 14px; }"
            "QPushButton#generateButton:hover { background: palette(highlight); }"
            "QPushButton#generateButton:disabled { background: rgba(127, 127, 127, 60); color: rgba(127, 127, 127, 230); }"
        )
        self.generate_button.clicked.connect(self._on_generate_clicked)
        fl.addWidget(self.cost_label)
        fl.addWidget(self.sent_label)
        fl.addWidget(self.demo_label)
        fl.addWidget(self.problems_label)
        fl.addSpacing(4)
        fl.addWidget(self.generate_button)
        outer.addWidget(footer)

        no_wheel_when_unfocused(
            self.model_combo, self.num_images_spin, self.format_combo, self.size_combo, self.quality_combo,
            *self.option_combos.values(), self.feather_spin, self.send_combo, self.padding_spin,
        )
        self.setMinimumWidth(280)

    def _header(self, text: str) -> QLabel:
        label = QLabel(text.upper())
        font = QFont(label.font())
        font.setWeight(QFont.Weight.DemiBold)
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
        label.setFont(font)
        set_tone(label, "muted")
        label.setContentsMargins(0, 8, 0, 0)
        return label

    @staticmethod
    def _option_combo(option: InputField) -> QComboBox:
        """A combo for one catalogue choice; "Model default" first when the field may be left out."""
        combo = QComboBox()
        combo.setAccessibleName(option.label or option.name)
        if option.default is None:
            combo.addItem("Model default", "")
        for choice in option.choices:
            combo.addItem(choice.capitalize() if choice.isalpha() else choice, choice)
        if option.help:
            combo.setToolTip(option.help)
        combo.setProperty("optionName", option.name)
        combo.setProperty("optionDefault", option.default or "")
        return combo

    def _label_width(self) -> int:
        return self.fontMetrics().horizontalAdvance("Input fidelity") + 6

    def _add_row(self, form: QFormLayout, text: str, widget: QWidget) -> None:
        """A form row whose label column has the same width in every section, so fields line up."""
        label = QLabel(text)
        label.setMinimumWidth(self._label_width())
        label.setBuddy(widget)
        form.addRow(label, widget)
        self._row_forms[widget] = form

    def _set_row_visible(self, widget: QWidget, visible: bool) -> None:
        self._row_forms[widget].setRowVisible(widget, visible)

    def row_visible(self, widget: QWidget) -> bool:
        """Whether the form row holding `widget` is shown (for tests and the window's layout checks)."""
        form = self._row_forms.get(widget)
        return widget.isVisibleTo(self) if form is None else form.isRowVisible(widget)

    @staticmethod
    def _problem_label() -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.hide()
        return label

    @staticmethod
    def _init_form(form: QFormLayout) -> None:
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(6)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)

    def _bind(self) -> None:
        m = self.model
        none_as_empty = {"to_widget": lambda v: v or "", "to_model": lambda v: v or None}
        self._bindings = [
            bind(m, "model", self.model_combo),
            bind(m, "prompt", self.prompt_edit),
            bind(m, "num_images", self.num_images_spin),
            bind(m, "output_format", self.format_combo),
            bind(m, "quality", self.quality_combo),
            bind(m, "sync_mode", self.sync_check),
            bind(m, "keep_unmasked", self.keep_check),
            bind(m, "feather", self.feather_spin),
            bind(m, "colour_match", self.colour_check),
            bind(m, "send_region", self.send_combo),
            bind(m, "region_padding", self.padding_spin),
        ]
        # The size is one property shown by two widgets (a choice and a custom WxH field).
        self.size_combo.currentIndexChanged.connect(self._on_size_choice_changed)
        self.custom_size.textChanged.connect(self._on_custom_size_edited)
        m.image_size_changed.connect(self._show_size)
        # The model options are one property shown by one combo per field.
        for name, combo in self.option_combos.items():
            combo.currentIndexChanged.connect(lambda _i, n=name, c=combo: self._on_option_chosen(n, c))
        m.model_options_changed.connect(self._show_options)
        self._show_options(m.model_options)
        self.prompt_edit.submit_requested.connect(self._on_generate_clicked)

    # ----- public API --------------------------------------------------------------------------

    def params(self) -> EditParams:
        """The parameters as chosen now (possibly invalid: see `problems()`)."""
        return self.model.params()

    def set_params(self, params: EditParams) -> None:
        """Show `params` (a reopened job, a project's saved choices, the settings' defaults).

        One `params_changed` follows, with the final parameters (not one per field).
        """
        with self._batch():
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
        with self._batch():
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
        if self._open_name is None:
            self._open_name = "Open image"
        self._refresh()

    def set_open_image(self, name: str, path: str | Path | None = None, thumbnail: QImage | None = None) -> None:
        """Show the image being edited first in the images list (fixed, never reordered or removed)."""
        self._open_name = name
        self._open_path = str(path) if path else None
        self.open_name.setText(name)
        self.open_name.setToolTip(str(path) if path else name)
        if thumbnail is not None and not thumbnail.isNull():
            self._set_open_thumbnail(thumbnail)
        elif path:
            image = self._thumbs.get(path)
            if image is not None:
                self._set_open_thumbnail(image)
        self._refresh()

    def clear_image(self) -> None:
        """No image is open: Generate is disabled until one is."""
        self._image_size = None
        self._open_name = None
        self._open_path = None
        self.open_thumb.clear()
        self._refresh()

    def reference_paths(self) -> list[Path]:
        """Reference images in the order they will be sent (after the edited image)."""
        if not takes_references(self.model.spec):
            return []
        return list(self._references)

    def set_reference_paths(self, paths: list[str | Path]) -> None:
        """Replace the reference images (e.g. when a job is reopened)."""
        self._references = []
        self._refs_note = ""
        self._add_references([Path(p) for p in paths])

    def add_reference_paths(self, paths: list[str | Path]) -> int:
        """Append reference images, up to 16 images in all; returns how many were added."""
        self._refs_note = ""
        return self._add_references([Path(p) for p in paths])

    def recent_prompts(self) -> list[str]:
        return list(self._recent)

    def set_recent_prompts(self, prompts: list[str]) -> None:
        self._recent = [p for p in prompts if p.strip()][:MAX_RECENT_PROMPTS]
        self.recent_button.setEnabled(bool(self._recent))

    # ----- reacting to the model ---------------------------------------------------------------

    @contextmanager
    def _batch(self) -> Iterator[None]:
        """Apply several property changes, then validate and announce once."""
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
        if not self._size_allowed(spec, self.model.image_size):
            self.model.image_size = "auto"
        self._fill_size_choices(spec)
        self.prompt_section.setVisible(spec.has_prompt)
        self.prompt_header.setText("PROMPT" if spec.prompt_required else "PROMPT (OPTIONAL)")
        prompt_field = next(f for f in spec.fields if f.name == "prompt") if spec.has_prompt else None
        self.prompt_edit.setPlaceholderText(
            "Describe the change, e.g. “replace the sky with a warm sunset”"
            if spec.prompt_required else (prompt_field.help if prompt_field and prompt_field.help else "")
        )
        self.images_section.setVisible(True)
        refs = takes_references(spec)
        self.refs_list.setVisible(refs and bool(self._references))
        for widget in (self.add_refs_button, self.refs_count):
            widget.setVisible(refs)
        self.remove_refs_button.setVisible(refs and bool(self._references))
        self._set_row_visible(self.num_images_spin, spec.has_num_images)
        self._set_row_visible(self.format_combo, spec.has_output_format)
        self._set_row_visible(self.size_row, spec.has_size)
        self._set_row_visible(self.quality_combo, spec.has_quality)
        taken = {f.name for f in spec.options}
        for name, combo in self.option_combos.items():
            self._set_row_visible(combo, name in taken)
        self._set_row_visible(self.sync_check, spec.has_sync_mode)
        # The Result section says what a painted mask will do with this model (catalogue.mask_note).
        composites = spec.mask_use is not MaskUse.WHOLE_FRAME
        for widget in (self.keep_check, self.feather_spin, self.colour_check):
            self._set_row_visible(widget, composites)
        for widget in (self.send_combo, self.padding_spin):
            self._set_row_visible(widget, spec.takes_mask)
        self.model_combo.setToolTip(spec.id)

    def _show_mask_note(self) -> None:
        note = mask_note(self.model.spec, bool(self.model.keep_unmasked))
        self.mask_note.setText(note)
        self.mask_note.setVisible(bool(note))

    def _on_option_chosen(self, name: str, combo: QComboBox) -> None:
        value = combo.currentData() or None
        current = dict(self.model.model_options or {})
        if current.get(name) != value:
            current[name] = value
            self.model.model_options = {k: v for k, v in current.items() if v}

    @Slot(object)
    def _show_options(self, values: Any) -> None:
        """Model -> combos: each shows its chosen value, else the catalogue's default."""
        values = values or {}
        for name, combo in self.option_combos.items():
            wanted = values.get(name) or combo.property("optionDefault") or ""
            index = combo.findData(wanted)
            if index >= 0 and index != combo.currentIndex():
                combo.blockSignals(True)
                combo.setCurrentIndex(index)
                combo.blockSignals(False)

    @staticmethod
    def _size_allowed(spec: ModelSpec, size: str) -> bool:
        size = (size or "auto").strip()
        return size == "auto" or size in spec.size_presets or spec.explicit_sizes

    def _fill_size_choices(self, spec: ModelSpec) -> None:
        combo = self.size_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("Auto · follows the image", "auto")
        for name, dims in spec.size_presets.items():
            combo.addItem(size_label(name, dims), name)
        if spec.explicit_sizes:
            combo.addItem("Custom…", CUSTOM_SIZE)
        combo.blockSignals(False)
        self._show_size(self.model.image_size)

    @Slot(object)
    def _show_size(self, value: Any) -> None:
        """Model -> widgets for the size: a known choice, or Custom with the WxH text."""
        size = (value or "").strip()
        if self._custom_selected() and size == self.custom_size.text().strip():
            index = self.size_combo.currentIndex()  # the designer is typing a custom size
        else:
            index = self.size_combo.findData(size or "auto")
            if index < 0:
                index = self.size_combo.findData(CUSTOM_SIZE)
                if self.custom_size.text().strip() != size:
                    self.custom_size.blockSignals(True)
                    self.custom_size.setText(size)
                    self.custom_size.blockSignals(False)
        if index >= 0 and index != self.size_combo.currentIndex():
            self.size_combo.blockSignals(True)
            self.size_combo.setCurrentIndex(index)
            self.size_combo.blockSignals(False)
        self.custom_size.setVisible(self._custom_selected())

    def _custom_selected(self) -> bool:
        return self.size_combo.currentData() == CUSTOM_SIZE

    @Slot(int)
    def _on_size_choice_changed(self, _index: int) -> None:
        if self._custom_selected():
            if not self.custom_size.text().strip():
                w, h = nearest_valid_size(*(self._send_size() or (1536, 1024)))
                self.custom_size.blockSignals(True)
                self.custom_size.setText(f"{w}x{h}")
                self.custom_size.blockSignals(False)
            self.custom_size.setVisible(True)
            self.model.image_size = self.custom_size.text().strip()
            self.custom_size.setFocus()
        else:
            self.custom_size.setVisible(False)
            self.model.image_size = self.size_combo.currentData() or "auto"
        self._refresh()

    @Slot(str)
    def _on_custom_size_edited(self, text: str) -> None:
        if self._custom_selected():
            self.model.image_size = text.strip()
            self._refresh()

    @Slot()
    def _on_nearest_clicked(self) -> None:
        dims = parse_size(self.custom_size.text())
        if dims:
            w, h = nearest_valid_size(*dims)
            self.custom_size.setText(f"{w}x{h}")

    # ----- references --------------------------------------------------------------------------

    def _add_references(self, paths: list[Path]) -> int:
        room = MAX_INPUT_IMAGES - 1 - len(self._references)
        known = {p.resolve() if p.is_absolute() else p for p in self._references}
        fresh = [p for p in paths if (p.resolve() if p.is_absolute() else p) not in known]
        added = fresh[: max(0, room)]
        if len(fresh) > len(added):
            left = len(fresh) - len(added)
            self._refs_note = (
                f"At most {MAX_INPUT_IMAGES} images can be sent with one edit; "
                f"{left} {'image was' if left == 1 else 'images were'} not added."
            )
        self._references.extend(added)
        self._rebuild_refs_list()
        return len(added)

    def _rebuild_refs_list(self) -> None:
        self.refs_list.blockSignals(True)
        self.refs_list.clear()
        for path in self._references:
            item = QListWidgetItem(path.name)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
            )
            image = self._thumbs.get(path)
            item.setIcon(_thumb_icon(image, self.palette().color(self.backgroundRole())))
            self.refs_list.addItem(item)
        self.refs_list.blockSignals(False)
        self._after_refs_changed()

    def _after_refs_changed(self) -> None:
        count = len(self._references)
        rows = min(count, 4)
        row_height = max(_THUMB + 6, self.refs_list.sizeHintForRow(0) if count else 0)
        self.refs_list.setFixedHeight(rows * row_height + 2 * self.refs_list.frameWidth() + 2)
        self.refs_list.setVisible(takes_references(self.model.spec) and count > 0)
        self.remove_refs_button.setVisible(takes_references(self.model.spec) and count > 0)
        self.remove_refs_button.setEnabled(bool(self.refs_list.selectedItems()))
        self.add_refs_button.setEnabled(count < MAX_INPUT_IMAGES - 1)
        self.references_changed.emit(list(self._references))
        self._refresh()

    @Slot()
    def _on_refs_reordered(self, *_args: Any) -> None:
        self._references = [
            Path(self.refs_list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.refs_list.count())
        ]
        self.references_changed.emit(list(self._references))

    @Slot()
    def _on_refs_selection_changed(self) -> None:
        self.remove_refs_button.setEnabled(bool(self.refs_list.selectedItems()))

    @Slot()
    def _on_add_references_clicked(self) -> None:
        start = str(self._references[-1].parent) if self._references else ""
        files, _ = QFileDialog.getOpenFileNames(self, "Add reference images", start, IMAGE_FILTER)
        if files:
            self.add_reference_paths(files)

    @Slot()
    def _on_remove_references_clicked(self) -> None:
        rows = sorted((self.refs_list.row(i) for i in self.refs_list.selectedItems()), reverse=True)
        for row in rows:
            del self._references[row]
        self._refs_note = ""
        self._rebuild_refs_list()

    @Slot(str)
    def _on_thumbnail_ready(self, path: str) -> None:
        image = self._thumbs.get(path)
        if image is None:
            return
        if self._open_path == path:
            self._set_open_thumbnail(image)
        for i in range(self.refs_list.count()):
            item = self.refs_list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == path:
                item.setIcon(_thumb_icon(image, self.palette().color(self.backgroundRole())))

    def _set_open_thumbnail(self, image: QImage) -> None:
        self.open_thumb.setPixmap(_thumb_icon(image, self.palette().color(self.backgroundRole())).pixmap(_THUMB, _THUMB))

    # ----- prompt ------------------------------------------------------------------------------

    @Slot()
    def _on_recent_menu_about_to_show(self) -> None:
        self.recent_menu.clear()
        for text in self._recent:
            flat = " ".join(text.split())
            label = flat if len(flat) <= 60 else flat[:57] + "…"
            action = self.recent_menu.addAction(label.replace("&", "&&"))
            action.setToolTip(text)
            action.triggered.connect(lambda _checked=False, t=text: self._use_recent(t))

    def _use_recent(self, text: str) -> None:
        self.model.prompt = text
        self.prompt_edit.setFocus()

    def _remember_prompt(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        recent = [text, *(p for p in self._recent if p != text)][:MAX_RECENT_PROMPTS]
        if recent != self._recent:
            self.set_recent_prompts(recent)
            self.recent_prompts_changed.emit(list(recent))

    @Slot()
    def request_generate(self) -> bool:
        """What the Generate button does (also the window's Generate action and Ctrl+Enter):
        emit `generate_requested` when the parameters may be sent, remembering the prompt.
        Returns False, with the problems shown next to their fields, when they may not."""
        self._refresh()
        if self._problems:
            return False
        if self.model.spec.has_prompt:  # an optional prompt is remembered too
            self._remember_prompt(self.model.prompt)
        self.generate_requested.emit()
        return True

    @Slot()
    def _on_generate_clicked(self) -> None:
        self.request_generate()

    # ----- validation and summary --------------------------------------------------------------

    def _send_size(self) -> tuple[int, int] | None:
        return fit_within_limits(*self._image_size) if self._image_size else None

    def _image_count(self) -> int:
        has_image = self._image_size is not None or self._open_name is not None
        return (1 if has_image else 0) + len(self.reference_paths())

    def _refresh(self) -> None:
        params = self.model.params()
        spec = self.model.spec
        problems = params.problems(self._image_count())
        if spec.has_size and self._custom_selected() and not self.model.image_size.strip():
            problems.append(Problem("image_size", "Type a size as WIDTHxHEIGHT, for example 1536x1024."))
        self._problems = problems
        by_field: dict[str, list[str]] = {}
        for problem in problems:
            by_field.setdefault(problem.field, []).append(problem.message)

        # Prompt
        n = len(self.model.prompt)
        self.char_count.setText(f"{n:,} / {PROMPT_MAX:,}")
        set_tone(self.char_count, "error" if n > PROMPT_MAX else "muted")
        prompt_msgs = by_field.pop("prompt", [])
        self._show_problem(self.prompt_problem, prompt_msgs, muted=not self.model.prompt.strip())

        # Size
        size_msgs = by_field.pop("image_size", [])
        self._show_problem(self.size_problem, size_msgs)
        dims = parse_size(self.model.image_size) if self._custom_selected() else None
        if dims and size_msgs:
            w, h = nearest_valid_size(*dims)
            self.nearest_button.setText(f"Use {w}x{h}")
            self.nearest_button.show()
        else:
            self.nearest_button.hide()
        self.size_help.setVisible(spec.has_size and bool(size_msgs))

        # Images
        count = self._image_count()
        self.refs_count.setText(f"{max(count, 1)} of {MAX_INPUT_IMAGES}")
        image_msgs = by_field.pop("image_urls", []) + by_field.pop("image_url", [])
        no_image = self._open_name is None and self._image_size is None
        self.open_row.setVisible(not no_image)
        self.open_name.setText(self._open_name or "")
        refs_msgs = [m for m in image_msgs if not no_image]
        if self._refs_note:
            refs_msgs.append(self._refs_note)
        self._show_problem(self.refs_problem, refs_msgs, tone="error" if image_msgs else "warning")

        # Everything else, plus what is missing when nothing is open
        rest = [m for msgs in by_field.values() for m in msgs]
        if no_image:
            rest = ["Open an image to edit first.", *rest]
        self._show_problem(self.problems_label, rest)

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
        self.feather_spin.setEnabled(bool(self.model.keep_unmasked))
        self.colour_check.setEnabled(bool(self.model.keep_unmasked))
        self._show_mask_note()
        self.padding_spin.setEnabled(bool(self.model.send_region))

    def _show_problem(self, label: QLabel, messages: list[str], *, muted: bool = False, tone: str = "error") -> None:
        label.setText("\n".join(messages))
        set_tone(label, "muted" if muted else tone)
        label.setVisible(bool(messages))

    def _sent_text(self, params: EditParams) -> str:
        send = self._send_size()
        if send is None:
            return ""
        spec = self.model.spec
        if spec.takes_mask and self.model.send_region:
            text = f"Sent as the region around the mask (+{self.model.region_padding} px), at most {send[0]}x{send[1]}"
        else:
            text = f"Sent as {send[0]}x{send[1]}"
            if self._image_size and send != self._image_size:
                text += f" (scaled down from {self._image_size[0]}x{self._image_size[1]})"
        result = params.output_size(*send) if spec.has_size and params.model in MODELS else None
        size_ok = not any(problem.field == "image_size" for problem in self._problems)
        if result and size_ok and not self.model.send_region:
            text += f"; result {result[0]}x{result[1]}"
        return text


def _thumb_icon(image: QImage | None, background: QColor) -> QIcon:
    """A square icon with the thumbnail centred (or a neutral tile while it loads)."""
    scale = 2
    size = _THUMB * scale
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    if image is None or image.isNull():
        tile = QColor(background).lighter(130) if background.lightness() < 128 else QColor(background).darker(110)
        painter.setBrush(tile)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRoundedRect(0, 0, size, size, 6, 6)
    else:
        scaled = image.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        painter.drawImage((size - scaled.width()) // 2, (size - scaled.height()) // 2, scaled)
    painter.end()
    pixmap.setDevicePixelRatio(scale)
    return QIcon(pixmap)


__all__ = ["ParamsModel", "ParamsPanel", "PromptEdit", "cost_text", "format_money", "size_label"]
