"""`anjian calc reward` (issue 15 item 2), the arithmetic of anjian.public.rewards.

Prints ONE JSON object on stdout and exits 0: `reward` is the amount in yuan as a JSON
number (an integer when whole, like anjian/accidents/calc_cli.py), `reward_yuan` the same
as exact text with 2 decimals, and `basis` the rule applied. A refused input (missing,
negative or non-numeric fine, unknown grade, negative or fractional deaths, unknown kind
or profile, an argument of the other kind) prints {"error", "error_en", "code", "field"}
as JSON on stderr and exits 2, the code argparse uses for a malformed command line (the
house pattern). No Django import.

    anjian calc reward --kind hazard_or_violation --fine-yuan N [--profile P]
    anjian calc reward --kind concealed_accident --grade 一般|较大|重大|特别重大 --deaths N
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from typing import Any

from anjian.public import rewards

# The arguments each kind takes; one of the other kind is a mistake, not noise.
_ARGS_OF_KIND = {
    "hazard_or_violation": ("fine_yuan",),
    "concealed_accident": ("grade", "deaths"),
}
_FLAG = {"fine_yuan": "--fine-yuan", "grade": "--grade", "deaths": "--deaths"}


def _emit(payload: dict[str, Any], stream: Any = None) -> None:
    (stream or sys.stdout).write(json.dumps(payload, ensure_ascii=False) + "\n")


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _check_arguments(args: argparse.Namespace) -> None:
    allowed = _ARGS_OF_KIND.get(args.kind)
    if allowed is None:
        return  # reward_for refuses the kind itself
    for name, flag in _FLAG.items():
        if name not in allowed and getattr(args, name) is not None:
            raise rewards.RewardInputError(
                "unexpected",
                name,
                f"{flag} 不适用于 {args.kind}",
                f"{flag} does not apply to {args.kind}",
            )


def _reward(args: argparse.Namespace) -> int:
    try:
        _check_arguments(args)
        result = rewards.reward_for(
            args.kind,
            fine_yuan=args.fine_yuan,
            grade=args.grade,
            deaths=args.deaths,
            profile=args.profile,
        )
    except rewards.RewardInputError as error:
        _emit(error.as_dict(), sys.stderr)
        return 2
    _emit(
        {
            "reward": _number(result.amount),
            "reward_yuan": str(result.amount),
            "kind": args.kind,
            "profile": args.profile,
            "basis": result.basis,
        }
    )
    return 0


def register(calcs: argparse._SubParsersAction) -> None:
    """Add `reward` to the sub-parsers of `anjian calc`. Values are taken as text so the
    pure function, not argparse, refuses them: one bilingual JSON error whatever the
    mistake."""
    reward = calcs.add_parser(
        "reward",
        help="whistleblower reward by 安监总财〔2018〕19号 第六条 (yuan)",
    )
    reward.add_argument(
        "--kind", required=True, metavar="KIND", help="hazard_or_violation | concealed_accident"
    )
    reward.add_argument("--fine-yuan", metavar="N", help="administrative fine in yuan")
    reward.add_argument(
        "--grade", metavar="GRADE", help="finally confirmed grade: 一般|较大|重大|特别重大"
    )
    reward.add_argument("--deaths", metavar="N", help="concealed deaths verified")
    reward.add_argument(
        "--profile",
        default="national",
        metavar="P",
        help="reward profile (national; example_province is an example)",
    )
    reward.set_defaults(func=_reward)
