"""`anjian calc lec|ls|mes|major-hazard`: the risk calculators on the command line.

Each prints ONE JSON object on stdout and exits 0. A refused input (a factor not in its
table, a negative tonnage, an unknown substance without Q, an unknown profile, --people
with --alpha) prints {"error", "error_en", "code", "field"} as JSON on stderr and exits 2,
the same code argparse uses for a malformed command line. No Django import: the
calculators must run without settings or a database.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from anjian.risks import major_hazard, methods


def _emit(payload: dict[str, Any], stream: Any = None) -> None:
    (stream or sys.stdout).write(json.dumps(payload, ensure_ascii=False) + "\n")


def _guarded(compute: Callable[[argparse.Namespace], dict[str, Any]]):
    def run(args: argparse.Namespace) -> int:
        try:
            payload = compute(args)
        except methods.RiskInputError as error:
            _emit(error.as_dict(), sys.stderr)
            return 2
        _emit(payload)
        return 0

    return run


def _lec(args: argparse.Namespace) -> dict[str, Any]:
    return methods.lec(args.l, args.e, args.c, args.profile).as_dict()


def _ls(args: argparse.Namespace) -> dict[str, Any]:
    return methods.ls(args.l, args.s, args.profile).as_dict()


def _mes(args: argparse.Namespace) -> dict[str, Any]:
    return methods.mes(args.m, args.e, args.s, args.profile).as_dict()


def _major_hazard(args: argparse.Namespace) -> dict[str, Any]:
    items = [major_hazard.parse_spec(spec) for spec in args.substance]
    if args.people is None and args.alpha is None:
        # Identification alone is a legitimate question; say what grading would need.
        ident = major_hazard.identify(items, args.profile).as_dict()
        note = methods.RiskInputError("alpha_required", "people")
        return {
            **{k: ident[k] for k in ("sum", "sum_approx", "is_major")},
            "people": None,
            "alpha": None,
            "R": None,
            "R_approx": None,
            "grade": None,
            "grade_number": None,
            "note": note.message("zh-hans") if ident["is_major"] else None,
            **{k: ident[k] for k in ("profile", "profile_version", "substances")},
        }
    return major_hazard.grade(
        items, alpha=args.alpha, people=args.people, profile=args.profile
    ).as_dict()


def _profile_help(method: str) -> str:
    names = [p.name + (" (default)" if p.default else "") for p in methods.profiles(method)]
    return "profile: " + ", ".join(names)


def register(calcs: argparse._SubParsersAction) -> None:
    """Add lec, ls, mes and major-hazard to the sub-parsers of `anjian calc`.

    Factors are taken as text so the pure functions, not argparse, refuse them: one
    bilingual JSON error whatever the mistake."""
    lec = calcs.add_parser("lec", help="LEC: D = L·E·C (作业条件危险性评价法)")
    lec.add_argument("--l", required=True, metavar="L", help="likelihood: 10 6 3 1 0.5 0.2 0.1")
    lec.add_argument("--e", required=True, metavar="E", help="exposure: 10 6 3 2 1 0.5")
    lec.add_argument("--c", required=True, metavar="C", help="consequence: 100 40 15 7 3 1")
    lec.add_argument("--profile", help=_profile_help("lec"))
    lec.set_defaults(func=_guarded(_lec))

    ls = calcs.add_parser("ls", help="LS risk matrix: R = L·S (风险矩阵法)")
    ls.add_argument("--l", required=True, metavar="L", help="likelihood 1–5")
    ls.add_argument("--s", required=True, metavar="S", help="severity 1–5")
    ls.add_argument("--profile", help=_profile_help("ls"))
    ls.set_defaults(func=_guarded(_ls))

    mes = calcs.add_parser("mes", help="MES: R = M·E·S (S table UNCONFIRMED)")
    mes.add_argument("--m", required=True, metavar="M", help="control measures: 5 3 1")
    mes.add_argument("--e", required=True, metavar="E", help="exposure: 10 6 3 2 1 0.5")
    mes.add_argument("--s", required=True, metavar="S", help="consequence: 10 8 4 2 1")
    mes.add_argument("--profile", help=_profile_help("mes"))
    mes.set_defaults(func=_guarded(_mes))

    hazard = calcs.add_parser(
        "major-hazard", help="GB 18218-2018 major-hazard identification and grading"
    )
    hazard.add_argument(
        "--substance",
        action="append",
        required=True,
        metavar="NAME:q[:Q[:beta]]",
        help="CAS number or Chinese name, quantity q in tonnes, optional Q (t) and β; repeat",
    )
    # Not an argparse mutually exclusive group: the pure module refuses "both" with the
    # same bilingual JSON error as every other mistake, and the API gets the same check.
    hazard.add_argument("--people", help="常住人口 within 500 m of the site boundary")
    hazard.add_argument("--alpha", help="α directly: 2.0 1.5 1.2 1.0 0.5")
    hazard.add_argument("--profile", help=_profile_help("major-hazard"))
    hazard.set_defaults(func=_guarded(_major_hazard))
