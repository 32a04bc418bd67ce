"""What a column header, JSON key or XML element name says about the values under it.

The headers are data: engine/fields/tabular.yml (French and English names, with their HIPAA Safe
Harbor and French categories); this module normalises a label and looks it up.
"""

from __future__ import annotations

import re

from hygie.privacy.engine.fields import PHIField, fold, header_map
from hygie.privacy.engine.model import EntityType as E

_NOT_WORD = re.compile(r"[^a-z0-9_]+")


def normalise_label(label: str) -> str:
    """Lower case, no accents, other characters as "_": "Date de naissance", date_de_naissance."""
    return _NOT_WORD.sub("_", fold(label)).strip("_")


def field_for_label(label: str) -> PHIField | None:
    """What a header announces, trying it with and without underscores."""
    key = normalise_label(label)
    if not key or len(key) > 40:
        return None
    names = header_map()
    return names.get(key) or names.get(key.replace("_", ""))


def hint_for_label(label: str) -> E | None:
    """The entity a header announces (see ``field_for_label``)."""
    phi = field_for_label(label)
    return phi.entity if phi is not None else None
