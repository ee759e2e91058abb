"""The Settings dialog: the API key (keyring only), where the service is, and the defaults.

The key goes from the password field straight to `credentials.save_api_key` (the OS keyring);
it is never put into AppSettings, QSettings, a signal or a log line. "Check key" asks the service
on a worker thread, so a slow or unreachable service never freezes the window. TLS certificate
checks are always on and deliberately not offered as a setting.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_editor.core.export import SAVE_FORMAT_LABELS, SAVE_FORMATS
from desktop_editor.core.params import (
    DEFAULT_PRICES,
    MAX_NUM_IMAGES,
    MODELS,
    OUTPUT_FORMATS,
    QUALITIES,
)
from desktop_editor.jobs import account, credentials
from desktop_editor.jobs.account import AccountCheck
from desktop_editor.jobs.settings import AppSettings, save_settings
from desktop_editor.ui.common.binding import set_tone
from desktop_editor.ui.common.feedback import Feedback
from desktop_editor.ui.common.job_bridge import start_worker

try:  # the icon set is another module's; the dialog works without it
    from desktop_editor.ui.common.icons import icon as _icon
except ImportError:  # pragma: no cover
    _icon = None

KEY_CHARS = re.compile(r"^[A-Za-z0-9_]+$")
ENV_KEY = "RUNFLOW_API_KEY"


class SettingsDialog(QDialog):
    """Account, defaults and prices.

    Signals:
        settings_saved(object): the AppSettings just written (never holds the key).
        api_key_changed(): a key was stored or removed; the connection should be rebuilt
            (Demo mode <-> the real service). The key itself is not passed on.
        key_checked(object): an AccountCheck from "Check key" arrived.
    """

    settings_saved = Signal(object)
    api_key_changed = Signal()
    key_checked = Signal(object)

    def __init__(self, settings: AppSettings, parent: QWidget | None = None, *, settings_file: Path | None = None):
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setModal(True)
        self._settings = settings
        self._settings_file = settings_file
        self.feedback = Feedback(self)
        self._env_override = bool(os.environ.get(ENV_KEY))
        self._key_edited = False
        self._checking = False

        tabs = QTabWidget(self)
        tabs.addTab(self._build_account(), "Account")
        tabs.addTab(self._build_defaults(), "Defaults")
        tabs.addTab(self._build_prices(), "Prices")
        self.tabs = tabs

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        set_tone(self.error_label, "error")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_save_clicked)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 14, 12)
        layout.addWidget(tabs)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self._load(settings)
        self.resize(520, self.sizeHint().height())

    # ----- building ----------------------------------------------------------------------------

    @staticmethod
    def _form() -> QFormLayout:
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return form

    @staticmethod
    def _note(text: str, tone: str = "muted") -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        set_tone(label, tone)
        return label

    def _build_account(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.setSpacing(10)
        form = self._form()

        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("rf_live_… (leave empty for Demo mode)")
        self.key_edit.setAccessibleName("API key")
        self.key_edit.textEdited.connect(self._on_key_edited)
        self.show_key_action = QAction("Show key", self.key_edit)
        self.show_key_action.setCheckable(True)
        self.show_key_action.setToolTip("Show or hide the key")
        if _icon is not None:
            self.show_key_action.setIcon(_icon("eye"))
        else:  # pragma: no cover
            self.show_key_action.setText("Show")
        self.show_key_action.toggled.connect(self._on_show_key_toggled)
        self.key_edit.addAction(self.show_key_action, QLineEdit.ActionPosition.TrailingPosition)
        form.addRow("API key", self.key_edit)

        self.check_button = QPushButton("Check key")
        self.check_button.clicked.connect(self._on_check_clicked)
        self.check_result = QLabel()
        self.check_result.setWordWrap(True)
        self.check_result.setTextFormat(Qt.TextFormat.PlainText)
        check_row = QHBoxLayout()
        check_row.setContentsMargins(0, 0, 0, 0)
        check_row.setSpacing(10)
        check_row.addWidget(self.check_button, 0, Qt.AlignmentFlag.AlignTop)
        check_row.addWidget(self.check_result, 1)
        form.addRow("", check_row)

        self.base_url_edit = QLineEdit()
        self.base_url_edit.setPlaceholderText("https://api.runflow.io")
        self.org_edit = QLineEdit()
        self.org_edit.setPlaceholderText("optional")
        self.cleartext_check = QCheckBox("Allow plain http to another machine")
        self.cleartext_check.setToolTip(
            "An http:// service address that is not this computer gets the API key unencrypted: anyone "
            "on the network between can read it. Leave this off unless you know the road is private."
        )
        form.addRow("Service address", self.base_url_edit)
        form.addRow("", self.cleartext_check)
        form.addRow("Organization ID", self.org_edit)
        lay.addLayout(form)

        self.key_note = self._note(key_note_text(credentials.has_session_key()))
        lay.addWidget(self.key_note)
        self.env_note = self._note(
            f"{ENV_KEY} is set in your environment: it is used instead of the key stored here.", "warning"
        )
        self.env_note.setVisible(self._env_override)
        lay.addWidget(self.env_note)
        lay.addStretch(1)
        return page

    def _build_defaults(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(12, 12, 12, 12)
        form = self._form()

        self.output_edit = QLineEdit()
        self.output_edit.setAccessibleName("Output folder")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        out_row = QHBoxLayout()
        out_row.setContentsMargins(0, 0, 0, 0)
        out_row.addWidget(self.output_edit, 1)
        out_row.addWidget(browse)
        form.addRow("Output folder", out_row)

        self.model_combo = QComboBox()
        for spec in MODELS.values():
            self.model_combo.addItem(spec.label, spec.id)
        self.quality_combo = QComboBox()
        for quality in QUALITIES:
            self.quality_combo.addItem(quality.capitalize(), quality)
        self.num_images_spin = QSpinBox()
        self.num_images_spin.setRange(1, MAX_NUM_IMAGES)
        self.format_combo = QComboBox()
        for fmt in OUTPUT_FORMATS:
            self.format_combo.addItem(fmt.upper(), fmt)
        form.addRow("Model", self.model_combo)
        form.addRow("Quality", self.quality_combo)
        form.addRow("Results per edit", self.num_images_spin)
        form.addRow("Format", self.format_combo)

        self.keep_check = QCheckBox("Keep original outside mask")
        self.feather_spin = QSpinBox()
        self.feather_spin.setRange(0, 256)
        self.feather_spin.setSuffix(" px")
        self.feather_spin.setSpecialValueText("0 px (hard edge)")
        self.colour_check = QCheckBox("Match colours to the original")
        self.save_format_combo = QComboBox()
        for choice in SAVE_FORMATS:
            self.save_format_combo.addItem(SAVE_FORMAT_LABELS[choice], choice)
        self.save_format_combo.setToolTip(
            "How a result put back into the original is saved. Like the original: a JPEG photo stays a "
            "JPEG (quality 95, full colour resolution, its profile and DPI); PNG keeps every pixel "
            "outside the mask exactly the original's and anything transparent."
        )
        self.concurrent_spin = QSpinBox()
        self.concurrent_spin.setRange(1, 16)
        self.concurrent_spin.setToolTip("How many edits may be in flight at once")
        self.repeat_check = QCheckBox("Ask before sending the same edit again")
        self.repeat_check.setToolTip(
            "The same image, mask, prompt and settings sent again within two minutes is usually a "
            "double click: ask before paying for it twice"
        )
        self.provenance_check = QCheckBox("Say in saved images that AI made them")
        self.provenance_check.setToolTip(
            "Writes an XMP note into every saved result, mix and layered file: the IPTC Digital Source "
            "Type (AI composite, or made by AI when the whole frame was remade), the model and the run. "
            "Clients, stock agencies and EU rules increasingly expect it."
        )
        self.prompt_provenance_check = QCheckBox("Include the prompt in that note")
        self.prompt_provenance_check.setToolTip("Off by default: a prompt can say more than the picture (a client's name).")
        self.provenance_check.toggled.connect(self.prompt_provenance_check.setEnabled)
        form.addRow("", self.keep_check)
        form.addRow("Feather", self.feather_spin)
        form.addRow("", self.colour_check)
        form.addRow("Save results", self.save_format_combo)
        form.addRow("Edits at once", self.concurrent_spin)
        form.addRow("", self.repeat_check)
        form.addRow("Provenance", self.provenance_check)
        form.addRow("", self.prompt_provenance_check)
        lay.addLayout(form)
        lay.addStretch(1)
        return page

    def _build_prices(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.addWidget(self._note(
            "Price per output image, by quality. Used for the estimate shown before sending; "
            "the service reports what each edit really cost."
        ))
        form = self._form()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.price_spins: dict[str, QDoubleSpinBox] = {}
        for quality in QUALITIES:
            spin = QDoubleSpinBox()
            spin.setDecimals(3)
            spin.setRange(0.0, 10.0)
            spin.setSingleStep(0.001)
            spin.setPrefix("$ ")
            spin.setAccessibleName(f"Price at {quality} quality")
            spin.setMinimumWidth(120)
            self.price_spins[quality] = spin
            form.addRow(quality.capitalize(), spin)
        lay.addLayout(form)
        reset = QPushButton("Reset to listed prices")
        reset.clicked.connect(self._on_reset_prices_clicked)
        lay.addWidget(reset, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addStretch(1)
        return page

    # ----- values ------------------------------------------------------------------------------

    def _load(self, settings: AppSettings) -> None:
        if not self._env_override:
            self.key_edit.setText(credentials.load_api_key() or "")
        else:
            self.key_edit.setPlaceholderText("Overridden by RUNFLOW_API_KEY")
        self.base_url_edit.setText(settings.base_url)
        self.cleartext_check.setChecked(settings.allow_cleartext)
        self.org_edit.setText(settings.organization_id)
        self.output_edit.setText(settings.output_dir)
        params = settings.default_params
        _select(self.model_combo, params.model)
        _select(self.quality_combo, params.quality)
        self.num_images_spin.setValue(params.num_images)
        _select(self.format_combo, params.output_format)
        self.keep_check.setChecked(settings.keep_unmasked)
        self.feather_spin.setValue(int(settings.feather))
        self.colour_check.setChecked(settings.colour_match)
        _select(self.save_format_combo, settings.save_format)
        self.concurrent_spin.setValue(max(1, settings.max_concurrent))
        self.repeat_check.setChecked(settings.ask_before_repeating)
        self.provenance_check.setChecked(settings.provenance)
        self.prompt_provenance_check.setChecked(settings.prompt_in_provenance)
        self.prompt_provenance_check.setEnabled(settings.provenance)
        for quality, spin in self.price_spins.items():
            spin.setValue(settings.prices.get(quality, DEFAULT_PRICES.get(quality, 0.0)))

    def values(self) -> AppSettings:
        """The settings as entered (without the key, which never belongs there)."""
        base = self._settings
        params = base.default_params.with_changes(
            model=self.model_combo.currentData(),
            quality=self.quality_combo.currentData(),
            num_images=self.num_images_spin.value(),
            output_format=self.format_combo.currentData(),
        )
        return replace(
            base,
            base_url=self.base_url_edit.text().strip().rstrip("/") or base.base_url,
            allow_cleartext=self.cleartext_check.isChecked(),
            organization_id=self.org_edit.text().strip(),
            output_dir=self.output_edit.text().strip() or base.output_dir,
            default_params=params,
            prices={quality: round(spin.value(), 6) for quality, spin in self.price_spins.items()},
            keep_unmasked=self.keep_check.isChecked(),
            feather=self.feather_spin.value(),
            colour_match=self.colour_check.isChecked(),
            save_format=self.save_format_combo.currentData(),
            max_concurrent=self.concurrent_spin.value(),
            ask_before_repeating=self.repeat_check.isChecked(),
            provenance=self.provenance_check.isChecked(),
            prompt_in_provenance=self.prompt_provenance_check.isChecked(),
        )

    def is_checking(self) -> bool:
        return self._checking

    # ----- slots -------------------------------------------------------------------------------

    @Slot(str)
    def _on_key_edited(self, _text: str) -> None:
        self._key_edited = True
        self.check_result.clear()

    @Slot(bool)
    def _on_show_key_toggled(self, shown: bool) -> None:
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_key_action.setText("Hide key" if shown else "Show key")
        self.show_key_action.setToolTip("Hide the key" if shown else "Show the key")

    @Slot()
    def _on_check_clicked(self) -> None:
        key = self.key_edit.text().strip()
        if not key and self._env_override:
            key = os.environ.get(ENV_KEY, "")
        if not key:
            self._show_check(AccountCheck(False, "Enter an API key to check."))
            return
        self._checking = True
        self.check_button.setEnabled(False)
        self.check_result.setText("Checking…")
        set_tone(self.check_result, "muted")
        base_url = self.base_url_edit.text().strip() or self._settings.base_url
        start_worker(
            account.check_key, key, base_url, self.org_edit.text().strip() or None,
            allow_cleartext=self.cleartext_check.isChecked(),
            on_returned=self._on_key_checked, on_errored=self._on_key_check_failed, owner=self,
        )

    @Slot(object)
    def _on_key_checked(self, result: AccountCheck) -> None:
        self._checking = False
        self.check_button.setEnabled(True)
        self._show_check(result)
        self.key_checked.emit(result)

    @Slot(object)
    def _on_key_check_failed(self, exc: Exception) -> None:
        self._on_key_checked(AccountCheck(False, f"The key could not be checked ({type(exc).__name__})."))

    def _show_check(self, result: AccountCheck) -> None:
        self.check_result.setText(("✓ " if result.ok else "✗ ") + result.message)
        set_tone(self.check_result, "ok" if result.ok else "error")

    @Slot()
    def _on_browse_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Output folder", self.output_edit.text())
        if folder:
            self.output_edit.setText(folder)

    @Slot()
    def _on_reset_prices_clicked(self) -> None:
        for quality, spin in self.price_spins.items():
            spin.setValue(DEFAULT_PRICES.get(quality, 0.0))

    @Slot()
    def _on_save_clicked(self) -> None:
        """Store the key in the keyring (if it was edited), write the settings, and close."""
        self.error_label.hide()
        key = self.key_edit.text().strip()
        key_changed = False
        if self._key_edited:
            if key and not KEY_CHARS.match(key):
                self._fail("The API key has characters a Runflow key never has (letters, digits and _ only).", 0)
                return
            try:
                credentials.save_api_key(key or None)
            except credentials.KeyStoreError as exc:
                if not key or not self._use_for_session(key, str(exc)):
                    self._fail(str(exc), 0)
                    return
            key_changed = True
        settings = self.values()
        try:
            save_settings(settings, self._settings_file)
        except OSError as exc:
            self._fail(f"The settings could not be saved: {exc.strerror or exc}.", None)
            return
        self._settings = settings
        self._key_edited = False
        self.settings_saved.emit(settings)
        if key_changed:
            self.api_key_changed.emit()
        self.accept()

    def _use_for_session(self, key: str, why: str) -> bool:
        """No keyring here: offer to hold the key in memory until the app quits (never written)."""
        accepted, _ = self.feedback.confirm(
            "No keyring on this system", why,
            "You can use the key for this session only: it is held in memory and forgotten when "
            "the app quits, never written to a file.",
            "Use for this session only")
        if accepted:
            credentials.use_for_session(key)
        return accepted

    def _fail(self, message: str, tab: int | None) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        if tab is not None:
            self.tabs.setCurrentIndex(tab)


def key_note_text(session_only: bool) -> str:
    """Where the key is kept, as it is: the keyring, or (without one) memory until the app quits."""
    where = ("This key is used for this session only: no keyring is available, so it is held in memory "
             "and forgotten when the app quits, never written to a file or a log. Empty the field and "
             "save to go back to Demo mode."
             if session_only else
             "The key is kept in your system's keyring, never in a settings file or a log.")
    return (f"{where} Without a key the app runs in Demo mode on a built-in emulator: results are "
            "emulated and nothing is charged.")


def _select(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)
