"""Sealing a whistleblower's identity (issue 15 item 1; standards.md A9: staff may not
disclose the reporter's identity — the national verbatim text is UNCONFIRMED).

AES-GCM (the `cryptography` library) with a 256-bit key from settings
(ANJIAN_IDENTITY_KEY), a fresh random 96-bit nonce per seal, and the report's tracking
code as associated data: a ciphertext copied onto another report does not open. The
stored bytes are nonce || ciphertext+tag; the key id is stored beside them
(Report.identity_key) so keys can be rotated (old keys in ANJIAN_IDENTITY_OLD_KEYS).
No Django model import: callers pass bytes and get a dict back.
"""

from __future__ import annotations

import json
import os
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

NONCE_BYTES = 12
IDENTITY_FIELDS = ("name", "phone", "id_number", "address")


class SealError(Exception):
    """The ciphertext does not open with the named key (tampered, wrong report, lost key)."""


def _keys() -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for pair in str(getattr(settings, "ANJIAN_IDENTITY_OLD_KEYS", "") or "").split(","):
        if ":" in pair:
            kid, hexkey = pair.split(":", 1)
            keys[kid.strip()] = bytes.fromhex(hexkey.strip())
    keys[current_key_id()] = bytes.fromhex(settings.ANJIAN_IDENTITY_KEY)
    for key in keys.values():
        if len(key) != 32:
            raise ValueError("identity keys must be 256 bits (64 hex digits)")
    return keys


def current_key_id() -> str:
    return str(getattr(settings, "ANJIAN_IDENTITY_KEY_ID", "k1") or "k1")


def seal(identity: dict[str, Any], *, tracking_code: str) -> tuple[bytes, str]:
    """(nonce || ciphertext, key id) of the identity's JSON, bound to the tracking code."""
    kid = current_key_id()
    key = _keys()[kid]
    nonce = os.urandom(NONCE_BYTES)
    plain = json.dumps(identity, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return nonce + AESGCM(key).encrypt(nonce, plain, tracking_code.encode("ascii")), kid


def unseal(blob: bytes, *, key_id: str, tracking_code: str) -> dict[str, Any]:
    key = _keys().get(key_id)
    if key is None or len(blob) <= NONCE_BYTES:
        raise SealError("unknown key or empty ciphertext")
    try:
        plain = AESGCM(key).decrypt(
            bytes(blob[:NONCE_BYTES]), bytes(blob[NONCE_BYTES:]), tracking_code.encode("ascii")
        )
    except Exception as exc:  # cryptography's InvalidTag: never echo the data
        raise SealError("the identity does not open") from exc
    return json.loads(plain.decode("utf-8"))
