"""Forms of the dispatch pages: they only carry what the user typed; the services check
it (field messages come back as ValidationFailed and are put on the fields)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import policy
from .models import DispatchForm

NUMBER = {"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}


class ItemsForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    notes = forms.CharField(
        label=DispatchForm._meta.get_field("notes").verbose_name,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for name in policy.COUNT_ITEMS:
            fields[name] = forms.CharField(
                label=DispatchForm._meta.get_field(name).verbose_name,
                required=False,
                widget=forms.TextInput(attrs=NUMBER),
            )
        fields["investment"] = forms.CharField(
            label=DispatchForm._meta.get_field("investment").verbose_name,
            required=False,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        )
        # Items first, then the notes; the version stays hidden.
        self.fields = {**fields, "notes": self.fields["notes"], "version": self.fields["version"]}

    @classmethod
    def for_form(cls, form: DispatchForm) -> ItemsForm:
        initial = {k: "" if v is None else v for k, v in form.figures().items()}
        initial.update(notes=form.notes, version=form.version)
        return cls(initial=initial)


class ReturnForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("reason for return"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
