"""packaging/icons.py renders app.svg to what is committed: same sizes, not blank, transparent corners."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tests.packaging.helpers import APP_ID, ICON_SIZES, ROOT


def test_icons_script_renders_every_size(tmp_path: Path, qapp: object) -> None:
    from PySide6.QtGui import QImage

    spec = importlib.util.spec_from_file_location("packaging_icons", ROOT / "packaging" / "icons.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert tuple(module.SIZES) == ICON_SIZES
    written = module.render(ROOT / "resources" / "icons" / "app.svg", tmp_path)
    assert [path.relative_to(tmp_path).as_posix() for path in written] == \
        [f"{n}x{n}/apps/{APP_ID}.png" for n in ICON_SIZES]
    for size, path in zip(ICON_SIZES, written, strict=True):
        image = QImage(str(path))
        assert (image.width(), image.height()) == (size, size)
        assert image.pixelColor(0, 0).alpha() == 0  # the rounded corner stays transparent
        assert image.pixelColor(size // 2, size // 2).alpha() == 255

