from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from birdadmin.store import atomic
from birdadmin.store.atomic import write_json_atomic
from birdadmin.store.paths import config_dir


def test_config_dir_follows_environment_and_is_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BIRDADMIN_CONFIG_DIR", str(tmp_path / "c" / "nested"))
    assert config_dir() == tmp_path / "c" / "nested"
    assert (tmp_path / "c" / "nested").is_dir()


def test_config_dir_defaults_to_platformdirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("BIRDADMIN_CONFIG_DIR")
    monkeypatch.setattr("platformdirs.user_config_dir", lambda app: str(tmp_path / "pd" / app))
    assert config_dir() == tmp_path / "pd" / "birdadmin"


def test_write_json_atomic_writes_private_file_and_leaves_no_temp(tmp_path: Path):
    target = tmp_path / "sub" / "x.json"
    write_json_atomic(target, {"a": [1, "ü"]})
    assert json.loads(target.read_text("utf-8")) == {"a": [1, "ü"]}
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    write_json_atomic(target, {"a": 2})
    assert json.loads(target.read_text("utf-8")) == {"a": 2}
    assert sorted(p.name for p in target.parent.iterdir()) == ["x.json"]


def test_failed_write_keeps_the_old_file_and_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    target = tmp_path / "x.json"
    write_json_atomic(target, {"old": True})

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space left"):
        write_json_atomic(target, {"new": True})
    assert json.loads(target.read_text()) == {"old": True}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.json"]


def test_unserialisable_data_does_not_touch_the_file(tmp_path: Path):
    target = tmp_path / "x.json"
    write_json_atomic(target, [1])
    with pytest.raises(TypeError):
        write_json_atomic(target, {"bad": object()})
    assert json.loads(target.read_text()) == [1]
