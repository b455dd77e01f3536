"""Uploaded files (issue 9, item 1): the type comes from the content, never the name; a
decompression bomb is a validation error, never a 500; site plans are re-encoded (a script
in a text chunk does not survive), hazard photos are kept as evidence; every stored file
is served only by a scoped view, with its detected type, Content-Disposition, nosniff and
a sandboxing CSP, or handed to nginx by X-Accel-Redirect; nothing serves MEDIA_ROOT."""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, clear_url_caches, get_resolver, reverse
from PIL import Image, PngImagePlugin

from anjian.core import uploads
from anjian.hazards.models import Hazard, HazardPhoto
from anjian.risks.models import SitePlan
from tests.api.conftest import BASE, ApiClient, fields
from tests.hazards.helpers import photo, report, report_data

SCRIPT = b"<script>alert(document.domain)</script>"
RANDOM_NAME = re.compile(r"[0-9a-f]{32}\.(png|jpg|webp)$")
KEEP = uploads.UploadPolicy(types=("PNG", "JPEG", "WEBP"))
REENCODE = uploads.UploadPolicy(types=("PNG", "JPEG", "WEBP"), reencode=True)


# --- files an attacker or a faulty client sends ---------------------------------------------


def polyglot_png(width: int = 40, height: int = 30) -> bytes:
    """A valid PNG carrying a script in a tEXt chunk: served as text/html it runs."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 60)).save(out, format="PNG", pnginfo=info)
    assert SCRIPT in out.getvalue()
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int = 20000, height: int = 20000, raw: int = 48_000_000) -> bytes:
    """A small, well-formed PNG (correct CRCs) whose header declares huge dimensions: the
    image data would inflate to width × height bytes if anything decoded it."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * raw, 9))
        + _chunk(b"IEND", b"")
    )


def image_bytes(fmt: str = "PNG", size=(8, 6), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt, **save)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- the checks (no database) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "key"),
    [
        (image_bytes("PNG"), "PNG"),
        (image_bytes("JPEG"), "JPEG"),
        (image_bytes("WEBP"), "WEBP"),
        (b"%PDF-1.7\n", "PDF"),
        (b"<html><script>", None),
        (b"GIF89a" + b"\x00" * 20, None),
        (b"", None),
    ],
)
def test_given_bytes_when_sniffed_then_type_from_magic_bytes(content, key):
    found = uploads.sniff(content[: uploads.SNIFF_BYTES])
    assert (found.key if found else None) == key


def test_given_polyglot_png_named_html_when_reencoded_then_png_without_script_random_name():
    checked = uploads.inspect_bytes("plan.html", polyglot_png(), REENCODE)
    assert checked.ok and checked.file_type is uploads.PNG
    assert (checked.mime, checked.extension, checked.width, checked.height) == (
        "image/png",
        "png",
        40,
        30,
    )
    assert SCRIPT not in checked.content and b"tEXt" not in checked.content
    assert checked.sha256 == hashlib.sha256(checked.content).hexdigest()
    assert checked.original_sha256 == hashlib.sha256(polyglot_png()).hexdigest()
    stored = uploads.stored_file(checked)
    assert RANDOM_NAME.fullmatch(stored.name) and stored.name.endswith(".png")


def test_given_polyglot_png_when_kept_as_evidence_then_bytes_and_checksum_unchanged():
    content = polyglot_png()
    checked = uploads.inspect_bytes("x.html", content, KEEP)
    assert checked.ok and checked.content == content
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert uploads.stored_file(checked).name.endswith(".png")


def test_given_jpeg_with_orientation_and_metadata_when_reencoded_then_upright_and_stripped():
    image = Image.new("RGB", (20, 10), (200, 0, 0))
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90° when shown
    exif[0x010E] = SCRIPT.decode()  # ImageDescription
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=SCRIPT)
    checked = uploads.inspect_bytes("photo.jpg", out.getvalue(), REENCODE)
    assert checked.ok and checked.file_type is uploads.JPEG
    assert (checked.width, checked.height) == (10, 20)
    assert SCRIPT not in checked.content
    with Image.open(io.BytesIO(checked.content)) as stored:
        assert not stored.getexif() and "comment" not in stored.info


@pytest.mark.parametrize(
    ("width", "height", "raw"),
    [
        (20000, 20000, 48_000_000),  # Pillow would raise DecompressionBombError (> 178 MP)
        (10000, 10000, 1_000_000),  # Pillow would only warn (> 89 MP)
        (7000, 6000, 1_000_000),  # within Pillow's limits, over ours (40 MP)
    ],
)
@pytest.mark.parametrize("policy", [KEEP, REENCODE])
def test_given_decompression_bomb_when_inspected_then_refused_not_raised(
    width, height, raw, policy
):
    content = bomb_png(width, height, raw)
    assert len(content) < 64 * 1024
    checked = uploads.inspect_bytes("bomb.png", content, policy, pixel_cap=40_000_000)
    assert checked.error and not checked.ok
    assert checked.content == b"" and checked.file_type is None


def test_given_pixel_cap_setting_when_inspected_then_it_applies(settings):
    settings.ANJIAN_UPLOAD_MAX_PIXELS = 100
    assert uploads.inspect_bytes("a.png", image_bytes(size=(10, 10)), KEEP).ok
    assert uploads.inspect_bytes("a.png", image_bytes(size=(11, 10)), KEEP).error


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4 not an image",
        b"<html><body><script>alert(1)</script></body></html>",
        b"GIF89a" + b"\x00" * 20,
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,  # the magic bytes and nothing valid after
        image_bytes("PNG")[:-20],  # truncated
        image_bytes("BMP"),
    ],
)
def test_given_not_an_accepted_image_when_inspected_then_clear_error(content):
    checked = uploads.inspect_bytes("plan.png", content, REENCODE)
    assert checked.error == str(REENCODE.wrong_type_message())
    assert not checked.ok and checked.content == b""


def test_given_type_outside_policy_when_inspected_then_refused():
    only_png = uploads.UploadPolicy(types=("PNG",))
    assert uploads.inspect_bytes("a.jpg", image_bytes("JPEG"), only_png).error
    assert uploads.inspect_bytes("a.png", image_bytes("PNG"), only_png).ok


def test_given_file_over_the_size_cap_when_inspected_then_refused_before_reading_it_all():
    small = uploads.UploadPolicy(types=("PNG",), max_bytes=100)
    checked = uploads.inspect_upload(upload("a.png", image_bytes(size=(200, 200))), small)
    assert checked.error == small.too_big_message()


def test_given_a_document_type_registered_when_policy_accepts_it_then_checked_by_magic():
    docs = uploads.UploadPolicy(types=("PDF",))
    checked = uploads.inspect_bytes("通知.pdf", b"%PDF-1.7\n%...", docs)
    assert checked.ok and checked.mime == "application/pdf" and checked.width == 0
    assert not checked.file_type.inline  # downloaded, never shown in the page
    assert uploads.inspect_bytes("x.pdf", image_bytes(), docs).error


# --- site plans through the page -------------------------------------------------------------


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ANJIAN_MEDIA_ACCEL_REDIRECT = ""


def web(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.user(persona))
    return client


def stored_files(settings, under: str) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / under
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def assert_served_safely(response, mime: str, *, inline: bool = True) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == mime
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;" if inline else "attachment;")
    assert ".html" not in disposition
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["Cache-Control"].startswith("private")


def test_given_polyglot_named_html_when_uploaded_as_site_plan_then_png_without_script(
    world, settings
):
    client = web(world, "principal_a")
    response = client.post(
        reverse("risks:siteplan-upload", args=[world.chem_a.pk]),
        {"image": upload("plan.html", polyglot_png(), content_type="text/html")},
    )
    assert response.status_code == 302
    plan = SitePlan.objects.get(enterprise=world.chem_a)
    assert plan.image.name.startswith("siteplans/")
    assert RANDOM_NAME.search(plan.image.name) and plan.image.name.endswith(".png")
    assert "plan" not in Path(plan.image.name).name
    with plan.image.open("rb") as handle:
        stored = handle.read()
    assert stored.startswith(b"\x89PNG") and SCRIPT not in stored

    image = web(world, "grid_x1").get(reverse("risks:siteplan-image", args=[world.chem_a.pk]))
    assert_served_safely(image, "image/png")
    assert f'filename="site-plan-{world.chem_a.pk}.png"' in image["Content-Disposition"]
    assert SCRIPT not in b"".join(image.streaming_content)


def test_given_decompression_bomb_when_uploaded_as_site_plan_then_form_error_nothing_stored(
    world, settings
):
    client = web(world, "principal_a")
    response = client.post(
        reverse("risks:siteplan-upload", args=[world.chem_a.pk]),
        {"image": upload("plan.png", bomb_png())},
    )
    assert response.status_code == 200
    assert "image" in response.context["form"].errors
    assert not SitePlan.objects.filter(enterprise=world.chem_a).exists()
    assert stored_files(settings, "siteplans") == []


def test_given_html_file_named_png_when_uploaded_as_site_plan_then_form_error(world, settings):
    client = web(world, "principal_a")
    response = client.post(
        reverse("risks:siteplan-upload", args=[world.chem_a.pk]),
        {"image": upload("plan.png", b"<html><script>alert(1)</script></html>")},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["image"]
    assert not SitePlan.objects.exists() and stored_files(settings, "siteplans") == []


def test_given_plan_stored_under_an_old_html_name_when_served_then_type_from_its_bytes(world):
    """Plans uploaded before names were random keep working, and keep being safe."""
    name = default_storage.save("siteplans/2024/plan.html", io.BytesIO(polyglot_png()))
    SitePlan.objects.create(enterprise=world.chem_a, image=name, width=40, height=30)
    image = web(world, "safety_a").get(reverse("risks:siteplan-image", args=[world.chem_a.pk]))
    assert_served_safely(image, "image/png")


def test_given_stored_bytes_of_unknown_type_when_served_then_download_not_page(world):
    name = default_storage.save("siteplans/2024/old.png", io.BytesIO(b"<html><script>x"))
    SitePlan.objects.create(enterprise=world.chem_a, image=name, width=1, height=1)
    image = web(world, "safety_a").get(reverse("risks:siteplan-image", args=[world.chem_a.pk]))
    assert_served_safely(image, "application/octet-stream", inline=False)


def test_given_plan_file_gone_when_served_then_404(world):
    SitePlan.objects.create(
        enterprise=world.chem_a, image="siteplans/2024/gone.png", width=1, height=1
    )
    image = web(world, "safety_a").get(reverse("risks:siteplan-image", args=[world.chem_a.pk]))
    assert image.status_code == 404


# --- hazard photos through the API and the page ---------------------------------------------


def post_report(world, files: list, persona: str = "safety_a"):
    client = ApiClient(world.token(persona), language="en")
    body = {"enterprise_id": str(world.chem_a.pk), "data": json.dumps(report_data())}
    return client.client.post(
        BASE + "/hazards/multipart", {**body, "photos": files}, headers=client.headers
    )


def test_given_polyglot_named_html_when_reported_as_photo_then_stored_and_served_as_png(
    world, settings
):
    content = polyglot_png()
    response = post_report(world, [upload("x.html", content, content_type="text/html")])
    assert response.status_code == 201, response.content
    stored = HazardPhoto.objects.get()
    assert stored.image.name.startswith("hazards/")
    assert RANDOM_NAME.search(stored.image.name) and stored.image.name.endswith(".png")
    assert (stored.image_format, stored.original_name) == ("PNG", "x.html")
    # Evidence: the bytes are the reporter's, checksum and all; the response makes them safe.
    with stored.image.open("rb") as handle:
        assert handle.read() == content
    assert stored.sha256 == hashlib.sha256(content).hexdigest()

    api = ApiClient(world.token("grid_x1"))
    served = api.get(f"/hazards/{stored.hazard_id}/photos/{stored.pk}")
    assert_served_safely(served, "image/png")
    assert f"{stored.hazard_id}-{stored.pk}.png" in served["Content-Disposition"]
    page = web(world, "grid_x1").get(reverse("hazards:photo", args=[stored.hazard_id, stored.pk]))
    assert_served_safely(page, "image/png")
    assert ApiClient(world.token("principal_c")).get(
        f"/hazards/{stored.hazard_id}/photos/{stored.pk}"
    ).status_code == (404)


@pytest.mark.parametrize(
    ("content", "name"),
    [(bomb_png(), "bomb.png"), (b"<html><script>alert(1)</script>", "x.png")],
)
def test_given_bomb_or_non_image_when_reported_as_photo_then_422_and_nothing_stored(
    world, settings, content, name
):
    response = post_report(world, [upload(name, content)])
    assert response.status_code == 422, response.content
    assert fields(response)["photos"]
    assert Hazard.objects.count() == 0 and HazardPhoto.objects.count() == 0
    assert stored_files(settings, "hazards") == []


def test_given_decompression_bomb_when_reported_on_the_page_then_form_error(world, settings):
    response = web(world, "safety_a").post(
        reverse("hazards:report", args=[world.chem_a.pk]),
        {
            "description": "配电箱门损坏",
            "location": "2号车间",
            "hazard_type": "electrical",
            "category": "things",
            "source": "self_check",
            "handling": "deadline",
            "photos": [upload("bomb.png", bomb_png())],
        },
    )
    assert response.status_code == 422
    assert "photos" in response.context["form"].errors
    assert Hazard.objects.count() == 0 and stored_files(settings, "hazards") == []


def test_given_photo_file_gone_when_served_then_404_on_page_and_api(world):
    hazard = report(world, photos=[photo()])
    stored = hazard.photos.get()
    default_storage.delete(stored.image.name)
    page = web(world, "safety_a").get(reverse("hazards:photo", args=[hazard.pk, stored.pk]))
    assert page.status_code == 404
    api = ApiClient(world.token("safety_a")).get(f"/hazards/{hazard.pk}/photos/{stored.pk}")
    assert api.status_code == 404 and api["Content-Type"].startswith("application/json")


# --- behind nginx ------------------------------------------------------------------------------


def test_given_accel_redirect_when_served_then_nginx_sends_the_file(world, settings):
    settings.ANJIAN_MEDIA_ACCEL_REDIRECT = "/_protected_media/"
    hazard = report(world, photos=[photo("JPEG", "before.jpg")])
    stored = hazard.photos.get()
    page = web(world, "safety_a").get(reverse("hazards:photo", args=[hazard.pk, stored.pk]))
    assert page.status_code == 200 and page.content == b""
    assert page["X-Accel-Redirect"] == "/_protected_media/" + stored.image.name
    assert page["Content-Type"] == "image/jpeg"
    assert page["Content-Disposition"].startswith("inline;")
    assert page["X-Content-Type-Options"] == "nosniff"

    name = default_storage.save("siteplans/2024/厂区平面图.png", io.BytesIO(image_bytes()))
    SitePlan.objects.create(enterprise=world.chem_a, image=name, width=8, height=6)
    plan = web(world, "safety_a").get(reverse("risks:siteplan-image", args=[world.chem_a.pk]))
    assert plan.status_code == 200 and plan.content == b""
    assert plan["Content-Type"] == "image/png"
    assert plan["X-Accel-Redirect"] == (
        "/_protected_media/siteplans/2024/%E5%8E%82%E5%8C%BA%E5%B9%B3%E9%9D%A2%E5%9B%BE.png"
    )


def test_given_accel_redirect_when_out_of_scope_then_404_without_the_header(world, settings):
    settings.ANJIAN_MEDIA_ACCEL_REDIRECT = "/_protected_media/"
    hazard = report(world, photos=[photo()])
    stored = hazard.photos.get()
    page = web(world, "principal_c").get(reverse("hazards:photo", args=[hazard.pk, stored.pk]))
    assert page.status_code == 404 and "X-Accel-Redirect" not in page


# --- no route to MEDIA_ROOT --------------------------------------------------------------------


def test_given_debug_when_media_url_requested_then_no_route_serves_it(settings):
    default_storage.save("hazards/2025/01/evidence.png", io.BytesIO(image_bytes()))
    import anjian.urls

    settings.DEBUG = True
    try:
        module = importlib.reload(anjian.urls)
        clear_url_caches()
        with pytest.raises(Resolver404):
            get_resolver(module).resolve("/media/hazards/2025/01/evidence.png")
        assert Client().get("/media/hazards/2025/01/evidence.png").status_code == 404
    finally:
        settings.DEBUG = False
        importlib.reload(anjian.urls)
        clear_url_caches()
