from anjian.core.counters import RollupCommand
from anjian.registry.tally import enterprise_tally_check, enterprise_tally_rebuild


class Command(RollupCommand):
    help = (
        "Check the enterprise rollup (the counters behind the home page's key figures) "
        "against a full recount of the registry; --repair rewrites it when they differ. "
        "Prints JSON; exit code 1 when --check finds a difference. Idempotent, run nightly."
    )
    what = "enterprise rollup"

    def check(self):
        return enterprise_tally_check()

    def rebuild(self):
        return enterprise_tally_rebuild()
