"""The 64-bit perceptual hash of a check photo (a difference hash, dHash). Pure: Pillow, no
Django.

The authenticity scorer (authenticity.py, signal photo_reused) compares these hashes by
Hamming distance to find one photo reused across records, even re-saved or rescaled.
`imagehash` would compute the same thing but brings numpy, scipy and PyWavelets; this is
its `dhash` (grey, resized to 9 x 8 with Lanczos, each pixel compared with its right-hand
neighbour, bits row by row, first bit most significant), so the hex digits match
`str(imagehash.dhash(image))` for the same Pillow version — except that a photo is first
turned upright by its EXIF orientation (a phone's photo re-saved by an editor loses the
tag but keeps the picture; both must hash alike).
"""

from __future__ import annotations

import io

HASH_SIZE = 8  # 8 x 8 = 64 bits, written as 16 hex digits


def dhash_image(image: object) -> str:
    """The dHash of a Pillow image as 16 lowercase hex digits."""
    from PIL import Image, ImageOps

    assert isinstance(image, Image.Image)
    upright = ImageOps.exif_transpose(image) or image
    grey = upright.convert("L").resize((HASH_SIZE + 1, HASH_SIZE), Image.Resampling.LANCZOS)
    pixels = grey.tobytes()  # one byte per pixel in mode "L", row by row
    value = 0
    for row in range(HASH_SIZE):
        line = pixels[row * (HASH_SIZE + 1) : (row + 1) * (HASH_SIZE + 1)]
        for col in range(HASH_SIZE):
            value = (value << 1) | (1 if line[col + 1] > line[col] else 0)
    return f"{value:016x}"


def dhash_bytes(content: bytes) -> str:
    """The dHash of an encoded image (PNG, JPEG, WebP: already checked by the upload
    policy, so Pillow opens it)."""
    from PIL import Image

    with Image.open(io.BytesIO(content)) as image:
        image.load()
        return dhash_image(image)


def distance(a: str, b: str) -> int:
    """Hamming distance of two hashes in hex."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


__all__ = ["HASH_SIZE", "dhash_bytes", "dhash_image", "distance"]
