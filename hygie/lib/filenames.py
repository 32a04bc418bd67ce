"""Uploaded file names are personal data: how Hygie shows one without disclosing it.

A name such as ``CR_DUPONT_Jean_1954.pdf`` carries a patient's identity. Pages, lists and API
answers show the masked form (``••••.pdf``: the extension, which says what kind of file it is,
nothing of the rest); the full name is shown only on an explicit, audited request by a user
allowed to (decision 0017). Pure: no Django.
"""

from __future__ import annotations

from pathlib import PurePosixPath

MASK = "••••"
_MAX_EXTENSION = 10


def safe_extension(name: str) -> str:
    """The lower-case extension of ``name`` (``.pdf``), or "" when it is long or odd."""
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    if 1 < len(suffix) <= _MAX_EXTENSION and suffix[1:].isascii() and suffix[1:].isalnum():
        return suffix
    return ""


def masked_file_name(name: str) -> str:
    """What pages and lists show of an uploaded file's name: the mask and the extension."""
    if not name:
        return ""
    return MASK + safe_extension(name)


def base_name(name: str, limit: int = 255) -> str:
    """The last component of a client-supplied name (browsers may send a whole path)."""
    return PurePosixPath((name or "").replace("\\", "/")).name[:limit]
