"""Forms that render the risk pages. Like the registry forms they check only the shape of
the input (a choice is one of the listed ones, a number parses); the business rules are
the services' (anjian.risks.services), whose errors are put back on these forms, so a
user reads the same message on a page and in the API.

Factor meanings are the wording of the standards (shared/domain/standards.md A1.1, A2,
A3) in Chinese with an English gloss, picked by the active language like the domain
labels of safety_code.TERM_LABELS: they are the field's vocabulary, not UI chrome.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import methods
from .models import ControlLevel, CycleUnit, MajorHazardInstallation, MeasureClass, ObjectKind
from .reference import hazard_factors

BLANK = [("", "---------")]


def chinese() -> bool:
    return not (get_language() or "").startswith("en")


def pick(pair: tuple[str, str]) -> str:
    return pair[0] if chinese() else pair[1]


# --- factor tables with their meanings -----------------------------------------------------

FACTOR_MEANINGS: dict[str, dict[str, dict[str, tuple[str, str]]]] = {
    "lec": {
        # A1.1 [S3][S4][S5]
        "L": {
            "10": ("完全可以预料", "fully expected"),
            "6": ("相当可能", "quite possible"),
            "3": ("可能，但不经常", "possible but unusual"),
            "1": ("可能性小，完全意外", "unlikely, a coincidence"),
            "0.5": ("很不可能，可以设想", "very unlikely, conceivable"),
            "0.2": ("极不可能", "extremely unlikely"),
            "0.1": ("实际不可能", "practically impossible"),
        },
        "E": {
            "10": ("连续暴露", "continuous"),
            "6": ("每天工作时间内暴露", "daily, in working hours"),
            "3": ("每周一次，或偶然暴露", "weekly or occasionally"),
            "2": ("每月一次暴露", "monthly"),
            "1": ("每年几次暴露", "a few times a year"),
            "0.5": ("非常罕见地暴露", "very rarely"),
        },
        "C": {
            "100": ("大灾难，许多人死亡", "catastrophe, many deaths"),
            "40": ("灾难，数人死亡", "disaster, several deaths"),
            "15": ("非常严重，一人死亡", "very serious, one death"),
            "7": ("严重，重伤", "serious, serious injury"),
            "3": ("重大，致残", "important, disability"),
            "1": ("引人注目，需要救护", "noticeable, first aid"),
        },
    },
    "ls": {
        # A2.1 short form [S9] with the frequency wording of [S10]
        "L": {
            "5": (
                "极有可能：无防范、监测措施，或常态下经常发生",
                "almost certain: no prevention or monitoring, or routine",
            ),
            "4": (
                "很可能：措施未有效执行或不当，或在预期情况下发生",
                "likely: controls not effectively executed or improper",
            ),
            "3": (
                "可能：无防护措施或未严格执行规程，或以前发生过",
                "possible: no guards or PPE, procedures not strictly followed",
            ),
            "2": (
                "较不可能：危害能及时发现，措施有效执行，偶尔发生",
                "unlikely: detected promptly, effective controls, occasional",
            ),
            "1": (
                "基本不可能：防范、控制、监测措施完善有效",
                "rare: full, effective prevention and monitoring",
            ),
        },
        # A2.2 [S9]
        "S": {
            "5": (
                "死亡；违反法律法规；损失100万元以上",
                "death; breaks the law; loss ≥ 1 million yuan",
            ),
            "4": (
                "丧失劳动能力；潜在违反法规；损失50万元以上",
                "permanent disability; potential breach; loss ≥ 500,000 yuan",
            ),
            "3": (
                "截肢、骨折、听力丧失、慢性病；损失1万元以上",
                "amputation, fracture, hearing loss; loss ≥ 10,000 yuan",
            ),
            "2": ("轻微受伤、间歇不舒服；损失1万元以下", "minor injury; loss < 10,000 yuan"),
            "1": ("完全符合；无伤亡；无损失", "compliant; no injury; no loss"),
        },
    },
    "mes": {
        # A3 [S12]
        "M": {
            "5": ("无控制措施", "no control measures"),
            "3": (
                "有减轻后果的应急措施（报警系统、个体防护用品）",
                "emergency measures that reduce consequences (alarms, PPE)",
            ),
            "1": ("有预防措施（如机械防护装置），且有效", "effective preventive measures (guards)"),
        },
        "E": {
            "10": ("连续暴露／常态", "continuous"),
            "6": ("每天工作时间内暴露", "daily, in working hours"),
            "3": ("每周一次或偶然", "weekly or occasionally"),
            "2": ("每月一次", "monthly"),
            "1": ("每年几次", "a few times a year"),
            "0.5": ("更少", "less often"),
        },
        # UNCONFIRMED in standards.md A3 (see methods.MES_S).
        "S": {
            "10": ("多人死亡", "several deaths"),
            "8": ("一人死亡或多人永久失能", "one death or several permanent disabilities"),
            "4": ("永久失能", "permanent disability"),
            "2": ("需医院治疗、缺工", "hospital treatment, lost time"),
            "1": ("轻微，仅需急救", "minor, first aid only"),
        },
    },
}

FACTOR_TITLES: dict[str, dict[str, Any]] = {
    "lec": {
        "L": _("L · likelihood of an accident"),
        "E": _("E · exposure frequency"),
        "C": _("C · consequence"),
    },
    "ls": {"L": _("L · likelihood"), "S": _("S · severity")},
    "mes": {
        "M": _("M · state of control measures"),
        "E": _("E · exposure frequency"),
        "S": _("S · consequence"),
    },
}
METHOD_CHOICES = [
    ("lec", _("LEC: D = L × E × C")),
    ("ls", _("LS risk matrix: R = L × S")),
    ("mes", _("MES: R = M × E × S")),
]


def factor_choices(method: str, factor: str) -> list[tuple[str, str]]:
    meanings = FACTOR_MEANINGS[method][factor]
    rows = []
    for value in methods.FACTORS[method][factor]:
        text = methods.render_number(value)
        meaning = meanings.get(text)
        rows.append((text, f"{text} — {pick(meaning)}" if meaning else text))
    return [*BLANK, *rows]


def profile_choices(method: str) -> list[tuple[str, str]]:
    return [(p.name, p.title or p.name) for p in methods.profiles(method)]


def default_profile(method: str) -> str:
    return methods.get_profile(method).name


def hazard_factor_choices() -> list[tuple[str, str]]:
    zh = chinese()
    return [(f["code"], f["name"] if zh else f.get("name_en", f["name"])) for f in hazard_factors()]


def _text_field(label, max_length: int, **extra) -> forms.CharField:
    # Not required here: the service says what is missing, in the same words as the API.
    return forms.CharField(label=label, required=False, max_length=max_length + 50, **extra)


# --- objects and units ------------------------------------------------------------------------


class RiskObjectForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=BLANK + ObjectKind.choices, required=False)
    name = _text_field(_("name"), 128)
    installation_id = forms.ChoiceField(
        label=_("major hazard installation"), required=False, choices=BLANK
    )

    required_names = ("kind", "name")
    wide_names = ("name",)

    def __init__(self, *args, enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["installation_id"].choices = BLANK + [
            (str(i.pk), i.name) for i in enterprise.major_hazards.order_by("name")
        ]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        installation = data.get("installation_id")
        return {
            "kind": data.get("kind") or "",
            "name": data.get("name") or "",
            "installation_id": int(installation) if installation else None,
        }


class RiskUnitForm(forms.Form):
    name = _text_field(_("name"), 128)
    risk_object_id = forms.ChoiceField(
        label=_("risk analysis object"), required=False, choices=BLANK
    )
    responsible_department = _text_field(_("responsible department"), 64)
    responsible_person = _text_field(_("responsible person"), 64)
    control_level = forms.ChoiceField(
        label=_("control level"), required=False, choices=BLANK + ControlLevel.choices
    )
    hazard_factors = forms.MultipleChoiceField(
        label=_("hazard factors"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Factors that combine (e.g. dust and hot work) raise the unit's colour."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    required_names = (
        "name",
        "risk_object_id",
        "responsible_department",
        "responsible_person",
        "control_level",
    )
    wide_names = ("name", "risk_object_id")

    def __init__(self, *args, enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_object_id"].choices = BLANK + [
            (str(o.pk), f"{o.name}（{o.get_kind_display()}）")
            for o in enterprise.risk_objects.order_by("name")
        ]
        self.fields["hazard_factors"].choices = hazard_factor_choices()

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data.get("name") or "",
            "risk_object_id": data.get("risk_object_id") or None,
            "responsible_department": data.get("responsible_department") or "",
            "responsible_person": data.get("responsible_person") or "",
            "control_level": data.get("control_level") or "",
            "hazard_factors": list(data.get("hazard_factors") or []),
        }


# --- assessment -------------------------------------------------------------------------------


class AssessmentForm(forms.Form):
    """One fieldset per method (its factors and its profile); the page shows the chosen
    method's fieldset, and without JavaScript all three, each titled."""

    method = forms.ChoiceField(label=_("method"), choices=METHOD_CHOICES, initial="lec")
    note = _text_field(_("note"), 255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for method, factors in methods.FACTORS.items():
            for factor in factors:
                self.fields[f"{method}_{factor}"] = forms.ChoiceField(
                    label=FACTOR_TITLES[method][factor],
                    required=False,
                    choices=factor_choices(method, factor),
                )
            self.fields[f"{method}_profile"] = forms.ChoiceField(
                label=_("grading profile"),
                required=False,
                choices=profile_choices(method),
                initial=default_profile(method),
                help_text=_(
                    "The published sources disagree on band edges; the profile is named beside the result."
                ),
            )

    def method_groups(self) -> list[dict[str, Any]]:
        labels = dict(METHOD_CHOICES)
        return [
            {
                "method": method,
                "title": labels[method],
                "fields": [self[f"{method}_{factor}"] for factor in factors]
                + [self[f"{method}_profile"]],
                "unconfirmed": method == "mes",
            }
            for method, factors in methods.FACTORS.items()
        ]

    def selected_method(self) -> str:
        if self.is_bound:
            value = self.data.get("method")
            return value if value in methods.FACTORS else "lec"
        return "lec"

    def service_args(self) -> dict[str, Any]:
        data = self.cleaned_data
        method = data["method"]
        return {
            "method": method,
            "inputs": {f: data.get(f"{method}_{f}") or "" for f in methods.FACTORS[method]},
            "profile": data.get(f"{method}_profile") or None,
            "note": data.get("note") or "",
        }

    def error_field(self, key: str) -> str | None:
        """Where a service error about `key` (L, E, C, S, M, profile) goes on this form."""
        method = self.cleaned_data.get("method") if hasattr(self, "cleaned_data") else None
        if key in ("method", "note"):
            return key
        if method and f"{method}_{key}" in self.fields:
            return f"{method}_{key}"
        return None


# --- events and measures --------------------------------------------------------------------


class RiskEventForm(forms.Form):
    name = _text_field(_("risk event"), 128)
    required_names = ("name",)
    wide_names = ("name",)

    def service_data(self) -> dict[str, Any]:
        return {"name": self.cleaned_data.get("name") or ""}


class ControlMeasureForm(forms.Form):
    description = _text_field(_("measure"), 255)
    classification = forms.ChoiceField(
        label=_("classification"), required=False, choices=BLANK + MeasureClass.choices
    )
    data_source = _text_field(_("how it is controlled"), 64)
    check_content = _text_field(
        _("check item"),
        255,
        help_text=_("What the hazard check looks at; it becomes a check task."),
    )
    cycle = forms.CharField(label=_("cycle"), required=False, max_length=8)
    cycle_unit = forms.ChoiceField(
        label=_("cycle unit"), required=False, choices=BLANK + CycleUnit.choices
    )
    responsible_person = _text_field(_("responsible person"), 64)

    required_names = (
        "description",
        "classification",
        "check_content",
        "cycle",
        "cycle_unit",
        "responsible_person",
    )
    wide_names = ("description", "check_content")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].widget.attrs.update({"inputmode": "numeric"})

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data.get(name) or ""
            for name in (
                "description",
                "classification",
                "data_source",
                "check_content",
                "cycle",
                "cycle_unit",
                "responsible_person",
            )
        }


# --- site plan and areas --------------------------------------------------------------------


class SitePlanForm(forms.Form):
    image = forms.FileField(
        label=_("site plan image"),
        help_text=_("A PNG or JPEG of the site plan, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    required_names = ("image",)
    wide_names = ("image",)


NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
PAIR = re.compile(rf"({NUMBER})\s*[,，\s]\s*({NUMBER})")


def parse_points(text: str) -> list[list[float]] | None:
    """Points typed as JSON ([[0.1, 0.2], …]) or as pairs "x, y" separated by new lines or
    semicolons. None when the text cannot be read (the service checks the ranges)."""
    text = (text or "").strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            value = json.loads(text)
        except ValueError:
            return None
        return value if isinstance(value, list) else None
    points = []
    for chunk in re.split(r"[;；\n]+", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        match = PAIR.fullmatch(chunk)
        if not match:
            return None
        points.append([float(match.group(1)), float(match.group(2))])
    return points


class UnitAreaForm(forms.Form):
    area = forms.CharField(
        label=_("points on the site plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_(
            'Click the plan to add points, or type them: one "x, y" pair per line, each '
            "between 0 and 1 of the image's width and height. Leave empty to remove the area."
        ),
    )

    def clean_area(self):
        points = parse_points(self.cleaned_data.get("area", ""))
        if points is None:
            raise forms.ValidationError(
                _('Write the points as "x, y" pairs, one per line, or as a JSON list.')
            )
        return points


# --- major hazard installations -----------------------------------------------------------------


class InstallationForm(forms.Form):
    name = _text_field(_("name"), 128)
    code = _text_field(_("filing code"), 64)
    unit_kind = forms.ChoiceField(
        label=_("unit kind"),
        required=False,
        choices=BLANK + MajorHazardInstallation.UnitKind.choices,
    )
    people_500m = forms.CharField(
        label=_("people within 500 m"),
        required=False,
        max_length=12,
        initial="0",
        help_text=_("Residents within 500 m of the site boundary; sets α (GB 18218)."),
    )
    principal_person = _text_field(_("principal responsible person"), 64)
    technical_person = _text_field(_("technical responsible person"), 64)
    operational_person = _text_field(_("operational responsible person"), 64)

    required_names = (
        "name",
        "unit_kind",
        "people_500m",
        "principal_person",
        "technical_person",
        "operational_person",
    )
    wide_names = ("name",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people_500m"].widget.attrs.update({"inputmode": "numeric"})

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data.get(name) or ""
            for name in (
                "name",
                "code",
                "unit_kind",
                "principal_person",
                "technical_person",
                "operational_person",
            )
        } | {"people_500m": (data.get("people_500m") or "").strip() or "0"}


class SubstanceRowForm(forms.Form):
    substance = forms.CharField(label=_("substance or CAS number"), required=False, max_length=64)
    quantity = forms.CharField(label=_("q (t)"), required=False, max_length=32)
    critical_quantity = forms.CharField(label=_("Q (t), optional"), required=False, max_length=32)
    beta = forms.CharField(label=_("β, optional"), required=False, max_length=32)

    def clean(self):
        data = super().clean()
        name = (data.get("substance") or "").strip()
        others = any((data.get(k) or "").strip() for k in ("quantity", "critical_quantity", "beta"))
        if others and not name:
            self.add_error("substance", _("Name the substance or give its CAS number."))
        if name and not (data.get("quantity") or "").strip():
            self.add_error("quantity", _("Give the quantity q in tonnes."))
        return data

    def row(self) -> dict[str, str] | None:
        data = getattr(self, "cleaned_data", {})
        name = (data.get("substance") or "").strip()
        if not name:
            return None
        return {
            "substance": name,
            "quantity": (data.get("quantity") or "").strip(),
            "critical_quantity": (data.get("critical_quantity") or "").strip() or None,
            "beta": (data.get("beta") or "").strip() or None,
        }


def substance_formset(data=None, *, initial=None):
    """Existing rows plus blank ones (five on a new installation, two on an edit)."""
    initial = list(initial or [])
    cls = forms.formset_factory(
        SubstanceRowForm, extra=2 if initial else 5, max_num=50, absolute_max=60
    )
    return cls(data, initial=initial or None, prefix="substances")


# --- regulator lists ------------------------------------------------------------------------------


CLASS_CHOICES = [
    ("red", _("Red")),
    ("orange", _("Orange")),
    ("yellow", _("Yellow")),
    ("blue", _("Blue")),
]


class SupervisionFilterForm(forms.Form):
    q = forms.CharField(
        label=_("name or credit code"),
        required=False,
        max_length=64,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Search by name or credit code")}
        ),
    )
    cls = forms.ChoiceField(
        label=_("supervision class"),
        required=False,
        choices=[("", _("all classes")), *CLASS_CHOICES],
    )
    profile = forms.ChoiceField(label=_("supervision profile"), required=False)

    def __init__(self, *args, **kwargs):
        from . import supervision

        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = [(n, n) for n in supervision.profile_names()]
        self.fields["profile"].initial = supervision.default_profile()
