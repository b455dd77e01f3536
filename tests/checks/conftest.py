"""Check tasks to self-check, made through the risk services as an enterprise makes them."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from anjian.checks import services
from anjian.core.audit import Actor
from anjian.risks import services as risk_services
from anjian.risks.models import CheckTask

SH = ZoneInfo("Asia/Shanghai")


def actor(world, name: str) -> Actor:
    return Actor.for_user(world.user(name), "web")


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def photo(seed: int = 1, name: str = "item.jpg") -> SimpleUploadedFile:
    image = Image.new("RGB", (48, 36))
    for x in range(48):
        for y in range(36):
            image.putpixel((x, y), ((x * seed * 5) % 256, (y * 7 + seed * 40) % 256, 90))
    buf = io.BytesIO()
    image.save(buf, format="JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def measure_task(world, who: str, enterprise, content: str = "呼吸阀是否通畅") -> CheckTask:
    a = actor(world, who)
    obj = risk_services.risk_object_create(
        actor=a, enterprise_id=enterprise.pk, kind="area", name=f"罐区 {content}"
    )
    unit = risk_services.risk_unit_create(
        actor=a,
        enterprise_id=enterprise.pk,
        data={
            "name": f"1号储罐区 {content}"[:128],
            "risk_object_id": obj.pk,
            "responsible_department": "储运车间",
            "responsible_person": "王工",
            "control_level": "workshop",
            "hazard_factors": [],
        },
    )
    event = risk_services.risk_event_create(actor=a, unit_id=unit.pk, name="泄漏")
    measure = risk_services.control_measure_create(
        actor=a,
        event_id=event.pk,
        data={
            "description": "呼吸阀定期检查",
            "classification": "maintenance",
            "check_content": content,
            "responsible_person": "王工",
            "cycle": 1,
            "cycle_unit": "day",
        },
    )
    return measure.tasks.get()


@pytest.fixture
def task_a(world) -> CheckTask:
    return measure_task(world, "safety_a", world.chem_a)


@pytest.fixture
def task_c(world) -> CheckTask:
    return measure_task(world, "principal_c", world.chem_c, "静电接地是否完好")


def start(world, who: str, task: CheckTask, now: dt.datetime, **kw: Any):
    kw.setdefault("client_token", str(uuid.uuid4()))
    return services.check_start(
        actor=actor(world, who), task_id=task.pk, now=now, device_id="dev-1", **kw
    )


def submit(world, who: str, record, now: dt.datetime, answers=None, photos=None, **data: Any):
    payload = {
        "answers": answers or {"1": {"status": "normal", "note": ""}},
        "lat": 30.25,
        "lon": 120.16,
        "accuracy": 12,
        "device_submitted_at": now.isoformat(),
        **data,
    }
    return services.check_submit(
        actor=actor(world, who),
        record_id=record.pk,
        client_token=str(record.client_token),
        data=payload,
        photos=photos or {},
        now=now,
    )
