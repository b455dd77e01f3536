"""`anjian calc enterprise-class --score S [--direct-red]`: the class of an enterprise
diagnosis score by 《危险化学品生产储存企业安全风险评估诊断分级指南（试行）》.

Prints ONE JSON object on stdout and exits 0:
{"colour", "score", "class_zh", "direct_red", "score_colour", "reason", "reason_en",
 "bands", "bands_text", "source", "guide", "guide_version"}.
A score that is not a number or lies outside 0–100 prints {"error", "error_en", "code",
"field"} as JSON on stderr and exits 2, like the other calculators. No Django import.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from anjian.diagnosis import scoring


def _emit(payload: dict[str, Any], stream: Any = None) -> None:
    (stream or sys.stdout).write(json.dumps(payload, ensure_ascii=False) + "\n")


def _enterprise_class(args: argparse.Namespace) -> int:
    try:
        payload = scoring.from_score(args.score, direct_red=args.direct_red)
    except scoring.DiagnosisInputError as error:
        _emit(error.as_dict(), sys.stderr)
        return 2
    _emit(payload)
    return 0


def register(calcs: argparse._SubParsersAction) -> None:
    """Add enterprise-class to the sub-parsers of `anjian calc`. The score is taken as
    text so the pure module, not argparse, refuses it: one bilingual JSON error."""
    parser = calcs.add_parser(
        "enterprise-class",
        help="enterprise diagnosis class by score: 红 <60 ≤ 橙 <75 ≤ 黄 <90 ≤ 蓝 "
        "(危险化学品生产储存企业安全风险评估诊断分级指南（试行）)",
    )
    parser.add_argument("--score", required=True, metavar="S", help="the diagnosis score, 0–100")
    parser.add_argument(
        "--direct-red",
        action="store_true",
        help="a direct-red situation was found (红 whatever the score)",
    )
    parser.set_defaults(func=_enterprise_class)
