"""Every folder ins-tui makes is 0700, and its own folders left 0755 are narrowed at start.

The suite's conftest points XDG_DATA_HOME / XDG_CONFIG_HOME at folders that do not exist
yet, so each test sees a first start on a new machine, with the usual umask 022.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from ins_tui.cli import main
from ins_tui.config import config_dir, data_home, load_config
from ins_tui.insi.pki import ensure_pki
from ins_tui.paths import ensure_private_dir, prepare_app_dirs
from ins_tui.store import Store


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _usual_umask() -> Iterator[None]:
    """Most desktops run with 022: what made the folders 0755 before."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_first_start_makes_every_folder_private(capsys: pytest.CaptureFixture[str]) -> None:
    config = load_config()
    assert not data_home().exists() and not config_dir().exists()
    Store.open(config.db_path).close()  # the store's open path alone
    xdg_data = Path(os.environ["XDG_DATA_HOME"])
    xdg_config = Path(os.environ["XDG_CONFIG_HOME"])
    for folder in (xdg_data, data_home(), xdg_config, config_dir()):
        assert _mode(folder) == 0o700, folder  # missing parents too, not only the last one
    assert main(["config", "paths"]) == 0  # reads only: nothing becomes wider
    assert str(data_home()) in capsys.readouterr().out
    assert prepare_app_dirs(config, training=True) == []  # the training launch
    assert _mode(config.training_dir) == 0o700
    pki = ensure_pki(config.training_dir / "insi")  # what the training simulator makes
    assert _mode(pki.directory) == 0o700
    assert _mode(data_home()) == _mode(config_dir()) == 0o700


def test_folders_left_0755_by_an_older_version_are_tightened() -> None:
    config = load_config()
    for folder in (data_home(), config_dir(), config.training_dir / "insi"):
        folder.mkdir(parents=True)
        os.chmod(folder, 0o755)
    Store.open(config.db_path).close()
    assert _mode(data_home()) == 0o700 and _mode(config_dir()) == 0o700
    os.chmod(data_home(), 0o755)
    assert prepare_app_dirs(config, training=False) == []  # `ins-tui run` (production)
    assert _mode(data_home()) == 0o700
    os.chmod(config.training_dir, 0o755)
    assert prepare_app_dirs(config, training=True) == []
    assert _mode(config.training_dir) == 0o700
    ensure_pki(config.training_dir / "insi")
    assert _mode(config.training_dir / "insi") == 0o700


def test_a_folder_the_user_chose_is_created_private_but_never_chmodded(tmp_path: Path) -> None:
    shared = tmp_path / "srv"
    shared.mkdir()
    os.chmod(shared, 0o755)
    with Store.open(shared / "cabinet" / "base.sqlite"):
        pass
    assert _mode(shared) == 0o755  # the administrator's folder, not ins-tui's
    assert _mode(shared / "cabinet") == 0o700  # created by ins-tui


@pytest.mark.allow_skip
def test_a_wide_folder_of_another_account_is_reported_not_changed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if os.geteuid() != 0:
        pytest.skip("changer le propriétaire d'un dossier demande root")
    config = load_config()
    data_home().mkdir(parents=True)
    os.chown(data_home(), 4321, 4321)
    os.chmod(data_home(), 0o755)
    warnings = prepare_app_dirs(config)
    assert _mode(data_home()) == 0o755
    assert len(warnings) == 1
    assert str(data_home()) in warnings[0] and "autre compte" in warnings[0]
    assert "chmod 700" in warnings[0]
    from ins_tui.tui.launch import _private_dirs

    _private_dirs(config, False)  # what `ins-tui run` prints before the app takes the screen
    assert "Attention : Le dossier" in capsys.readouterr().err


def test_a_file_in_the_way_is_an_error_not_a_chmod(tmp_path: Path) -> None:
    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    with pytest.raises(NotADirectoryError):
        ensure_private_dir(blocker)
