"""Division code rules (GB/T 2260 above township level). Pure.

province: 2 digits + "0000"; city: the province's 2 digits + 2 digits (not "00") + "00";
county: the city's 4 digits + 2 digits (not "00"); township: county code + 3 digits
(the statistical 9-digit code); grid: township code + 3 digits (local numbering).
"""

from __future__ import annotations

import re

LEVELS = ("province", "city", "county", "township", "grid")
PARENT_LEVEL = {"city": "province", "county": "city", "township": "county", "grid": "township"}


def code_problem(level: str, code: str, parent_code: str | None) -> str | None:
    """None when the code fits its level and parent; otherwise what is wrong (Chinese)."""
    if level not in LEVELS:
        return f"未知的区划层级“{level}”"
    if level == "province":
        if not re.fullmatch(r"[1-9]\d0000", code):
            return "省级代码应为6位数字，后4位为0（GB/T 2260），例如 320000"
        return None
    if parent_code is None:
        return "除省级外，区划必须有上级"
    if level == "city":
        if not re.fullmatch(r"\d{4}00", code) or code[2:4] == "00":
            return "市级代码应为6位数字，第3–4位非00、后2位为00，例如 320500"
        if code[:2] != parent_code[:2]:
            return f"市级代码应以上级省代码的前两位“{parent_code[:2]}”开头"
        return None
    if level == "county":
        if not re.fullmatch(r"\d{6}", code) or code[4:6] == "00":
            return "县级代码应为6位数字，后2位非00，例如 320581"
        if code[:4] != parent_code[:4]:
            return f"县级代码应以上级市代码的前四位“{parent_code[:4]}”开头"
        return None
    length = 9 if level == "township" else 12
    if not re.fullmatch(rf"\d{{{length}}}", code):
        return f"{'乡镇（街道）' if level == 'township' else '网格'}代码应为{length}位数字"
    if not code.startswith(parent_code):
        return f"代码应以上级代码“{parent_code}”开头"
    if code == parent_code + "0" * (length - len(parent_code)):
        return "下级编号不能全为0"
    return None
