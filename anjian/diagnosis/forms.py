"""The scoring form: one deduction input per scored item of the guide (with its points
shown), a checkbox per direct-red situation, the date and notes.

The form only carries text; the service checks every value (a number, not negative, not
above the item's points, at most two decimals) and its messages are put back on the
fields, so the page and the API say the same thing.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import scoring


def chinese() -> bool:
    return not (get_language() or "").startswith("en")


def deduction_field(code: str) -> str:
    return f"d_{code}"


def situation_field(code: str) -> str:
    return f"r_{code}"


class DiagnosisForm(forms.Form):
    diagnosed_on = forms.CharField(
        label=_("Date of the diagnosis"),
        required=False,
        max_length=32,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who took part, documents seen, what to follow up."),
    )

    def __init__(self, *args: Any, guide: scoring.Guide, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"diagnosed_on": timezone.localdate().isoformat()})
        super().__init__(*args, **kwargs)
        self.guide = guide
        zh = chinese()
        for item in guide.scored_items:
            self.fields[deduction_field(item.code)] = forms.CharField(
                label=item.name if zh else item.name_en,
                required=False,
                max_length=32,
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal",
                        "autocomplete": "off",
                        "placeholder": "0",
                        "class": "deduction-input",
                        "data-max": scoring.number_text(item.max_deduction),
                    }
                ),
            )
        for situation in guide.verified_situations:
            self.fields[situation_field(situation.code)] = forms.BooleanField(
                label=situation.text if zh else situation.text_en,
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "direct-red-input"}),
            )

    # --- what the template walks -----------------------------------------------------------

    def groups(self) -> list[dict[str, Any]]:
        """The guide's categories with their items, each scored item with its bound field."""
        zh = chinese()
        out = []
        for number, name, name_en, items in self.guide.categories:
            rows = []
            for item in items:
                rows.append(
                    {
                        "item": item,
                        "name": item.name if zh else item.name_en,
                        "field": self[deduction_field(item.code)] if item.scored else None,
                        "max": scoring.number_text(item.max_deduction)
                        if item.max_deduction is not None
                        else "",
                    }
                )
            out.append({"number": number, "name": name if zh else name_en, "items": rows})
        return out

    def situation_fields(self) -> list[forms.BoundField]:
        return [self[situation_field(s.code)] for s in self.guide.verified_situations]

    def bands_json(self) -> str:
        return json.dumps(
            {
                "total": scoring.number_text(self.guide.total),
                "bands": [b.as_dict() for b in self.guide.bands],
            }
        )

    # --- to the service ---------------------------------------------------------------------

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "diagnosed_on": data.get("diagnosed_on") or "",
            "deductions": {
                item.code: data.get(deduction_field(item.code)) or ""
                for item in self.guide.scored_items
            },
            "direct_red": [
                s.code for s in self.guide.verified_situations if data.get(situation_field(s.code))
            ],
            "notes": data.get("notes") or "",
        }

    @staticmethod
    def field_for(key: str) -> str | None:
        """The form field of a service error key (None: shown at the top of the form)."""
        if key.startswith("deductions."):
            return deduction_field(key.split(".", 1)[1])
        if key in {"diagnosed_on", "notes"}:
            return key
        return None

    def put_errors(self, errors: dict[str, list[str]]) -> None:
        for key, texts in errors.items():
            name = self.field_for(key)
            if name is not None and name not in self.fields:
                name = None
            for text in texts:
                self.add_error(name, text)
