from anjian.accidents.tally_services import accident_tally_check, accident_tally_rebuild
from anjian.core.counters import RollupCommand


class Command(RollupCommand):
    help = (
        "Check the accident rollup (the counters behind the accident statistics) against a "
        "full recount of the accidents; --repair rewrites it when they differ. Prints JSON; "
        "exit code 1 when --check finds a difference. Idempotent, run nightly from cron."
    )
    what = "accident rollup"

    def check(self):
        return accident_tally_check()

    def rebuild(self):
        return accident_tally_rebuild()
