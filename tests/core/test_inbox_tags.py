"""The to-do row's label beside its title ({{ label|beside:title }}): what the title
already says is not said again."""

from __future__ import annotations

import pytest

from anjian.core.templatetags.inbox import beside


@pytest.mark.parametrize(
    ("label", "title", "shown"),
    [
        ("YH-2026-0001 安澜化工", "隐患YH-2026-0001待您处理：确认", "安澜化工"),
        ("YH-2026-0001 安澜化工", "Hazard YH-2026-0001 waits for you", "安澜化工"),
        ("GT-101 高限", "安澜化工 有未确认的红色报警", "GT-101 高限"),
        ("2026Q1", "2026Q1 季度报表即将到期", ""),
        ("", "标题", ""),
    ],
)
def test_given_a_label_and_a_title_when_shown_beside_then_words_in_the_title_are_left_out(
    label, title, shown
):
    assert beside(label, title) == shown
