from anjian.core.counters import RollupCommand
from anjian.reports.tally_services import hazard_tally_check, hazard_tally_rebuild


class Command(RollupCommand):
    help = (
        "Check the hazard rollup (the counters behind the statistics) against a full recount "
        "of the hazard table; --repair rewrites it when they differ. Prints JSON; exit code 1 "
        "when --check finds a difference. Idempotent, run nightly from cron."
    )
    what = "hazard rollup"

    def check(self):
        return hazard_tally_check()

    def rebuild(self):
        return hazard_tally_rebuild()
