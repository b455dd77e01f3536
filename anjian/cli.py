"""The `anjian` command: calculators (pure, no database) and operations (wrapping the
Django management commands).

    anjian calc uscc CODE
    anjian demo [--enterprises N] [--seed S] [--if-empty]
    anjian audit verify
    anjian audit checkpoint
    anjian token create USERNAME NAME [--days N]
    anjian token list [USERNAME]
    anjian token revoke ID_OR_PREFIX
    anjian manage <any manage.py command …>
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence


def _print_json(payload: dict) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")


def calc_uscc(args: argparse.Namespace) -> int:
    from anjian.registry.uscc import validate

    result = validate(args.code)
    _print_json(
        {"code": result.code, "valid": result.valid, "reason": result.reason(args.lang) or None}
    )
    return 0


def _django(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anjian.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["anjian", *argv])
    except SystemExit as exc:  # commands signal failure this way (audit verify)
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="anjian", description="安监 anjian command line")
    sub = parser.add_subparsers(dest="command", required=True)

    calc = sub.add_parser("calc", help="calculators of the field (print one JSON object)")
    calcs = calc.add_subparsers(dest="calculator", required=True)
    uscc = calcs.add_parser("uscc", help="check a unified social credit code (GB 32100)")
    uscc.add_argument("code")
    uscc.add_argument("--lang", default="zh-hans", choices=["zh-hans", "en"])
    uscc.set_defaults(func=calc_uscc)
    from anjian.risks.calc_cli import register as register_risk_calcs

    register_risk_calcs(calcs)
    from anjian.diagnosis.calc_cli import register as register_diagnosis_calcs

    register_diagnosis_calcs(calcs)

    demo = sub.add_parser("demo", help="build the fictional demo county")
    demo.add_argument("--enterprises", type=int, default=600)
    demo.add_argument("--seed", type=int, default=20261129)
    demo.add_argument("--if-empty", action="store_true")
    demo.set_defaults(
        func=lambda a: _django(
            ["demo", "--enterprises", str(a.enterprises), "--seed", str(a.seed)]
            + (["--if-empty"] if a.if_empty else [])
        )
    )

    audit = sub.add_parser("audit", help="the audit trail")
    audits = audit.add_subparsers(dest="audit_command", required=True)
    audits.add_parser("verify", help="verify the chain and its checkpoints").set_defaults(
        func=lambda a: _django(["audit_verify"])
    )
    audits.add_parser(
        "checkpoint", help="append a signed checkpoint of the head (outside the database)"
    ).set_defaults(func=lambda a: _django(["audit_checkpoint"]))

    token = sub.add_parser("token", help="API tokens for machine clients")
    tokens = token.add_subparsers(dest="token_command", required=True)
    create = tokens.add_parser("create", help="issue a token (shown once)")
    create.add_argument("username")
    create.add_argument("name")
    create.add_argument("--days", type=int, default=None, help="validity (ANJIAN_API_TOKEN_DAYS)")
    create.set_defaults(
        func=lambda a: _django(
            ["issue_token", a.username, a.name]
            + (["--days", str(a.days)] if a.days is not None else [])
        )
    )
    listing = tokens.add_parser("list", help="list tokens (never their values)")
    listing.add_argument("username", nargs="?", default=None)
    listing.set_defaults(
        func=lambda a: _django(["list_tokens"] + ([a.username] if a.username else []))
    )
    revoke = tokens.add_parser("revoke", help="revoke a token by id or prefix")
    revoke.add_argument("token")
    revoke.set_defaults(func=lambda a: _django(["revoke_token", a.token]))

    manage = sub.add_parser("manage", help="run any Django management command")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=lambda a: _django(a.rest))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
