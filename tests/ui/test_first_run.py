"""First run: the wizard creates the vault the person chose, then the main window opens."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from journal_desktop.domain.passphrase_strength import Strength, estimate
from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.storage.vault import read_metadata
from journal_desktop.ui.app import AppController
from journal_desktop.ui.first_run import FINISH_PAGE, PASSPHRASE_PAGE, FirstRunWizard
from journal_desktop.ui.main_window import MainWindow
from journal_desktop.ui.tasks import VaultTasks
from tests.fakes import InMemoryKeyringFake, InsecureKeyringFake
from tests.ui.conftest import run_sync, wait_idle
from tests.ui.shell_helpers import create_vault, folder_digest, window_settings
from tests.ui.shell_stubs import STUB_SCREENS, StubDashboard, StubDetail

NEW_PASSPHRASE = "maple river lantern orbit"


def _controller(runner: VaultTasks, paths: VaultPaths, keyring: object, tmp: Path) -> AppController:
    return AppController(
        runner,
        paths,
        keyring,  # type: ignore[arg-type]
        settings=window_settings(tmp),
        screens=STUB_SCREENS,
        detail=StubDetail,
    )


def _finish(qtbot: QtBot, controller: AppController) -> MainWindow:
    wizard = controller.gate
    assert isinstance(wizard, FirstRunWizard)
    assert wizard.currentId() == FINISH_PAGE
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()  # busy
    qtbot.waitUntil(lambda: controller.window is not None, timeout=30_000)
    window = controller.window
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    return window


def test_the_wizard_creates_a_passphrase_vault_and_lands_on_the_dashboard(
    qtbot: QtBot, tmp_path: Path
) -> None:
    paths = VaultPaths(tmp_path / "vault")
    runner = VaultTasks()
    try:
        controller = _controller(runner, paths, InsecureKeyringFake(), tmp_path)
        controller.start()
        wizard = controller.gate
        assert isinstance(wizard, FirstRunWizard)
        qtbot.addWidget(wizard)
        # No secure keychain: the option is off, says why, and names the backend.
        assert not wizard.key_page.keychain.isEnabled()
        assert wizard.key_page.passphrase.isChecked()
        assert "InsecureKeyringFake" in wizard.key_page.backend_label.text()
        wizard.next()
        assert wizard.currentId() == PASSPHRASE_PAGE
        fields = wizard.passphrase_page.fields
        next_button = wizard.button(QWizard.WizardButton.NextButton)
        qtbot.keyClicks(fields.passphrase, "short")
        assert not next_button.isEnabled()
        assert "Too short" in fields.hint.text()
        fields.passphrase.setText(NEW_PASSPHRASE)
        qtbot.keyClicks(fields.confirm, NEW_PASSPHRASE + "x")
        assert not next_button.isEnabled()
        assert "differ" in fields.hint.text()
        fields.confirm.setText(NEW_PASSPHRASE)
        assert next_button.isEnabled()
        wizard.next()
        window = _finish(qtbot, controller)

        assert isinstance(window.current_screen, StubDashboard)
        assert runner.is_open
        assert read_metadata(paths).key_storage is KeyStorage.PASSPHRASE
        assert paths.key_file.exists()
        qtbot.waitUntil(lambda: not isValid(wizard))  # the wizard and its fields are gone
        assert run_sync(qtbot, runner, lambda vault: vault.trades.count()) == 0
        window.close()
    finally:
        runner.shutdown()


def test_the_wizard_can_keep_the_key_in_the_keychain_and_load_samples(
    qtbot: QtBot, tmp_path: Path
) -> None:
    paths = VaultPaths(tmp_path / "vault")
    keyring = InMemoryKeyringFake()
    runner = VaultTasks()
    try:
        controller = _controller(runner, paths, keyring, tmp_path)
        controller.start()
        wizard = controller.gate
        assert isinstance(wizard, FirstRunWizard)
        qtbot.addWidget(wizard)
        assert wizard.key_page.keychain.isEnabled() and wizard.key_page.keychain.isChecked()
        wizard.next()
        assert wizard.currentId() == FINISH_PAGE  # no passphrase page in keychain mode
        wizard.finish_page.sample.setChecked(True)
        window = _finish(qtbot, controller)
        wait_idle(qtbot, runner, 60_000)

        assert read_metadata(paths).key_storage is KeyStorage.KEYCHAIN
        assert not paths.key_file.exists()
        assert len(keyring.entries) == 1
        counts = run_sync(qtbot, runner, lambda vault: vault.counts())
        assert counts.executions > 200
        assert counts.trades > 50
        assert counts.journal_entries >= 3
        symbols = run_sync(
            qtbot, runner, lambda vault: {i.symbol for i in vault.instruments.list_all()}
        )
        assert {"MESZ6", "AAPL"} <= symbols
        window.close()
    finally:
        runner.shutdown()


def test_the_wizard_never_replaces_an_existing_vault(qtbot: QtBot, tmp_path: Path) -> None:
    paths, keyring = create_vault(tmp_path / "vault", KeyStorage.PASSPHRASE, NEW_PASSPHRASE)
    before = folder_digest(paths.data_dir)
    runner = VaultTasks()
    try:
        wizard = FirstRunWizard(runner, paths, keyring)  # type: ignore[arg-type]
        qtbot.addWidget(wizard)
        wizard.show()
        wizard.key_page.passphrase.setChecked(True)
        wizard.next()
        wizard.passphrase_page.fields.passphrase.setText("another passphrase!")
        wizard.passphrase_page.fields.confirm.setText("another passphrase!")
        wizard.next()
        wizard.button(QWizard.WizardButton.FinishButton).click()
        qtbot.waitUntil(lambda: not wizard.creating, timeout=20_000)
        assert "already exists" in wizard.finish_page.status.text()
        assert wizard.isVisible()
        assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
        assert folder_digest(paths.data_dir) == before
        assert not runner.is_open
    finally:
        runner.shutdown()


def test_cancelling_the_wizard_creates_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    paths = VaultPaths(tmp_path / "vault")
    runner = VaultTasks()
    try:
        controller = _controller(runner, paths, InMemoryKeyringFake(), tmp_path)
        controller.start()
        wizard = controller.gate
        assert isinstance(wizard, FirstRunWizard)
        qtbot.addWidget(wizard)
        wizard.reject()
        assert not wizard.isVisible()
        assert not paths.data_dir.exists()
        assert controller.window is None
    finally:
        runner.shutdown()


def test_the_strength_hint_grows_with_the_passphrase() -> None:
    assert estimate("abc").strength is Strength.TOO_SHORT
    assert estimate("aaaaaaaaaaaa").strength is Strength.WEAK
    assert estimate("password12").strength is Strength.WEAK
    assert estimate(NEW_PASSPHRASE).strength is Strength.STRONG
