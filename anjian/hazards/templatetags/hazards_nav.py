"""Which hazard pages the menu offers: the very checks those pages make, so that the
menu never links to a page that answers 403."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import PermissionDenied

from anjian.hazards import importer
from anjian.hazards.views import rechecks as recheck_views

register = template.Library()


@register.filter
def may_import_ledger(user: Any) -> bool:
    """{% if user|may_import_ledger %}: the ledger import page opens for this user."""
    return importer.may_import(user)


@register.filter
def may_open_rechecks(user: Any) -> bool:
    """{% if user|may_open_rechecks %}: the re-checks (回头看) list opens for this user."""
    try:
        recheck_views._require_role(user)
    except PermissionDenied:
        return False
    return True
