"""The alarm list (filters: state, level, enterprise, point kind, since; paged) and an
alarm's detail with its history and the steps open to the user as forms: acknowledge,
handle (what was done, an evidence photo), close. Each form calls one service with the
version the user read; a stale form is refused with "somebody else moved it first"."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anjian.core import uploads
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

from .. import boards, services
from .. import workflow as wf
from ..models import Alarm, AlarmLevel, AlarmState, PointKind
from ..models.alarms import OPEN_ALARM_STATES
from . import require_monitoring

PAGE_SIZE = 50
BIG = {"style": "font-size:16px"}


class AlarmFilters(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("state"),
        required=False,
        choices=[
            ("open", pgettext_lazy("alarm state", "open")),
            ("", gettext_lazy("every state")),
            *AlarmState.choices,
        ],
        widget=forms.Select(attrs=BIG),
    )
    level = forms.ChoiceField(
        label=gettext_lazy("alarm level"),
        required=False,
        choices=[("", gettext_lazy("every level")), *AlarmLevel.choices],
        widget=forms.Select(attrs=BIG),
    )
    enterprise = forms.TypedChoiceField(
        label=gettext_lazy("enterprise"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs=BIG),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("point kind"),
        required=False,
        choices=[("", gettext_lazy("every kind")), *PointKind.choices],
        widget=forms.Select(attrs=BIG),
    )
    since = forms.DateField(
        label=gettext_lazy("raised since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", **BIG}),
    )

    def __init__(self, *args, enterprises=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].choices = [("", _("every enterprise"))] + [
            (e.pk, e.name) for e in enterprises
        ]


def _filtered(user, form: AlarmFilters):
    qs = services.visible_alarms(user).select_related("point", "enterprise")
    data = form.cleaned_data if form.is_valid() else {"state": "open"}
    state = data.get("state")
    if state == "open":
        qs = qs.filter(state__in=OPEN_ALARM_STATES)
    elif state:
        qs = qs.filter(state=state)
    if data.get("level"):
        qs = qs.filter(level=data["level"])
    if data.get("enterprise"):
        qs = qs.filter(enterprise_id=data["enterprise"])
    if data.get("kind"):
        qs = qs.filter(point__kind=data["kind"])
    if data.get("since"):
        start = dt.datetime.combine(
            data["since"], dt.time.min, tzinfo=timezone.get_current_timezone()
        )
        qs = qs.filter(raised_at__gte=start)
    return qs.order_by("-raised_at", "-pk")


@login_required
@require_GET
def alarm_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_monitoring(user)
    params = request.GET.copy()
    if "state" not in params:
        params["state"] = "open"
    form = AlarmFilters(params, enterprises=list(boards.alarm_enterprises(user)))
    page = Paginator(_filtered(user, form), PAGE_SIZE).get_page(request.GET.get("page"))
    alarms = list(page.object_list)
    for a in alarms:
        a.condition_text = boards.condition_label(a.condition, a.setpoint)
    return render(
        request,
        "monitoring/alarm_list.html",
        {
            "form": form,
            "page": page,
            "alarms": alarms,
            "state_labels": services.state_labels(),
        },
    )


# ------------------------------------------------------------------ detail and actions


class AcknowledgeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=gettext_lazy("note"),
        required=False,
        max_length=services.HANDLING_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2, **BIG}),
    )


class HandleForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    handling = forms.CharField(
        label=gettext_lazy("what was done"),
        required=False,  # the service says what is missing, in its own words
        widget=forms.Textarea(attrs={"rows": 4, **BIG}),
    )
    photo = forms.FileField(
        label=gettext_lazy("evidence photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", **BIG}),
    )


class CloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=gettext_lazy("note"),
        required=False,
        max_length=services.HANDLING_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2, **BIG}),
    )


FORMS = {wf.ACKNOWLEDGE: AcknowledgeForm, wf.HANDLE: HandleForm, wf.CLOSE: CloseForm}


def _load(request: HttpRequest, pk: int) -> Alarm:
    require_monitoring(request.user)
    alarm = (
        services.visible_alarms(request.user)
        .select_related(
            "point",
            "point__installation",
            "point__risk_unit",
            "enterprise",
            "acknowledged_by",
            "handled_by",
            "closed_by",
        )
        .filter(pk=pk)
        .first()
    )
    if alarm is None:
        raise Http404(_("No such alarm in your scope."))
    return alarm


def _render_detail(request: HttpRequest, alarm: Alarm, bound=None, status=200) -> HttpResponse:
    user = request.user
    labels = services.action_labels()
    actions = []
    for action in services.available_actions(user, alarm):
        if bound is not None and bound[0] == action:
            form = bound[1]
        else:
            form = FORMS[action](initial={"version": alarm.version}, prefix=action)
        actions.append({"action": action, "label": labels[action], "form": form})
    refusal = getattr(bound[1], "refusal", None) if bound is not None else None
    events = list(alarm.events.select_related("actor").order_by("at", "pk"))
    state_names = services.state_labels()
    return render(
        request,
        "monitoring/alarm_detail.html",
        {
            "alarm": alarm,
            "condition": boards.condition_label(alarm.condition, alarm.setpoint),
            "actions": actions,
            "events": events,
            "action_labels": {**labels, **_event_labels()},
            "state_labels": state_names,
            "refusal": refusal,
        },
        status=status,
    )


def _event_labels() -> dict[str, str]:
    return {
        "raise": _("raised by the engine"),
        "clear": _("cleared by the engine"),
        "escalate": _("escalated"),
        "hazard": _("hazard opened"),
    }


@login_required
@require_GET
def alarm_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _load(request, pk))


@login_required
@require_POST
def alarm_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    alarm = _load(request, pk)
    if action not in FORMS:
        raise Http404(_("No such step."))
    form = FORMS[action](request.POST, request.FILES, prefix=action)
    if not form.is_valid():
        return _render_detail(request, alarm, (action, form), status=422)
    actor = Actor.for_user(request.user, "web")
    version = form.cleaned_data["version"]
    try:
        if action == wf.ACKNOWLEDGE:
            services.alarm_acknowledge(
                actor=actor,
                alarm_id=alarm.pk,
                expected_version=version,
                note=form.cleaned_data["note"],
            )
        elif action == wf.HANDLE:
            services.alarm_handle(
                actor=actor,
                alarm_id=alarm.pk,
                expected_version=version,
                handling=form.cleaned_data["handling"],
                photo=form.cleaned_data["photo"],
            )
        else:
            services.alarm_close(
                actor=actor,
                alarm_id=alarm.pk,
                expected_version=version,
                note=form.cleaned_data["note"],
            )
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except ValidationFailed as exc:
        for name, errors in exc.errors.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
        return _render_detail(request, alarm, (action, form), status=422)
    except (Conflict, Forbidden) as exc:
        # Shown over a fresh form at the version now stored, keeping what was typed.
        fresh = _load(request, pk)
        kept = {k: v for k, v in form.cleaned_data.items() if k in ("note", "handling")}
        again = FORMS[action](initial={**kept, "version": fresh.version}, prefix=action)
        again.refusal = str(exc)
        status = 403 if isinstance(exc, Forbidden) else 409
        return _render_detail(request, fresh, (action, again), status=status)
    target = wf.step(alarm.state, action)
    if target is not None:
        messages.success(
            request,
            _("Saved: the alarm is now %(state)s.")
            % {"state": services.state_labels()[target.target]},
        )
    return redirect("monitoring:alarm", alarm.pk)


@login_required
@require_http_methods(["GET", "HEAD"])
def alarm_photo(request: HttpRequest, pk: int) -> HttpResponse:
    alarm = _load(request, pk)
    if not alarm.photo:
        raise Http404(_("Not found."))
    return uploads.serve_file(request, alarm.photo, download_name=f"alarm-{alarm.pk}")
