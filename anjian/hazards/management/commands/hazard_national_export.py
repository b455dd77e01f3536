"""Export the hazards a user may see in the shape of the national table t_yhzlxx, as
JSON Lines (one record per line, the table's keys and codes): for the provincial
dual-prevention platform. Scoped as the ledger page and audited (via "cli")."""

from anjian.hazards import national
from anjian.hazards.management.export_command import LedgerExportCommand


class Command(LedgerExportCommand):
    help = (
        "Write the hazards a user may see as t_yhzlxx JSON Lines; filters as on the ledger "
        "page, e.g. --filter level=major --filter state=open."
    )
    out_help = "Path of the .jsonl file to write."

    def writer(self):
        return national.national_export
