"""The parameters panel as a designer sees it: an image of 3840x2160 open, in a 360 px wide panel."""

from __future__ import annotations

import pytest

from desktop_editor.ui.panels.params.panel import ParamsPanel


@pytest.fixture
def panel(qtbot) -> ParamsPanel:
    p = ParamsPanel()
    qtbot.addWidget(p)
    p.resize(360, 900)
    p.set_open_image("photo.png")
    p.set_image_size(3840, 2160)
    return p
