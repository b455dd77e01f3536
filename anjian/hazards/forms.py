"""Forms that render the hazard pages. They check only the shape of the input; the rules
(required five fixes, dates not in the past, who may decide major …) are the services',
whose errors are put back on these fields, so the page and the API say the same thing.

Each step of the workflow has one form class; `step_form(action)` picks it, and the
form's `service_data()` is the `data` mapping `services.hazard_act` takes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import reference
from . import workflow as wf
from .models import (
    Category,
    CheckKind,
    EvaluatorKind,
    Handling,
    HazardType,
    OccurrenceLink,
    Source,
    SuspensionScope,
    WorkersBody,
)
from .services import PLAN_PARTS, plan_part_labels

BLANK = [("", "---------")]
NOTE_ROWS = 3


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; on a phone `capture` opens the camera. The service
    checks each file's content (type and size), so this field only collects them."""

    def __init__(self, **kwargs: Any) -> None:
        attrs = {"accept": "image/png,image/jpeg,image/webp", "capture": "environment"}
        kwargs.setdefault("widget", MultiplePhotoInput(attrs=attrs))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [f for f in files if f]


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text_area(rows: int = NOTE_ROWS, **attrs: Any) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


def major_item_choices() -> list[tuple[str, Any]]:
    """The determination lists as grouped choices: the list's document, then its items
    with their article and number, so the user sees what they cite. Only items that may be
    chosen are offered (an item whose official text was not found is left out, and so is a
    list with none). Item texts are the official Chinese text, or the English gloss when
    English is active and the item has one."""
    out: list[tuple[str, Any]] = list(BLANK)
    selectable = reference.items()
    for lst in reference.lists():
        group = []
        for row in lst["items"]:
            item = selectable.get(row["id"])
            if item is None:
                continue
            text = " ".join(item.display_text().split())
            where = item.article_label
            if item.whole_article:
                label = f"{where} {text}"
            elif where:
                label = f"{where}（{item.number}）{text}"
            else:
                label = f"{item.number}. {text}"
            group.append((item.id, label[:160]))
        if group:
            out.append((f"{lst['title']}（{lst['document']}）", group))
    return out


class HazardForm(forms.Form):
    """Shared: the names the page shows as required, which fields span two columns, and
    the service mapping."""

    required_names: frozenset[str] = frozenset()
    wide_names: frozenset[str] = frozenset({"note"})
    photo_help = ""

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "photos"}
        for key, value in list(data.items()):
            if value is None:
                data[key] = ""
        return data

    def photos(self) -> list[Any]:
        return list(self.cleaned_data.get("photos") or [])


class ReportForm(HazardForm):
    name = forms.CharField(
        label=_("hazard name"),
        max_length=100,
        required=False,
        help_text=_("A short title; the description's first line when left empty."),
    )
    description = forms.CharField(
        label=_("What is wrong"),
        widget=_text_area(4, placeholder=_("e.g. the breather valve of tank 1 is blocked")),
        required=False,
    )
    location = forms.CharField(label=_("Where"), max_length=255, required=False)
    photos = PhotosField(
        label=_("Photos (before)"),
        help_text=_("PNG, JPEG or WebP, at most 10 MB each; on a phone this opens the camera."),
    )
    hazard_type = forms.ChoiceField(
        label=_("type"), choices=BLANK + HazardType.choices, required=False
    )
    category = forms.ChoiceField(
        label=_("category"), choices=BLANK + Category.choices, required=False
    )
    source = forms.ChoiceField(label=_("found by"), choices=BLANK + Source.choices, required=False)
    check_kind = forms.ChoiceField(
        label=_("kind of check"), choices=BLANK + CheckKind.choices, required=False
    )
    occurrence_link = forms.ChoiceField(
        label=_("stage where it occurred"), choices=BLANK + OccurrenceLink.choices, required=False
    )
    handling = forms.ChoiceField(
        label=_("handling"),
        choices=Handling.choices,
        initial=Handling.BY_DEADLINE,
        widget=forms.RadioSelect,
        required=False,
    )
    cause = forms.CharField(label=_("cause"), widget=_text_area(2), required=False)
    harm_analysis = forms.CharField(
        label=_("harm and difficulty of remedy"),
        widget=_text_area(2),
        required=False,
        help_text=_(
            "For a major hazard: how much harm it can do and how hard it is to remedy "
            "(part of the report to the supervising department, 16号令 第十四条)."
        ),
    )
    risk_unit_id = forms.ChoiceField(label=_("risk analysis unit"), required=False)
    major_item = forms.ChoiceField(
        label=_("matches an item of a determination list"),
        required=False,
        help_text=_("Choosing an item makes the hazard major and cites the item."),
    )
    major_reason = forms.CharField(
        label=_("major by decision: reason"),
        widget=_text_area(2),
        required=False,
        help_text=_("Only the lead department's officers or the safety committee office."),
    )
    note = forms.CharField(label=_("note"), widget=_text_area(2), required=False)

    required_names = frozenset({"description", "location", "hazard_type", "category", "source"})
    # A phone's first screen: the photo, what is wrong and where, and the two choices the
    # service cannot do without. The rest is folded under "more details"; `source` is
    # folded too, as it comes filled in (self-check for staff, inspection for officers).
    primary_names = ("photos", "description", "location", "hazard_type", "category")
    field_order = list(primary_names)
    wide_names = frozenset(
        {
            "description",
            "photos",
            "cause",
            "harm_analysis",
            "major_item",
            "major_reason",
            "note",
            "handling",
        }
    )

    def __init__(
        self, *args: Any, units=(), may_decide: bool = False, default_source="", **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["risk_unit_id"].choices = BLANK + [(str(u.pk), u.name) for u in units]
        self.fields["major_item"].choices = major_item_choices()
        if default_source and not self.is_bound:
            self.fields["source"].initial = default_source
        if not units:
            del self.fields["risk_unit_id"]
        if not may_decide:
            del self.fields["major_reason"]

    def primary_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name in self.primary_names]

    def more_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.primary_names]

    def more_open(self) -> bool:
        """The folded part opens when one of its fields has an error, so none is hidden."""
        return any(self[name].errors for name in self.fields if name not in self.primary_names)


class NoteForm(HazardForm):
    note = forms.CharField(label=_("note"), widget=_text_area(), required=False)

    def __init__(self, *args: Any, note_label=None, note_required: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if note_label:
            self.fields["note"].label = note_label
        if note_required:
            self.required_names = frozenset({"note"})


class FixOnSpotForm(NoteForm):
    photos = PhotosField(
        label=_("Photos (after)"), help_text=_("At least one photo of the fixed hazard.")
    )
    required_names = frozenset({"photos"})
    wide_names = frozenset({"note", "photos"})


class SubmitForm(HazardForm):
    note = forms.CharField(
        label=_("what was done (evidence)"), widget=_text_area(4), required=False
    )
    photos = PhotosField(label=_("Photos (after)"))
    no_photo_reason = forms.CharField(
        label=_("no photo because"),
        required=False,
        help_text=_("Only if there is no 'after' photo."),
    )
    required_names = frozenset({"note"})
    wide_names = frozenset({"note", "photos", "no_photo_reason"})


class MakeMajorForm(HazardForm):
    note = forms.CharField(
        label=_("reason for the determination"), widget=_text_area(), required=False
    )
    major_item = forms.ChoiceField(
        label=_("item of a determination list (optional)"), required=False
    )
    required_names = frozenset({"note"})
    wide_names = frozenset({"note", "major_item"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["major_item"].choices = major_item_choices()


class ListForm(HazardForm):
    deadline = forms.DateField(
        label=_("supervision deadline"), widget=_date_input(), required=False
    )
    notice = forms.CharField(
        label=_("public notice"),
        widget=_text_area(4),
        required=False,
        help_text=_("Published with the listing: the hazard, the deadline and who supervises it."),
    )
    note = forms.CharField(label=_("note"), widget=_text_area(2), required=False)
    required_names = frozenset({"deadline", "notice"})
    wide_names = frozenset({"notice", "note"})

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        if self.cleaned_data.get("deadline"):
            data["deadline"] = self.cleaned_data["deadline"].isoformat()
        return data


def _iso(data: dict[str, Any], cleaned: dict[str, Any], *names: str) -> dict[str, Any]:
    for name in names:
        if cleaned.get(name):
            data[name] = cleaned[name].isoformat()
    return data


class OrderForm(HazardForm):
    document_number = forms.CharField(
        label=_("document number of the order"), max_length=64, required=False
    )
    note = forms.CharField(label=_("what the order requires"), widget=_text_area(4), required=False)
    required_names = frozenset({"note"})
    wide_names = frozenset({"note"})


class WorkersReportForm(HazardForm):
    body = forms.ChoiceField(
        label=_("reported to"), choices=BLANK + WorkersBody.choices, required=False
    )
    reported_on = forms.DateField(label=_("reported on"), widget=_date_input(), required=False)
    note = forms.CharField(label=_("what was reported"), widget=_text_area(3), required=False)
    required_names = frozenset({"body", "reported_on", "note"})

    def service_data(self) -> dict[str, Any]:
        return _iso(super().service_data(), self.cleaned_data, "reported_on")


class SuspendForm(HazardForm):
    scope = forms.ChoiceField(
        label=_("what stops"), choices=BLANK + SuspensionScope.choices, required=False
    )
    part = forms.CharField(
        label=_("the part, facilities or equipment"), max_length=255, required=False
    )
    withdrawal = forms.CharField(
        label=_("people withdrawn, others moved away, warnings set"),
        widget=_text_area(3),
        required=False,
    )
    note = forms.CharField(label=_("note"), widget=_text_area(2), required=False)
    required_names = frozenset({"scope", "withdrawal"})
    wide_names = frozenset({"withdrawal", "note"})


class EvaluateForm(HazardForm):
    evaluator_kind = forms.ChoiceField(
        label=_("evaluated by"), choices=BLANK + EvaluatorKind.choices, required=False
    )
    evaluator = forms.CharField(
        label=_("names of the experts or the body"), max_length=255, required=False
    )
    evaluated_on = forms.DateField(label=_("evaluated on"), widget=_date_input(), required=False)
    conclusion = forms.CharField(label=_("conclusion"), widget=_text_area(3), required=False)
    note = forms.CharField(label=_("note"), widget=_text_area(2), required=False)
    required_names = frozenset({"evaluator_kind", "evaluator", "evaluated_on", "conclusion"})
    wide_names = frozenset({"conclusion", "note"})

    def service_data(self) -> dict[str, Any]:
        return _iso(super().service_data(), self.cleaned_data, "evaluated_on")


class ApplyResumeForm(HazardForm):
    application = forms.CharField(
        label=_("written application to resume"),
        widget=_text_area(5),
        required=False,
        help_text=_(
            "What was done under the remediation plan and the evaluation's result; the "
            "reviewing authority reviews on site within 10 days."
        ),
    )
    note = forms.CharField(label=_("note"), widget=_text_area(2), required=False)
    required_names = frozenset({"application"})
    wide_names = frozenset({"application", "note"})


class ReviewForm(HazardForm):
    reviewed_on = forms.DateField(
        label=_("reviewed on site on"), widget=_date_input(), required=False
    )
    note = forms.CharField(label=_("findings"), widget=_text_area(4), required=False)
    required_names = frozenset({"note"})
    wide_names = frozenset({"note"})

    def __init__(self, *args: Any, note_label=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if note_label:
            self.fields["note"].label = note_label

    def service_data(self) -> dict[str, Any]:
        return _iso(super().service_data(), self.cleaned_data, "reviewed_on")


class ReopenForm(HazardForm):
    note = forms.CharField(label=_("reason for reopening"), widget=_text_area(3), required=False)
    deadline = forms.DateField(label=_("new deadline"), widget=_date_input(), required=False)
    required_names = frozenset({"note", "deadline"})
    wide_names = frozenset({"note"})

    def service_data(self) -> dict[str, Any]:
        return _iso(super().service_data(), self.cleaned_data, "deadline")


class FiveFixesForm(HazardForm):
    owner = forms.CharField(label=_("person responsible (owner)"), max_length=64, required=False)
    funds = forms.CharField(
        label=_("funds (yuan)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    measures = forms.CharField(
        label=_("rectification measures"), widget=_text_area(3), required=False
    )
    deadline = forms.DateField(label=_("deadline"), widget=_date_input(), required=False)
    contingency_plan = forms.CharField(
        label=_("contingency plan until fixed"), widget=_text_area(3), required=False
    )
    note = forms.CharField(label=_("note"), widget=_text_area(2), required=False)
    required_names = frozenset({"owner", "measures", "funds", "deadline", "contingency_plan"})

    def __init__(self, *args: Any, major: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.major = major
        wide = {"measures", "contingency_plan", "note"}
        if major:
            labels = plan_part_labels()
            for part in PLAN_PARTS:
                name = f"plan_{part}"
                self.fields[name] = forms.CharField(
                    label=_("remediation plan: %(part)s") % {"part": labels[part]},
                    widget=_text_area(2),
                    required=False,
                )
                wide.add(name)
            self.required_names = self.required_names | {f"plan_{p}" for p in PLAN_PARTS}
        self.wide_names = frozenset(wide)

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        if self.cleaned_data.get("deadline"):
            data["deadline"] = self.cleaned_data["deadline"].isoformat()
        plan = {p: data.pop(f"plan_{p}") for p in PLAN_PARTS if f"plan_{p}" in data}
        if self.major:
            data["plan"] = plan
        return data


class AccountabilityForm(HazardForm):
    findings = forms.CharField(label=_("findings"), widget=_text_area(4), required=False)
    persons = forms.CharField(
        label=_("persons held accountable"),
        widget=_text_area(3, placeholder=_("one per line: name, position, measure")),
        required=False,
        help_text=_(
            "One per line: name, position, measure (separated by commas). Leave empty if nobody is at fault."
        ),
    )
    reviewed_on = forms.DateField(label=_("reviewed on"), widget=_date_input(), required=False)
    note = forms.CharField(label=_("note"), widget=_text_area(2), required=False)
    required_names = frozenset({"findings"})
    wide_names = frozenset({"findings", "persons", "note"})

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        people = []
        for line in (data.pop("persons") or "").splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            parts += [""] * (3 - len(parts))
            people.append(
                {"name": parts[0], "position": parts[1], "measure": ",".join(parts[2:]).strip(",")}
            )
        data["persons_accountable"] = people
        if self.cleaned_data.get("reviewed_on"):
            data["reviewed_on"] = self.cleaned_data["reviewed_on"].isoformat()
        return data

    @staticmethod
    def field_for(key: str) -> str:
        return "persons" if key == "persons_accountable" else key


NOTE_LABELS = {
    wf.CONFIRM_MAJOR: (_("expert opinion"), True),
    wf.DISMISS_MAJOR: (_("why it is not major"), True),
    wf.START_RECTIFICATION: (_("note"), False),
    wf.ACCEPT: (_("acceptance comment"), False),
    wf.REJECT: (_("reasons for rejecting"), True),
    wf.RESUME: (_("why safety is ensured now"), True),
}


def step_form(action: str, *args: Any, hazard=None, **kwargs: Any) -> HazardForm:
    if action in (wf.SET_FIVE_FIXES, wf.SET_PLAN):
        return FiveFixesForm(*args, major=bool(hazard and hazard.is_major), **kwargs)
    simple = {
        wf.ORDER: OrderForm,
        wf.REPORT_TO_WORKERS: WorkersReportForm,
        wf.SUSPEND: SuspendForm,
        wf.EVALUATE: EvaluateForm,
        wf.APPLY_RESUME: ApplyResumeForm,
        wf.REOPEN: ReopenForm,
    }
    if action in simple:
        return simple[action](*args, **kwargs)
    if action in (wf.REVIEW_PASS, wf.REVIEW_FAIL):
        label = (
            _("findings of the on-site review")
            if action == wf.REVIEW_PASS
            else _("why the review failed")
        )
        return ReviewForm(*args, note_label=label, **kwargs)
    if action == wf.SUBMIT:
        return SubmitForm(*args, **kwargs)
    if action == wf.FIX_ON_SPOT:
        return FixOnSpotForm(*args, **kwargs)
    if action == wf.MAKE_MAJOR:
        return MakeMajorForm(*args, **kwargs)
    if action == wf.LIST:
        return ListForm(*args, **kwargs)
    if action == wf.ACCOUNTABILITY_REVIEW:
        return AccountabilityForm(*args, **kwargs)
    label, required = NOTE_LABELS.get(action, (None, False))
    return NoteForm(*args, note_label=label, note_required=required, **kwargs)


def field_for(form: HazardForm, key: str) -> str:
    """Where a service error key goes on the form ("plan.targets" → "plan_targets")."""
    if key.startswith("plan."):
        return "plan_" + key.split(".", 1)[1]
    if key == "persons_accountable":
        return "persons"
    return key
