"""MAC address -> manufacturer through the IEEE MA-L registry (24-bit OUIs). The table ships
as package data (``hygie/devices/data/oui/ma-l.tsv.gz``, see its NOTICE); it is read once."""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources


class OuiTable:
    def __init__(self, text: str) -> None:
        self._names: dict[str, str] = {}
        for line in text.splitlines():
            prefix, _sep, name = line.partition("\t")
            if len(prefix) == 6 and name:
                self._names[prefix.upper()] = name

    def __len__(self) -> int:
        return len(self._names)

    def manufacturer(self, mac: str) -> str:
        """The organisation the MAC's OUI is assigned to; "" for unknown, locally administered
        (randomised) or group addresses."""
        digits = mac.replace(":", "").replace("-", "").replace(".", "").upper()
        if len(digits) < 6:
            return ""
        try:
            first = int(digits[:2], 16)
        except ValueError:
            return ""
        if first & 0x03:  # group or locally administered: not assigned by the IEEE
            return ""
        return self._names.get(digits[:6], "")


@lru_cache(maxsize=1)
def default_table() -> OuiTable:
    data = resources.files("hygie.devices").joinpath("data", "oui", "ma-l.tsv.gz").read_bytes()
    return OuiTable(gzip.decompress(data).decode("utf-8"))
