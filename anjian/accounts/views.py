"""Changing one's own password (every role; the admins included, since the admin
refuses edits of one's own account)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from anjian.core.audit import Actor, audit_append


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            user = form.user
            audit_append(
                actor=Actor.for_user(user, "web"),
                action="password_change",
                obj=user,
                summary=f"password change: {user.get_username()}"[:255],
            )
        messages.success(self.request, _("Your password has been changed."))
        return response
