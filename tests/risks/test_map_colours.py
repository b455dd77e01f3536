"""The jurisdiction map draws its points in Python's MAP_HEX and its legend in CSS: the
two must name the same colour for each class, or the legend lies."""

from __future__ import annotations

import re
from pathlib import Path

from anjian.risks.views import MAP_HEX

CSS = Path(__file__).resolve().parents[2] / "static" / "risks" / "risks.css"


def test_given_the_map_legend_css_then_each_symbol_has_the_points_colour():
    css = CSS.read_text(encoding="utf-8")
    legend = dict(re.findall(r"\.map-symbol-(\w+) \{ background: (#[0-9a-f]{6})", css))
    assert legend == MAP_HEX
