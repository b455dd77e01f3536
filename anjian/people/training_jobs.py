"""The certificate warning job (issue 15 item 5): tells the enterprise's principal and
safety officers 30 days before a certificate's end of validity or review (复审) falls
due, and on the day, once each (run it daily from cron as
`anjian manage certificates_check`, or enqueue `anjian.people.tasks.certificates_check`).

Remembering what was sent needs no table of its own (as anjian.emergency.resource_jobs):
each warning told leaves an audit entry (action "warned", object type
"people.certificatewarning", object id training_rules.CertificateWarning.key: the
certificate, expiry or review, notice or due, and the date). A second run sends nothing
new; a new date (a review done, a renewed certificate) is a new warning. Each
certificate is done in its own transaction with its row locked, the entries looked for
again under the lock, so two runs at once tell each warning once.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import Role, User
from anjian.core.audit import Actor, audit_append
from anjian.core.models import AuditEntry, NotificationKind
from anjian.core.notify import notify

from . import training_rules as rules
from .models import Certificate
from .training_services import expiring_filter, notice_days

logger = logging.getLogger(__name__)

SENT_ACTION = "warned"
SENT_TYPE = "people.certificatewarning"


def keepers(enterprise_id: int) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            enterprise_id=enterprise_id,
            role__in=(Role.ENTERPRISE_PRINCIPAL, Role.ENTERPRISE_SAFETY_OFFICER),
        ).order_by("pk")
    )


def _message(cert: Certificate, warning: rules.CertificateWarning) -> tuple[str, str]:
    what = cert.item or cert.get_kind_display()
    if warning.which == "expiry":
        title = (
            _("Certificate expires on %(d)s: %(name)s, %(what)s")
            if warning.stage == "notice"
            else _("Certificate at the end of its validity (%(d)s): %(name)s, %(what)s")
        )
    else:
        title = (
            _("Certificate review due on %(d)s: %(name)s, %(what)s")
            if warning.stage == "notice"
            else _("Certificate review due now (%(d)s): %(name)s, %(what)s")
        )
    title = title % {"d": warning.on.isoformat(), "name": cert.worker.name, "what": what}
    body = _("Issued by %(issuer)s on %(issued)s.") % {
        "issuer": cert.issuer or "-",
        "issued": cert.issued_on.isoformat(),
    }
    return title, body


def _warn_one(cert_id: int, *, today: dt.date, days: int, actor: Actor) -> int:
    with transaction.atomic():
        cert = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("worker")
            .get(pk=cert_id)
        )
        found = rules.certificate_warnings(
            cert.expires_on, cert.review_due, cert.state, today, days
        )
        keys = {w.key(cert.pk): w for w in found}
        sent = set(
            AuditEntry.objects.filter(
                object_type=SENT_TYPE, action=SENT_ACTION, object_id__in=list(keys)
            ).values_list("object_id", flat=True)
        )
        new = [(k, w) for k, w in keys.items() if k not in sent]
        if not new:
            return 0
        people = keepers(cert.worker.enterprise_id)
        link = reverse("people:worker", args=[cert.worker_id])
        for key, warning in new:
            title, body = _message(cert, warning)
            notify(
                recipients=people,
                kind=NotificationKind.DEADLINE,
                title=title,
                body=body,
                link=link,
                object_label=cert.worker.name,
            )
            audit_append(
                actor=actor,
                action=SENT_ACTION,
                object_type=SENT_TYPE,
                object_id=key,
                summary=title[:255],
                changes={
                    "certificate": cert.pk,
                    "which": warning.which,
                    "stage": warning.stage,
                    "recipients": [u.pk for u in people],
                },
            )
        return len(new)


def certificates_check_run(
    *, today: dt.date | None = None, days: int | None = None
) -> dict[str, int]:
    """Tell every new warning; counts of certificates seen, warnings told, failures."""
    today = today or timezone.localdate()
    days = notice_days() if days is None else days
    actor = Actor.system("job", "certificates_check")
    ids = list(
        expiring_filter(Certificate.objects.all(), today, days)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    out = {"certificates": 0, "warned": 0, "failed": 0}
    for cert_id in ids:
        out["certificates"] += 1
        try:
            out["warned"] += _warn_one(cert_id, today=today, days=days, actor=actor)
        except Exception:
            logger.exception("the warnings of certificate %s failed", cert_id)
            out["failed"] += 1
    return out
