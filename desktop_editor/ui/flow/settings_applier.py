"""Settings: the dialog, and using what the designer chose in it.

The dialog is window-modal but does not block; what it saved applies once it closes. New
prices, recent prompts and the output folder reach the panels at once; a changed key, address
(outside Demo mode) or concurrency reconnects through the `ServiceLink`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Slot

from desktop_editor.jobs.settings import AppSettings, save_settings

if TYPE_CHECKING:
    from desktop_editor.ui.dialogs.settings_dialog import SettingsDialog
    from desktop_editor.ui.flow.host import EditHost
    from desktop_editor.ui.flow.service_link import ServiceLink

log = logging.getLogger(__name__)


class SettingsApplier(QObject):
    """Opens Settings and applies the result to the panels and the connection (no signals)."""

    def __init__(self, window: EditHost, link: ServiceLink, parent: QObject | None = None):
        super().__init__(parent)
        self.window = window
        self.link = link
        self._pending_settings: AppSettings | None = None
        self._pending_key_change = False

    def open_settings(self) -> SettingsDialog:
        """Show the Settings dialog (window-modal, not blocking); changes apply when it closes."""
        from desktop_editor.ui.dialogs.settings_dialog import SettingsDialog  # made when asked for

        window = self.window
        dialog = SettingsDialog(window.preferences, window, settings_file=window.settings_file)
        self._pending_settings, self._pending_key_change = None, False
        dialog.settings_saved.connect(self._on_settings_saved)
        dialog.api_key_changed.connect(self._on_api_key_changed)
        dialog.finished.connect(self._on_settings_finished)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    @Slot(object)
    def _on_settings_saved(self, settings: AppSettings) -> None:
        self._pending_settings = settings

    @Slot()
    def _on_api_key_changed(self) -> None:
        self._pending_key_change = True

    @Slot(int)
    def _on_settings_finished(self, _result: int) -> None:
        settings, key_changed = self._pending_settings, self._pending_key_change
        self._pending_settings, self._pending_key_change = None, False
        if settings is not None or key_changed:
            self.apply_settings(settings or self.window.preferences, key_changed=key_changed)

    def apply_settings(self, settings: AppSettings, *, key_changed: bool = False) -> None:
        """Use new settings; reconnect when what the connection depends on changed."""
        window = self.window
        old = window.preferences
        window.prefs.set(settings)
        self.apply_to_panels(settings, defaults=False)
        window.results_strip.set_output_dir(settings.output_dir)
        address_changed = ((old.base_url, old.organization_id, old.allow_cleartext)
                           != (settings.base_url, settings.organization_id, settings.allow_cleartext))
        if key_changed or old.max_concurrent != settings.max_concurrent or (address_changed and not self.link.demo):
            self.link.reconnect()

    def apply_to_panels(self, settings: AppSettings, *, defaults: bool) -> None:
        """Prices and recent prompts to the panels; with `defaults`, the default parameters too."""
        window = self.window
        window.params_panel.set_prices(settings.prices)
        window.jobs_panel.set_prices(settings.prices)
        window.params_panel.set_recent_prompts(settings.recent_prompts)
        if defaults:
            window.params_panel.set_params(settings.default_params)
            window.params_panel.set_options(keep_unmasked=settings.keep_unmasked, feather=settings.feather,
                                            colour_match=settings.colour_match)

    @Slot(object)
    def on_recent_prompts_changed(self, prompts: list[str]) -> None:
        window = self.window
        window.prefs.set(replace(window.preferences, recent_prompts=list(prompts)))
        try:
            save_settings(window.preferences, window.settings_file)
        except OSError as exc:  # the prompt is still used; only the list is not kept
            log.warning("could not save recent prompts: %s", exc)
