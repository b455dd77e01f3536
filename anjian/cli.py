"""The `anjian` command: calculators (pure, no database) and operations (wrapping the
Django management commands).

    anjian calc uscc CODE
    anjian demo [--enterprises N] [--seed S] [--if-empty]
    anjian audit verify
    anjian audit checkpoint
    anjian token create USERNAME NAME [--days N]
    anjian token list [USERNAME]
    anjian token revoke ID_OR_PREFIX
    anjian monitor listen [--shared] [--url mqtt://…] [--state-url redis://…]
    anjian monitor points --json | alarms --json [--since ISO] | stats --json | maintain
    anjian monitor simulate [--http URL] [--rate N] [--duration S] [--seed N]
    anjian monitor import FILE --enterprise USCC | --template OUT.xlsx
    anjian checks score FILE.jsonl|- [--json]
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


def register_monitor(sub) -> None:
    """`anjian monitor …`: readings in over MQTT, and the command-line contract."""
    monitor = sub.add_parser("monitor", help="monitoring and early warning")
    monitors = monitor.add_subparsers(dest="monitor_command", required=True)

    listen = monitors.add_parser("listen", help="MQTT readings into the pipeline")
    listen.add_argument("--url", default=None, help="broker (ANJIAN_MQTT_URL)")
    listen.add_argument("--shared", action="store_true", help="$share/anjian/… subscription")
    listen.add_argument("--instance", type=int, default=None)
    listen.add_argument("--client-id", default=None)
    listen.add_argument("--state-url", default=None, help="redis://… (shared alarm state)")
    listen.add_argument("--batch-messages", type=int, default=None)
    listen.add_argument("--batch-ms", type=int, default=None)
    listen.add_argument("--max-seconds", type=float, default=None)
    listen.add_argument("--idle-exit", type=float, default=None)
    listen.add_argument("--stats-every", type=float, default=None)

    def run_listen(a: argparse.Namespace) -> int:
        argv = ["monitor_listen"] + (["--shared"] if a.shared else [])
        for name in (
            "url",
            "instance",
            "client_id",
            "state_url",
            "batch_messages",
            "batch_ms",
            "max_seconds",
            "idle_exit",
            "stats_every",
        ):
            value = getattr(a, name)
            if value is not None:
                argv += ["--" + name.replace("_", "-"), str(value)]
        return _django(argv)

    listen.set_defaults(func=run_listen)
    points = monitors.add_parser("points", help="the points with their set-points")
    points.add_argument("--json", action="store_true")
    points.set_defaults(func=lambda a: _django(["monitor_points"] + (["--json"] if a.json else [])))
    alarms = monitors.add_parser("alarms", help="alarms, newest first")
    alarms.add_argument("--json", action="store_true")
    alarms.add_argument("--since", default=None, help="ISO 8601 with offset")
    alarms.set_defaults(
        func=lambda a: _django(
            ["monitor_alarms"]
            + (["--json"] if a.json else [])
            + (["--since", a.since] if a.since else [])
        )
    )
    stats = monitors.add_parser("stats", help="stored, rejected by reason, alarms open")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(func=lambda a: _django(["monitor_stats"] + (["--json"] if a.json else [])))
    maintain = monitors.add_parser("maintain", help="partitions ahead and retention (daily)")
    maintain.set_defaults(func=lambda a: _django(["monitor_maintain"]))
    simulate = monitors.add_parser("simulate", help="stream demo readings with faults")
    simulate.add_argument("--url", default=None, help="MQTT broker (ANJIAN_MQTT_URL)")
    simulate.add_argument("--http", default=None, help="HTTP base URL instead of MQTT")
    simulate.add_argument("--tokens", default=None, help="gateway tokens file")
    simulate.add_argument("--rate", type=float, default=None, help="readings per second")
    simulate.add_argument("--duration", type=float, default=None, help="seconds")
    simulate.add_argument("--seed", type=int, default=None)
    simulate.add_argument("--run-jobs", type=float, default=None, help="monitoring jobs every N s")

    def run_simulate(a: argparse.Namespace) -> int:
        argv = ["monitor_simulate"]
        for name in ("url", "http", "tokens", "rate", "duration", "seed", "run_jobs"):
            if getattr(a, name) is not None:
                argv += ["--" + name.replace("_", "-"), str(getattr(a, name))]
        return _django(argv)

    simulate.set_defaults(func=run_simulate)
    importing = monitors.add_parser("import", help="points and set-points from Excel")
    importing.add_argument("file", nargs="?", default=None, help=".xlsx filled from the template")
    importing.add_argument("--enterprise", default=None, help="credit code (USCC)")
    importing.add_argument("--template", default=None, help="write the empty template here")
    importing.add_argument("--json", action="store_true")
    importing.set_defaults(
        func=lambda a: _django(
            ["monitor_import"]
            + ([a.file] if a.file else [])
            + (["--enterprise", a.enterprise] if a.enterprise else [])
            + (["--template", a.template] if a.template else [])
            + (["--json"] if a.json else [])
        )
    )


def checks_score(args: argparse.Namespace) -> int:
    """Score a JSON-lines file of check records (pure: no settings, no database)."""
    from anjian.checks.authenticity import score
    from anjian.checks.scorefile import ScoreFileError, parse_lines, scores_json

    try:
        if args.file == "-":
            parsed = parse_lines(sys.stdin)
        else:
            with open(args.file, encoding="utf-8") as handle:
                parsed = parse_lines(handle)
    except OSError as error:
        errors = [{"line": None, "field": None, "message": f"cannot read: {error.strerror}"}]
        sys.stderr.write(json.dumps({"errors": errors}) + "\n")
        return 2
    except UnicodeDecodeError as error:
        errors = [{"line": None, "field": None, "message": f"not UTF-8: {error.reason}"}]
        sys.stderr.write(json.dumps({"errors": errors}) + "\n")
        return 2
    except ScoreFileError as error:
        sys.stderr.write(json.dumps(error.as_dict(), ensure_ascii=False) + "\n")
        return 2
    scores = score(parsed.records, parsed.sites, parsed.alarms, parsed.findings)
    if args.json:
        sys.stdout.write(scores_json(scores) + "\n")
        return 0
    for enterprise in scores.enterprises:
        names = ", ".join(s.name for s in enterprise.signals)
        mark = "FLAG" if enterprise.flag else "ok"
        sys.stdout.write(f"{enterprise.score:5.1f}  {mark:4}  {enterprise.enterprise}  {names}\n")
    return 0


def register_checks(sub) -> None:
    """`anjian checks score FILE --json`: the authenticity scorer's file contract."""
    checks = sub.add_parser("checks", help="self-checks: authenticity scoring")
    checks_sub = checks.add_subparsers(dest="checks_command", required=True)
    scoring = checks_sub.add_parser("score", help="score check records from JSON lines")
    scoring.add_argument("file", help="JSON-lines file, or - for stdin")
    scoring.add_argument("--json", action="store_true", help="the contract's JSON object")
    scoring.set_defaults(func=checks_score)


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
    from anjian.accidents.calc_cli import register as register_accident_calcs

    register_accident_calcs(calcs)
    from anjian.public.calc_cli import register as register_reward_calcs

    register_reward_calcs(calcs)

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

    register_monitor(sub)
    register_checks(sub)

    manage = sub.add_parser("manage", help="run any Django management command")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=lambda a: _django(a.rest))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
