"""Hazard pages, one module per page group (URLs in anjian/hazards/urls.py):

ledger     the ledger (filters, chip counts, rows) and the workflow table for newcomers
hazard     one hazard: detail, workflow steps, photos, the report form, similar hazards
deadlines  extension requests and decisions, the overdue list, the detail's deadline panel
files      Word notices, the Excel export of the ledger, the Excel import and its template
rechecks   re-checks (回头看): the pending list, one re-check with its form, the runs
"""
