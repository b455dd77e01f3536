"""Every uploaded file is checked, stored and served here, so that a capability added later
(attachments, documents, inspection photos) inherits the same rules instead of repeating
a hole:

* the type is told by the content (magic bytes, and for images Pillow must open it as the
  same format), never by the uploader's file name or Content-Type;
* size and pixel-count caps are checked before anything is decoded, so a decompression
  bomb is a validation error (a form error, an API 422), never a 500;
* images are re-encoded where the original bytes are not themselves the record (metadata
  and text chunks such as tEXt or EXIF go; the orientation is applied first);
* the stored name is random, with the extension of the detected type;
* a stored file is served only by a view that checked scope, with the detected type,
  Content-Disposition, nosniff and a sandboxing Content-Security-Policy — or handed to
  nginx by X-Accel-Redirect (ANJIAN_MEDIA_ACCEL_REDIRECT). Media never has a public URL.

A new document type is one `register_type(FileType(...))` with its magic bytes; a new
upload is one `UploadPolicy` naming the types it accepts.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
SNIFF_BYTES = 64

# What a browser may do with a file it was handed: show it, nothing more. The inline style
# lets a browser's own image viewer centre the picture; sandbox stops any script even if a
# browser were to render the bytes as a document.
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


# --- types ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileType:
    """A type an upload may have. `signatures` are (offset, bytes) pairs that must all
    match; `pillow_formats` non-empty makes it an image that Pillow must open as one of
    those formats (the pixel cap applies, and it may be re-encoded)."""

    key: str
    mime: str
    extension: str
    signatures: tuple[tuple[int, bytes], ...]
    pillow_formats: frozenset[str] = frozenset()
    save_options: tuple[tuple[str, Any], ...] = ()

    @property
    def image(self) -> bool:
        return bool(self.pillow_formats)

    @property
    def inline(self) -> bool:
        """Images are shown in the page; anything else is downloaded."""
        return self.image

    def matches(self, head: bytes) -> bool:
        return all(head[at : at + len(magic)] == magic for at, magic in self.signatures)


_TYPES: dict[str, FileType] = {}


def register_type(file_type: FileType) -> FileType:
    _TYPES[file_type.key] = file_type
    return file_type


def get_type(key: str) -> FileType | None:
    return _TYPES.get(key)


def sniff(head: bytes) -> FileType | None:
    """The registered type whose magic bytes the start of a file has, if any."""
    for file_type in _TYPES.values():
        if file_type.matches(head):
            return file_type
    return None


PNG = register_type(
    FileType("PNG", "image/png", "png", ((0, b"\x89PNG\r\n\x1a\n"),), frozenset({"PNG"}))
)
# Phones write JPEGs with extra pictures (MPF); Pillow calls those MPO. The first picture is
# an ordinary JPEG and browsers show it.
JPEG = register_type(
    FileType(
        "JPEG",
        "image/jpeg",
        "jpg",
        ((0, b"\xff\xd8\xff"),),
        frozenset({"JPEG", "MPO"}),
        (("quality", 90),),
    )
)
WEBP = register_type(
    FileType(
        "WEBP",
        "image/webp",
        "webp",
        ((0, b"RIFF"), (8, b"WEBP")),
        frozenset({"WEBP"}),
        (("quality", 90),),
    )
)
# Registered for the document uploads still to come; no policy accepts it yet. Served as an
# attachment (a PDF viewer runs scripts).
PDF = register_type(FileType("PDF", "application/pdf", "pdf", ((0, b"%PDF-"),)))


# --- checking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadPolicy:
    """What one kind of upload accepts. The messages default to generic ones; a caller
    with its own wording (a photo, a site plan) passes it."""

    types: tuple[str, ...]
    max_bytes: int = DEFAULT_MAX_BYTES
    reencode: bool = False
    too_big: Any = None
    wrong_type: Any = None

    def too_big_message(self) -> str:
        if self.too_big:
            return str(self.too_big)
        return _("The file must be at most %(mb)s MB.") % {"mb": _megabytes(self.max_bytes)}

    def wrong_type_message(self) -> str:
        if self.wrong_type:
            return str(self.wrong_type)
        return _("Upload a file of one of these types: %(types)s.") % {
            "types": ", ".join(self.types)
        }


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g}"


@dataclass
class CheckedUpload:
    """An upload after its checks: `content` is what will be stored (re-encoded when the
    policy says so) and `sha256` its checksum; `name` is the uploader's name, kept as data
    only. `error` set means refused, with nothing else filled in."""

    name: str
    content: bytes = b""
    file_type: FileType | None = None
    width: int = 0
    height: int = 0
    sha256: str = ""
    error: str = ""
    original_sha256: str = ""
    reencoded: bool = False

    @property
    def ok(self) -> bool:
        return not self.error and self.file_type is not None

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def mime(self) -> str:
        return self.file_type.mime if self.file_type else ""

    @property
    def extension(self) -> str:
        return self.file_type.extension if self.file_type else ""

    @property
    def image_format(self) -> str:
        """The type's key ("PNG", "JPEG", "WEBP"): what hazard photos record."""
        return self.file_type.key if self.file_type else ""

    def storage_name(self) -> str:
        """A fresh random name with the detected type's extension; the model field's
        upload_to adds the directory."""
        return f"{uuid.uuid4().hex}.{self.extension}"


def max_pixels() -> int:
    return int(getattr(settings, "ANJIAN_UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def inspect_upload(
    upload: Any, policy: UploadPolicy, *, pixel_cap: int | None = None
) -> CheckedUpload:
    """Read an upload (a Django UploadedFile or any file object) and check it against the
    policy. Never raises for bad content: the result carries the error."""
    name = str(getattr(upload, "name", "") or "")[:255]
    declared = getattr(upload, "size", None)
    if declared is not None and declared > policy.max_bytes:
        return CheckedUpload(name, error=policy.too_big_message())
    if hasattr(upload, "seek"):
        upload.seek(0)
    content = upload.read(policy.max_bytes + 1)
    if len(content) > policy.max_bytes:
        return CheckedUpload(name, error=policy.too_big_message())
    return inspect_bytes(name, content, policy, pixel_cap=pixel_cap)


def inspect_bytes(
    name: str, content: bytes, policy: UploadPolicy, *, pixel_cap: int | None = None
) -> CheckedUpload:
    if len(content) > policy.max_bytes:
        return CheckedUpload(name, error=policy.too_big_message())
    file_type = sniff(content[:SNIFF_BYTES])
    if file_type is None or file_type.key not in policy.types:
        return CheckedUpload(name, error=policy.wrong_type_message())
    checked = CheckedUpload(name, content=content, file_type=file_type)
    if file_type.image:
        _check_image(checked, policy, pixel_cap if pixel_cap is not None else max_pixels())
    if not checked.error:
        checked.sha256 = hashlib.sha256(checked.content).hexdigest()
        checked.original_sha256 = hashlib.sha256(content).hexdigest()
    else:
        checked.content, checked.file_type = b"", None
    return checked


def _check_image(checked: CheckedUpload, policy: UploadPolicy, pixel_cap: int) -> None:
    """Pillow reads only the header when opening, so the pixel count is known before any
    decoding; Pillow's own bomb guard (a warning, then an error at twice its limit) is
    turned into the same refusal."""
    from PIL import Image, UnidentifiedImageError

    file_type = checked.file_type
    assert file_type is not None
    too_many = _("The image is too large: at most %(mp)s megapixels.") % {
        "mp": f"{pixel_cap / 1_000_000:g}"
    }
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(checked.content)) as image:
                fmt, (width, height) = image.format or "", image.size
                if fmt not in file_type.pillow_formats:
                    checked.error = policy.wrong_type_message()
                    return
                if width * height > pixel_cap:
                    checked.error = too_many
                    return
                image.verify()  # a truncated or disguised file stops here
            if policy.reencode:
                with Image.open(io.BytesIO(checked.content)) as image:
                    checked.content, (width, height) = _reencode(image, file_type)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        checked.error = too_many
        return
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, KeyError):
        checked.error = policy.wrong_type_message()
        return
    checked.width, checked.height = width, height
    checked.reencoded = policy.reencode


def _reencode(image: Any, file_type: FileType) -> tuple[bytes, tuple[int, int]]:
    """The first frame, turned upright, written afresh in the same format with no
    metadata: a script in a text chunk, EXIF and comments do not survive."""
    from PIL import ImageOps

    image.load()
    upright = ImageOps.exif_transpose(image) or image
    options: dict[str, Any] = dict(file_type.save_options)
    if "transparency" in image.info and file_type.key == "PNG":
        options["transparency"] = image.info["transparency"]
    upright.info = {}
    if file_type.key == "JPEG" and upright.mode not in {"L", "RGB", "CMYK"}:
        upright = upright.convert("RGB")
    if file_type.key == "WEBP" and upright.mode not in {"RGB", "RGBA"}:
        upright = upright.convert("RGBA" if "A" in upright.mode else "RGB")
    out = io.BytesIO()
    upright.save(out, format=file_type.key, **options)
    return out.getvalue(), upright.size


def errors_of(checked: Iterable[CheckedUpload]) -> list[str]:
    """Each refused file's message, prefixed with its name so the uploader knows which."""
    return [f"{c.name}: {c.error}" if c.name else c.error for c in checked if c.error]


# --- storing --------------------------------------------------------------------------------


def stored_file(checked: CheckedUpload) -> ContentFile:
    """The checked content under a random name with the detected extension, to assign to a
    FileField (or pass to FieldFile.save): the uploader's name is never a path."""
    if not checked.ok:
        raise ValueError("only a checked upload without errors can be stored")
    return ContentFile(checked.content, name=checked.storage_name())


def store(field_file: FieldFile, checked: CheckedUpload, *, save: bool = False) -> str:
    """Write the checked content to the field's storage under a random name; the name."""
    stored = stored_file(checked)
    field_file.save(stored.name, stored, save=save)
    return field_file.name


# --- serving --------------------------------------------------------------------------------


def detect_stored(field_file: FieldFile) -> FileType | None:
    """The type of a stored file from its first bytes (for rows that did not record it)."""
    try:
        with field_file.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise Http404(_("Not found.")) from exc
    return sniff(head)


def _relative_name(field_file: FieldFile) -> str:
    name = str(field_file.name or "").replace("\\", "/")
    if not name or name.startswith("/") or ".." in name.split("/"):
        raise Http404(_("Not found."))
    return name


def serve_file(
    request: HttpRequest,
    field_file: FieldFile,
    *,
    download_name: str,
    file_type: FileType | None = None,
    inline: bool | None = None,
    max_age: int = 3600,
) -> HttpResponse:
    """The response for a stored file, for a view that has already checked scope. The
    type is the one recorded at upload, or detected again from the stored bytes — never
    guessed from a name. `download_name` gets the type's extension when it lacks it.
    Raises Http404 when the file is missing."""
    name = _relative_name(field_file)
    if file_type is None:
        file_type = detect_stored(field_file)
    content_type = file_type.mime if file_type else "application/octet-stream"
    show_inline = bool(file_type and file_type.inline) if inline is None else inline
    show_inline = show_inline and bool(file_type and file_type.inline)
    if file_type and not download_name.lower().endswith("." + file_type.extension):
        download_name = f"{download_name}.{file_type.extension}"

    prefix = str(getattr(settings, "ANJIAN_MEDIA_ACCEL_REDIRECT", "") or "")
    if prefix:
        # nginx sends the file from its internal location; it keeps Content-Type,
        # Content-Disposition and Cache-Control from this response.
        response: HttpResponse = HttpResponse(b"", content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name, safe="/")
    else:
        try:
            handle = field_file.open("rb")
        except (FileNotFoundError, OSError, ValueError) as exc:
            raise Http404(_("Not found.")) from exc
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=not show_inline, filename=download_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = f"private, max-age={max(0, int(max_age))}"
    return response


__all__ = [
    "FILE_CSP",
    "JPEG",
    "PDF",
    "PNG",
    "WEBP",
    "CheckedUpload",
    "FileType",
    "UploadPolicy",
    "detect_stored",
    "errors_of",
    "get_type",
    "inspect_bytes",
    "inspect_upload",
    "register_type",
    "serve_file",
    "sniff",
    "store",
    "stored_file",
]
