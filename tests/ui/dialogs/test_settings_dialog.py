"""The Settings dialog: the key goes to the keyring only, and checking it never blocks the window."""

from __future__ import annotations

import json
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit, QMessageBox

from desktop_editor.emulator import Emulator
from desktop_editor.jobs import account, credentials
from desktop_editor.jobs.settings import AppSettings, load_settings
from desktop_editor.ui.dialogs.settings_dialog import SettingsDialog

GOOD_KEY = "rf_live_goodkey123"


@pytest.fixture(autouse=True)
def _no_stored_key():
    """The memory keyring lives as long as the process: start and end every test without a key."""
    credentials.save_api_key(None)
    yield
    credentials.save_api_key(None)


@pytest.fixture
def settings_file(tmp_path):
    return tmp_path / "config" / "settings.json"


@pytest.fixture
def dialog(qtbot, settings_file) -> SettingsDialog:
    d = SettingsDialog(AppSettings(), settings_file=settings_file)
    qtbot.addWidget(d)
    return d


def save(dialog: SettingsDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()


def test_key_is_stored_in_the_keyring_and_never_in_the_settings_file(qtbot, dialog, settings_file):
    assert credentials.load_api_key() is None
    qtbot.keyClicks(dialog.key_edit, GOOD_KEY)
    dialog.base_url_edit.setText("http://127.0.0.1:9")
    with qtbot.waitSignal(dialog.api_key_changed, timeout=1000), qtbot.waitSignal(dialog.settings_saved) as saved:
        save(dialog)
    assert credentials.load_api_key() == GOOD_KEY
    text = settings_file.read_text()
    assert GOOD_KEY not in text and "api_key" not in text
    assert GOOD_KEY not in repr(saved.args[0])
    assert load_settings(settings_file).base_url == "http://127.0.0.1:9"
    assert dialog.result() == SettingsDialog.DialogCode.Accepted


def test_key_is_hidden_until_shown(qtbot, dialog):
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Password
    dialog.show_key_action.trigger()
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Normal
    dialog.show_key_action.trigger()
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Password


def test_stored_key_is_shown_masked_and_can_be_removed(qtbot, settings_file):
    credentials.save_api_key(GOOD_KEY)
    d = SettingsDialog(AppSettings(), settings_file=settings_file)
    qtbot.addWidget(d)
    assert d.key_edit.text() == GOOD_KEY
    d.key_edit.selectAll()
    qtbot.keyClick(d.key_edit, Qt.Key.Key_Delete)
    with qtbot.waitSignal(d.api_key_changed, timeout=1000):
        save(d)
    assert credentials.load_api_key() is None


def test_saving_without_touching_the_key_leaves_it_alone(qtbot, dialog):
    credentials.save_api_key(GOOD_KEY)
    with qtbot.assertNotEmitted(dialog.api_key_changed):
        save(dialog)
    assert credentials.load_api_key() == GOOD_KEY


def test_malformed_key_is_refused_before_storing(qtbot, dialog):
    qtbot.keyClicks(dialog.key_edit, "rf live key!")
    save(dialog)
    assert dialog.error_label.isVisibleTo(dialog)
    assert "letters, digits and _" in dialog.error_label.text()
    assert credentials.load_api_key() is None
    assert dialog.result() != SettingsDialog.DialogCode.Accepted


def test_environment_key_override_is_explained(qtbot, monkeypatch, settings_file):
    monkeypatch.setenv("RUNFLOW_API_KEY", "rf_live_fromenv")
    d = SettingsDialog(AppSettings(), settings_file=settings_file)
    qtbot.addWidget(d)
    assert d.env_note.isVisibleTo(d) and "RUNFLOW_API_KEY" in d.env_note.text()
    assert d.key_edit.text() == ""  # the environment's key is not copied into the field


def test_key_check_runs_off_the_gui_thread_and_reports_a_bad_key(qtbot, dialog, monkeypatch):
    threads: list[threading.Thread] = []
    real_check = account.check_key

    def recording_check(*args, **kwargs):
        threads.append(threading.current_thread())
        return real_check(*args, **kwargs)

    monkeypatch.setattr(account, "check_key", recording_check)
    with Emulator(api_keys={GOOD_KEY}) as emulator:
        dialog.base_url_edit.setText(emulator.base_url)
        qtbot.keyClicks(dialog.key_edit, "rf_live_wrongkey")
        with qtbot.waitSignal(dialog.key_checked, timeout=10000) as blocker:
            dialog.check_button.click()
            assert dialog.is_checking() and not dialog.check_button.isEnabled()
        result = blocker.args[0]
        assert not result.ok and "refused" in result.message
        assert dialog.check_result.text().startswith("✗") and "refused" in dialog.check_result.text()
        assert threads and threads[0] is not threading.main_thread()
        assert dialog.check_button.isEnabled()

        dialog.key_edit.clear()
        qtbot.keyClicks(dialog.key_edit, GOOD_KEY)
        with qtbot.waitSignal(dialog.key_checked, timeout=10000) as blocker:
            dialog.check_button.click()
        assert blocker.args[0].ok
        assert dialog.check_result.text().startswith("✓")
    assert credentials.load_api_key() is None  # checking is not saving


def test_defaults_and_prices_are_saved(qtbot, dialog, settings_file):
    dialog.tabs.setCurrentIndex(2)
    dialog.price_spins["high"].setValue(0.2)
    dialog.quality_combo.setCurrentIndex(dialog.quality_combo.findData("medium"))
    dialog.num_images_spin.setValue(3)
    dialog.keep_check.setChecked(False)
    dialog.feather_spin.setValue(0)
    dialog.output_edit.setText(str(settings_file.parent / "results"))
    save(dialog)
    saved = load_settings(settings_file)
    assert saved.prices["high"] == pytest.approx(0.2)
    assert saved.prices["low"] == pytest.approx(0.009)
    assert saved.default_params.quality == "medium" and saved.default_params.num_images == 3
    assert saved.keep_unmasked is False and saved.feather == 0
    assert saved.output_dir.endswith("results")
    assert "tls" not in json.dumps(saved.to_dict()).lower() and "verify" not in json.dumps(saved.to_dict()).lower()


def test_reset_prices_restores_the_listed_ones(dialog):
    dialog.price_spins["medium"].setValue(1.0)
    dialog._on_reset_prices_clicked()
    assert dialog.price_spins["medium"].value() == pytest.approx(0.034)


def test_dialog_renders(dialog):
    for tab in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(tab)
        assert not dialog.grab().toImage().isNull()


def test_without_a_keyring_the_key_can_be_used_for_this_session_only(qtbot, dialog, settings_file, monkeypatch):
    def no_keyring(key):
        raise credentials.KeyStoreError("The system keyring is not available, so the key cannot be stored safely.")

    asked = []
    with monkeypatch.context() as patch:
        patch.setattr(credentials, "save_api_key", no_keyring)
        dialog.feedback.answer_with(lambda message: asked.append(message.text) or QMessageBox.StandardButton.Cancel)
        qtbot.keyClicks(dialog.key_edit, GOOD_KEY)
        save(dialog)
        assert "keyring is not available" in dialog.error_label.text()
        assert credentials.load_api_key() is None and dialog.result() != SettingsDialog.DialogCode.Accepted

        dialog.feedback.answer_with(lambda message: QMessageBox.StandardButton.Yes)
        with qtbot.waitSignal(dialog.api_key_changed, timeout=1000):
            save(dialog)
    assert "session only" in asked[0]
    try:
        assert credentials.load_api_key() == GOOD_KEY and credentials.has_session_key()
        assert GOOD_KEY not in settings_file.read_text()
    finally:
        credentials.use_for_session(None)


def test_save_format_defaults_to_the_source_and_is_saved(qtbot, dialog, settings_file):
    assert dialog.save_format_combo.currentData() == "source"
    dialog.save_format_combo.setCurrentIndex(dialog.save_format_combo.findData("png"))
    save(dialog)
    saved = load_settings(settings_file)
    assert saved.save_format == "png" and saved.job_options().save_format == "png"


def test_the_repeat_question_can_be_turned_back_on_after_dont_ask_again(qtbot, settings_file):
    dialog = SettingsDialog(AppSettings(ask_before_repeating=False), settings_file=settings_file)
    qtbot.addWidget(dialog)
    assert not dialog.repeat_check.isChecked()
    dialog.repeat_check.setChecked(True)
    save(dialog)
    assert load_settings(settings_file).ask_before_repeating is True


def test_provenance_is_on_and_the_prompt_left_out_by_default_and_both_can_be_changed(qtbot, settings_file):
    dialog = SettingsDialog(AppSettings(), settings_file=settings_file)
    qtbot.addWidget(dialog)
    assert dialog.provenance_check.isChecked() and not dialog.prompt_provenance_check.isChecked()
    dialog.prompt_provenance_check.setChecked(True)
    save(dialog)
    saved = load_settings(settings_file)
    assert saved.provenance and saved.prompt_in_provenance
    assert saved.job_options().prompt_in_provenance is True
    dialog = SettingsDialog(saved, settings_file=settings_file)
    qtbot.addWidget(dialog)
    dialog.provenance_check.setChecked(False)
    assert not dialog.prompt_provenance_check.isEnabled()
    save(dialog)
    assert load_settings(settings_file).job_options().provenance is False


def _without_a_keyring(monkeypatch) -> None:
    """A system with no keyring back end: every keyring call fails, as on a bare Linux box."""
    import sys
    import types

    class NoKeyringError(RuntimeError):
        pass

    def fail(*_args):
        raise NoKeyringError("No recommended backend was available.")

    errors = types.SimpleNamespace(PasswordDeleteError=type("PasswordDeleteError", (Exception,), {}))
    fake = types.SimpleNamespace(get_password=fail, set_password=fail, delete_password=fail, errors=errors)
    monkeypatch.delenv("DESKTOP_EDITOR_KEYRING", raising=False)
    monkeypatch.setitem(sys.modules, "keyring", fake)


def test_a_session_only_key_is_said_so_and_can_be_cleared_back_to_demo_mode(qtbot, settings_file, monkeypatch):
    _without_a_keyring(monkeypatch)
    with pytest.raises(credentials.KeyStoreError, match="keyring is not available"):
        credentials.save_api_key(GOOD_KEY)
    credentials.use_for_session(GOOD_KEY)
    try:
        dialog = SettingsDialog(AppSettings(), settings_file=settings_file)
        qtbot.addWidget(dialog)
        assert "session only" in dialog.key_note.text() and "system's keyring" not in dialog.key_note.text()
        assert dialog.key_edit.text() == GOOD_KEY
        dialog.key_edit.selectAll()
        qtbot.keyClick(dialog.key_edit, Qt.Key.Key_Delete)
        with qtbot.waitSignal(dialog.api_key_changed, timeout=1000):
            save(dialog)
        assert dialog.error_label.isHidden() and dialog.result() == SettingsDialog.DialogCode.Accepted
        assert credentials.load_api_key() is None and not credentials.has_session_key()
    finally:
        credentials.use_for_session(None)


def test_a_key_in_the_keyring_is_said_to_be_kept_there(qtbot, dialog):
    assert "kept in your system's keyring" in dialog.key_note.text() and "session only" not in dialog.key_note.text()


def test_plain_http_to_another_machine_is_off_until_allowed_and_saved(qtbot, dialog, settings_file):
    assert not dialog.cleartext_check.isChecked()
    assert "unencrypted" in dialog.cleartext_check.toolTip()
    dialog.base_url_edit.setText("http://runflow.internal:8080")
    dialog.cleartext_check.setChecked(True)
    save(dialog)
    saved = load_settings(settings_file)
    assert saved.allow_cleartext is True and saved.base_url == "http://runflow.internal:8080"
