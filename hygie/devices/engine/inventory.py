"""The inventory file of ``hygie devices match``: a CSV with the columns
``id,manufacturer,model,version`` and optionally ``cpe`` and ``purl`` (any order, header
required). Errors name the line and the column, never the value (inventories are internal
data)."""

from __future__ import annotations

import csv
import io

from hygie.devices.engine.match import InventoryItem
from hygie.lib.errors import HygieError

REQUIRED = ("id", "manufacturer", "model", "version")
OPTIONAL = ("cpe", "purl")
MAX_ROWS = 1_000_000
MAX_FIELD = 1000


class InventoryError(HygieError, ValueError):
    """An inventory file refused: where and why."""


def parse_inventory(text: str) -> list[InventoryItem]:
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InventoryError(
            "line 1: the file is empty (a header id,manufacturer,model,version is expected)"
        ) from None
    except csv.Error as error:
        raise InventoryError(f"line 1: not valid CSV ({error})") from None
    columns = [name.strip().casefold() for name in header]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise InventoryError(f"line 1: missing column(s) {', '.join(missing)}")
    position = {name: columns.index(name) for name in (*REQUIRED, *OPTIONAL) if name in columns}
    items: list[InventoryItem] = []
    seen: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(items) >= MAX_ROWS:
                raise InventoryError(f"line {line}: more than {MAX_ROWS} rows")
            if len(row) < len(header):
                raise InventoryError(
                    f"line {line}: {len(row)} column(s), the header has {len(header)}"
                )
            values = {name: row[index].strip() for name, index in position.items()}
            for name, value in values.items():
                if len(value) > MAX_FIELD:
                    raise InventoryError(f"line {line}, column {name}: longer than {MAX_FIELD}")
            if not values["id"]:
                raise InventoryError(f"line {line}, column id: empty")
            if values["id"] in seen:
                raise InventoryError(
                    f"line {line}, column id: already used on line {seen[values['id']]}"
                )
            seen[values["id"]] = line
            if not (values["manufacturer"] and values["model"]) and not (
                values.get("cpe") or values.get("purl")
            ):
                raise InventoryError(
                    f"line {line}: manufacturer and model (or a cpe or purl) are required"
                )
            items.append(
                InventoryItem(
                    id=values["id"],
                    manufacturer=values["manufacturer"],
                    model=values["model"],
                    version=values["version"],
                    cpe=values.get("cpe", ""),
                    purl=values.get("purl", ""),
                )
            )
    except csv.Error as error:
        raise InventoryError(f"line {reader.line_num}: not valid CSV ({error})") from None
    return items
