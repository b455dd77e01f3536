from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from anjian.accounts.models import Role
from anjian.core.admin_base import RoleGatedAdmin
from anjian.core.models import AuditEntry, SentMessage

# The senders shipped with anjian, by dotted path (ANJIAN_NOTIFY_SENDERS); others show
# their path.
SENDER_LABELS = {
    "anjian.core.notify.LoggingSender": _("log only (no SMS or mail gateway configured)"),
}

admin.site.site_header = _("anjian administration")
admin.site.site_title = _("anjian administration")
admin.site.index_title = _("Administration by role (platform, security, audit)")


@admin.register(AuditEntry)
class AuditEntryAdmin(RoleGatedAdmin):
    roles = frozenset({Role.AUDIT_ADMIN})
    read_only = True  # the chain is append-only: nobody edits it, not even here
    list_display = (
        "seq",
        "at",
        "actor_label",
        "via",
        "action",
        "object_type",
        "object_id",
        "summary",
    )
    list_filter = ("action", "via", "object_type")
    search_fields = ("actor_label", "object_id", "summary")
    date_hierarchy = "at"
    show_full_result_count = False


@admin.register(SentMessage)
class SentMessageAdmin(RoleGatedAdmin):
    """What the external senders did (or, with the default LoggingSender, would have
    sent): read-only evidence."""

    roles = frozenset({Role.PLATFORM_ADMIN, Role.AUDIT_ADMIN})
    read_only = True
    list_display = (
        "created_at",
        "recipient_label",
        "phone",
        "kind",
        "title",
        "sender_label",
        "status",
    )
    fields = (
        "created_at",
        "notification",
        "recipient",
        "recipient_label",
        "phone",
        "email",
        "kind",
        "title",
        "body",
        "sender_label",
        "status",
        "error",
    )
    readonly_fields = ("sender_label",)
    list_filter = ("status", "kind", "sender")
    search_fields = ("recipient_label", "phone", "email", "title")
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description=_("sender"), ordering="sender")
    def sender_label(self, obj: SentMessage) -> str:
        return str(SENDER_LABELS.get(obj.sender, obj.sender))
