"""The forms of the worker, training and certificate pages: they parse and show fields;
the services check (anjian.people.worker_services, training_services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anjian.people import training_rules as rules
from anjian.people.models import CertificateKind, TrainingKind

DATE = forms.DateInput(attrs={"type": "date"})


class WorkerForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=64)
    id_number = forms.CharField(
        label=_("identity card number"),
        max_length=18,
        required=False,
        help_text=_("18 characters; the last may be X."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    post = forms.CharField(label=_("post"), max_length=64, required=False)
    phone = forms.CharField(label=_("phone"), max_length=32, required=False)
    hired_on = forms.DateField(label=_("hired on"), required=False, widget=DATE)
    user = forms.TypedChoiceField(label=_("account"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "—")] + [
            (a.pk, a.display_name or a.username) for a in accounts
        ]


class WorkerEditForm(WorkerForm):
    active = forms.BooleanField(label=_("employed"), required=False)


class TrainingForm(forms.Form):
    kind = forms.ChoiceField(label=_("training type"), choices=TrainingKind.choices)
    title = forms.CharField(label=_("course"), max_length=200)
    hours = forms.DecimalField(label=_("hours"), max_digits=6, decimal_places=1, min_value=0)
    held_on = forms.DateField(label=_("held on"), widget=DATE)
    provider = forms.CharField(label=_("provider"), max_length=120, required=False)
    passed = forms.BooleanField(label=_("passed"), required=False, initial=True)


class CertificateForm(forms.Form):
    kind = forms.ChoiceField(label=_("certificate type"), choices=CertificateKind.choices)
    category = forms.ChoiceField(label=_("work category"), required=False)
    item = forms.CharField(
        label=_("work item"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"list": "special-work-items"}),
    )
    number = forms.CharField(
        label=_("certificate number"),
        max_length=32,
        help_text=_("For a special-work certificate: the holder's identity card number."),
    )
    issuer = forms.CharField(label=_("issued by"), max_length=120, required=False)
    issued_on = forms.DateField(label=_("issued on"), widget=DATE)
    expires_on = forms.DateField(
        label=_("valid until"),
        required=False,
        widget=DATE,
        help_text=_("Blank: 6 years for a special-work certificate, else the default."),
    )
    review_due = forms.DateField(
        label=_("review due"),
        required=False,
        widget=DATE,
        help_text=_("Blank: 3 years after issue for a special-work certificate."),
    )
    extended_review = forms.BooleanField(
        label=_("review every 6 years (issuer's consent)"), required=False
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—")] + [(c, c) for c in categories]


STATUS_CHOICES = [
    ("", _("all")),
    (rules.EXPIRED, pgettext_lazy("certificate status", "expired")),
    (rules.REVIEW_DUE, pgettext_lazy("certificate status", "review due")),
    (rules.VALID, pgettext_lazy("certificate status", "valid")),
    (rules.REVOKED, pgettext_lazy("certificate status", "revoked")),
]


class CertificateFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=STATUS_CHOICES, required=False)
    kind = forms.ChoiceField(
        label=_("certificate type"),
        choices=[("", _("all")), *CertificateKind.choices],
        required=False,
    )
    category = forms.ChoiceField(label=_("work category"), required=False)
    q = forms.CharField(label=_("holder"), max_length=64, required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("all"))] + [(c, c) for c in categories]


class WorkerFilterForm(forms.Form):
    q = forms.CharField(label=_("name"), max_length=64, required=False)
    active = forms.ChoiceField(
        label=_("employed"),
        choices=[("1", _("employed")), ("0", _("left")), ("", _("all"))],
        required=False,
        initial="1",
    )


class CertificateReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("date of the review"), widget=DATE)
    passed = forms.TypedChoiceField(
        label=_("outcome of the review"),
        choices=[
            ("1", pgettext_lazy("certificate review", "passed")),
            ("0", pgettext_lazy("certificate review", "not passed")),
        ],
        widget=forms.RadioSelect,
        initial="1",
    )
    note = forms.CharField(
        label=_("note"),
        max_length=200,
        required=False,
        help_text=_("Required when the review was not passed: why."),
    )


class CertificateRevokeForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200)
