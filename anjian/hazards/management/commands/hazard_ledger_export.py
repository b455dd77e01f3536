"""Export a user's hazard ledger to an .xlsx file, without the download cap: for a whole
city's or province's ledger (millions of rows, sheets rolling over at a million) and the
benchmark. Scoped exactly as the page (the user's jurisdiction) and audited (via "cli")."""

from anjian.hazards import ledger_excel
from anjian.hazards.management.export_command import LedgerExportCommand


class Command(LedgerExportCommand):
    help = (
        "Write the hazard ledger (隐患排查治理台账) a user may see to an Excel file; filters as "
        "on the ledger page, e.g. --filter level=major --filter state=open."
    )
    out_help = "Path of the .xlsx file to write."

    def writer(self):
        return ledger_excel.ledger_export
