"""`anjian calc accident-grade | injury-rates | osha` (issue 13 item 8).

Each prints ONE JSON object on stdout and exits 0; numbers are JSON numbers. A refused
input (a negative or fractional count, hours ≤ 0, lost days without hours, osha with
neither --recordable nor --dart-cases) prints {"error", "error_en", "code", "field"} as
JSON on stderr and exits 2, the code argparse uses for a malformed command line (the
house pattern of anjian/risks/calc_cli.py). No Django import.

    anjian calc accident-grade --deaths N --serious N --loss-yuan N
    anjian calc injury-rates --workforce N --deaths N --serious N --minor N
                             [--lost-days-serious N --lost-days-minor N --hours H]
    anjian calc osha [--recordable N] [--dart-cases N] [--lti N]
                     [--fatalities N] --hours H
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from anjian.accidents import grading, rates

# Rates are always written as JSON reals (4 places); other Decimals as ints when whole.
_RATE_KEYS = frozenset(
    {
        "per_thousand_deaths",
        "per_thousand_serious",
        "frequency_A",
        "severity_B",
        "average_N",
        "TRC",
        "DART",
        "LTIFR",
    }
)


def _number(key: str, value: Any) -> Any:
    if not isinstance(value, Decimal):
        return value
    if key not in _RATE_KEYS and value == value.to_integral_value():
        return int(value)
    return float(value)


def _jsonable(payload: dict[str, Any]) -> dict[str, Any]:
    return {key: _number(key, value) for key, value in payload.items()}


def _emit(payload: dict[str, Any], stream: Any = None) -> None:
    (stream or sys.stdout).write(json.dumps(payload, ensure_ascii=False) + "\n")


def _guarded(compute: Callable[[argparse.Namespace], dict[str, Any]]):
    def run(args: argparse.Namespace) -> int:
        try:
            payload = compute(args)
        except grading.AccidentInputError as error:
            _emit(error.as_dict(), sys.stderr)
            return 2
        _emit(_jsonable(payload))
        return 0

    return run


def _accident_grade(args: argparse.Namespace) -> dict[str, Any]:
    result = grading.grade(deaths=args.deaths, serious=args.serious, loss_yuan=args.loss_yuan)
    return {
        "grade": result.grade,
        "code": result.code,
        "decided_by": list(result.decided_by),
        "levels": result.levels,
        "deaths": grading.count_of(args.deaths, "deaths"),
        "serious": grading.count_of(args.serious, "serious"),
        "loss_yuan": grading.amount_of(args.loss_yuan, "loss_yuan"),
        "thresholds": grading.thresholds_as_dict(),
        "investigating_level": grading.investigating_level(result.grade),
        "basis": "国务院令第493号 第三条",
    }


def _injury_rates(args: argparse.Namespace) -> dict[str, Any]:
    return rates.injury_rates(
        workforce=args.workforce,
        deaths=args.deaths,
        serious=args.serious,
        minor=args.minor,
        lost_days_serious=args.lost_days_serious,
        lost_days_minor=args.lost_days_minor,
        hours=args.hours,
    )


def _osha(args: argparse.Namespace) -> dict[str, Any]:
    return rates.osha(
        hours=args.hours,
        recordable=args.recordable,
        dart_cases=args.dart_cases,
        lti=args.lti,
        include_fatalities=args.fatalities is not None,
        fatalities=args.fatalities if args.fatalities is not None else 0,
    )


def register(calcs: argparse._SubParsersAction) -> None:
    """Add accident-grade, injury-rates and osha to the sub-parsers of `anjian calc`.

    Values are taken as text so the pure functions, not argparse, refuse them: one
    bilingual JSON error whatever the mistake."""
    grade = calcs.add_parser(
        "accident-grade", help="accident grade by 国务院令第493号 第三条 (most severe criterion)"
    )
    grade.add_argument("--deaths", required=True, metavar="N", help="deaths (incl. missing)")
    grade.add_argument("--serious", required=True, metavar="N", help="serious injuries")
    grade.add_argument("--loss-yuan", required=True, metavar="N", help="direct loss in yuan")
    grade.set_defaults(func=_guarded(_accident_grade))

    injury = calcs.add_parser(
        "injury-rates", help="GB 6441-86 rates: per thousand, frequency A, severity B, N"
    )
    injury.add_argument("--workforce", required=True, metavar="N", help="average workforce")
    injury.add_argument("--deaths", required=True, metavar="N")
    injury.add_argument("--serious", required=True, metavar="N", help="serious injuries")
    injury.add_argument("--minor", required=True, metavar="N", help="minor injuries")
    injury.add_argument("--lost-days-serious", metavar="N", help="lost days, serious injuries")
    injury.add_argument("--lost-days-minor", metavar="N", help="lost days, minor injuries")
    injury.add_argument("--hours", metavar="H", help="actual hours worked")
    injury.set_defaults(func=_guarded(_injury_rates))

    osha = calcs.add_parser("osha", help="OSHA TRC and DART per 200,000 hours (LTIFR per 10⁶)")
    osha.add_argument("--recordable", metavar="N", help="recordable cases (300 Log H+I+J)")
    osha.add_argument("--dart-cases", metavar="N", help="DART cases (300 Log H+I)")
    osha.add_argument("--lti", metavar="N", help="lost-time injuries, for LTIFR")
    osha.add_argument(
        "--fatalities", metavar="N", help="deaths (column G), added to TRC when given"
    )
    osha.add_argument("--hours", required=True, metavar="H", help="hours worked")
    osha.set_defaults(func=_guarded(_osha))
