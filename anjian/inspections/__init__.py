"""Inspections and enforcement (监管执法, issue 12 items 4–11): enforcement plans, the
double-random draw (双随机、一公开; `draw.py` is pure, no Django), unannounced and joint
inspections, enforcement documents, penalties and the untrustworthy list. Enterprises'
self-checks are the app anjian.checks."""
