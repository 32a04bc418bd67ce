"""Inventory import from a CSV file or a CMMS/GMAO export (CSV or XLSX), in four steps:

1. **upload** — the file is read (bounded, hostile input), its columns detected and a mapping
   proposed from their names (French and English synonyms);
2. **map** — the user says which column feeds which device field;
3. **check** (dry run) — every row is converted and validated, and matched onto the inventory
   (serial number, then MAC address, then IP address + host name, then host name): the report
   says how many devices would be created and merged, and each row error names the row and the
   column, never the value;
4. **commit** — all or nothing: the rows are checked again inside one transaction and written
   only if not a single one fails.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.models import Department, Establishment, User
from hygie.core.models.assets import normalise_ip, normalise_mac
from hygie.core.services import crud
from hygie.devices.choices import (
    ClinicalFunction,
    EuClass,
    FdaClass,
    InventoryImportStatus,
    NetworkZone,
)
from hygie.devices.models import Device, InventoryImport
from hygie.devices.roles import MANAGE
from hygie.devices.services.inventory import AliasBook, InventoryIndex, device_of, save_device
from hygie.lib.spreadsheet import unneutralise

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 200
MAX_CELL = 1000
MAX_REPORTED_ERRORS = 200

# Device field → (label, French/English header synonyms, compared without accents or case).
FIELDS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "hostname": (
        gettext_lazy("Host name"),
        ("hostname", "host", "nom d'hote", "nom reseau", "nom dns", "fqdn", "host name"),
    ),
    "ip_address": (gettext_lazy("IP address"), ("ip", "adresse ip", "ip address", "ipv4")),
    "mac_address": (gettext_lazy("MAC address"), ("mac", "adresse mac", "mac address")),
    "manufacturer": (
        gettext_lazy("Manufacturer"),
        ("manufacturer", "fabricant", "marque", "vendor", "constructeur", "fournisseur"),
    ),
    "model_name": (gettext_lazy("Model"), ("model", "modele", "reference", "type")),
    "version": (
        gettext_lazy("Software/firmware version"),
        ("version", "firmware", "version logicielle", "logiciel", "software version"),
    ),
    "serial_number": (
        gettext_lazy("Serial number"),
        ("serial", "serial number", "numero de serie", "n de serie", "n serie", "no serie", "sn"),
    ),
    "udi_di": (gettext_lazy("UDI-DI"), ("udi", "udi-di", "udi di", "ide-id")),
    "eu_class": (
        gettext_lazy("EU MDR class"),
        ("classe", "classe mdr", "eu class", "mdr class", "classe dm"),
    ),
    "fda_class": (gettext_lazy("FDA class"), ("fda class", "classe fda")),
    "clinical_function": (
        gettext_lazy("Clinical function"),
        ("clinical function", "fonction clinique", "fonction", "categorie"),
    ),
    "patient_connected": (
        gettext_lazy("Patient-connected"),
        ("patient connected", "connecte au patient"),
    ),
    "stores_phi": (gettext_lazy("Stores health data"), ("stores phi", "donnees de sante", "phi")),
    "location": (
        gettext_lazy("Location"),
        ("location", "localisation", "emplacement", "salle", "local"),
    ),
    "department": (gettext_lazy("Department"), ("department", "service", "unite", "pole", "uf")),
    "network_zone": (gettext_lazy("Network zone"), ("network zone", "zone", "zone reseau", "vlan")),
    "os_name": (
        gettext_lazy("Operating system"),
        ("os", "operating system", "systeme d'exploitation", "systeme"),
    ),
    "os_version": (gettext_lazy("OS version"), ("os version", "version os", "version du systeme")),
    "os_end_of_support": (
        gettext_lazy("OS end of support"),
        ("os end of support", "fin de support os"),
    ),
    "support_end": (
        gettext_lazy("Vendor support end"),
        ("support end", "fin de support", "fin support", "end of support"),
    ),
    "warranty_end": (gettext_lazy("Warranty end"), ("warranty end", "fin de garantie", "garantie")),
    "owner": (gettext_lazy("Owner"), ("owner", "responsable", "proprietaire", "referent")),
    "vendor_contact": (
        gettext_lazy("Vendor contact"),
        ("vendor contact", "contact fournisseur", "contact constructeur", "sav"),
    ),
    "cpe": (gettext_lazy("CPE"), ("cpe",)),
    "purl": (gettext_lazy("Package URL (purl)"), ("purl", "package url")),
}


class ImportRejected(ValidationError):
    """The whole file is refused (format, size, header)."""


@dataclass
class RowProblem:
    row: int
    column: str
    message: str


@dataclass
class Plan:
    """What a check found: the rows ready to write and the problems."""

    rows: int = 0
    creates: int = 0
    merges: int = 0
    errors: list[RowProblem] = field(default_factory=list)
    truncated: bool = False
    actions: list[tuple[int, dict[str, Any], int | None]] = field(default_factory=list)
    merge_keys: dict[str, int] = field(default_factory=dict)

    def error(self, row: int, column: str, message: str) -> None:
        if len(self.errors) >= MAX_REPORTED_ERRORS:
            self.truncated = True
            return
        self.errors.append(RowProblem(row, column, str(message)))

    def as_report(self) -> dict[str, Any]:
        return {
            "ok": not self.errors,
            "rows": self.rows,
            "creates": self.creates,
            "merges": self.merges,
            "merged_by": self.merge_keys,
            "errors": [vars(problem) for problem in self.errors],
            "truncated_errors": self.truncated,
        }


# --- reading ---------------------------------------------------------------------------------


def _fold(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = plain.replace("°", "").replace("’", "'")
    return " ".join(re.sub(r"[_\-./()#:]+", " ", plain).split())


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise ImportRejected(_('The file is UTF-16 or binary. Save it as "CSV UTF-8".'))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict") if _cp1252_ok(data) else _refuse_encoding()


def _cp1252_ok(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _refuse_encoding() -> str:
    raise ImportRejected(_('The character encoding is not recognised. Save it as "CSV UTF-8".'))


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    try:
        for record in reader:
            rows.append(record)
            if len(rows) > MAX_ROWS + 1:
                raise ImportRejected(_("Too many rows (limit: %(max)d).") % {"max": MAX_ROWS})
    except csv.Error:
        raise ImportRejected(
            _("Row %(row)d is not valid CSV (check the quotes).") % {"row": len(rows) + 1}
        ) from None
    return rows


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportRejected(_("The spreadsheet could not be read.")) from None
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(value) for value in values[:MAX_COLUMNS]])
            if len(rows) > MAX_ROWS + 1:
                raise ImportRejected(_("Too many rows (limit: %(max)d).") % {"max": MAX_ROWS})
        return rows
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(data: bytes) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV or XLSX file (empty rows dropped, cells stripped)."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRejected(
            _("The file is too large (limit: %(mb)d MB).")
            % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise ImportRejected(_("The file is empty."))
    table = _read_xlsx(data) if data.startswith(b"PK\x03\x04") else _read_csv(data)
    table = [row for row in table if any(cell.strip() for cell in row)]
    if len(table) < 2:
        raise ImportRejected(_("The file has a header but no row."))
    header = [cell.strip().lstrip("\ufeff")[:100] for cell in table[0]]
    if len(header) > MAX_COLUMNS:
        raise ImportRejected(_("Too many columns (limit: %(max)d).") % {"max": MAX_COLUMNS})
    rows = []
    for record in table[1:]:
        cells = [unneutralise(cell.strip()).strip() for cell in record[: len(header)]]
        rows.append(cells + [""] * (len(header) - len(cells)))
    return header, rows


def propose_mapping(columns: list[str]) -> dict[str, int]:
    """Device field → column index, from the columns' names (first exact synonym wins)."""
    folded = [_fold(name) for name in columns]
    mapping: dict[str, int] = {}
    for name, (_label, synonyms) in FIELDS.items():
        for synonym in (name.replace("_", " "), *synonyms):
            if synonym in folded and folded.index(synonym) not in mapping.values():
                mapping[name] = folded.index(synonym)
                break
    return mapping


def start(user: User | None, establishment: Establishment, data: bytes) -> InventoryImport:
    """Step 1: read the file and propose a mapping."""
    _require(user, establishment)
    header, rows = read_table(data)
    return crud.save_instance(
        InventoryImport(
            establishment=establishment,
            sha256=hashlib.sha256(data).hexdigest(),
            columns=header,
            rows=rows,
            mapping={k: v for k, v in propose_mapping(header).items()},
            created_by=user,
        ),
        user,
    )


def _require(user: User | None, establishment: Establishment) -> None:
    if user is not None and not user.can(MANAGE):
        raise PermissionDenied(_("You may not import devices."))
    crud.check_establishment_allowed(user, establishment.pk)


# --- converting and checking -----------------------------------------------------------------


def _choice_parser(choices: Any, extra: Mapping[str, str] | None = None) -> Callable[[str], str]:
    table = {_fold(value): value for value in choices.values if value}
    for value, label in choices.choices:
        if value:
            table[_fold(str(label))] = value
    for key, value in (extra or {}).items():
        table[_fold(key)] = value

    def parse(text: str) -> str:
        if not text:
            return ""
        found = table.get(_fold(text))
        if found is None:
            raise ValueError(_("not one of the accepted values"))
        return found

    return parse


_BOOLEAN = {
    "yes": True,
    "oui": True,
    "y": True,
    "o": True,
    "true": True,
    "vrai": True,
    "1": True,
    "x": True,
    "no": False,
    "non": False,
    "n": False,
    "false": False,
    "faux": False,
    "0": False,
    "": False,
}


def _boolean(text: str) -> bool:
    folded = _fold(text)
    if folded not in _BOOLEAN:
        raise ValueError(_("expected yes or no"))
    return _BOOLEAN[folded]


def _date(text: str) -> datetime.date | None:
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    raise ValueError(_("expected a date (YYYY-MM-DD or DD/MM/YYYY)"))


def _addresses(normalise: Callable[[str], str]) -> Callable[[str], list[str]]:
    def parse(text: str) -> list[str]:
        try:
            return [normalise(part) for part in re.split(r"[\s,;|]+", text) if part]
        except ValidationError:
            raise ValueError(_("not a valid address")) from None

    return parse


_FUNCTION_SYNONYMS = {
    "vital": ClinicalFunction.LIFE_SUSTAINING,
    "support vital": ClinicalFunction.LIFE_SUSTAINING,
    "maintien en vie": ClinicalFunction.LIFE_SUSTAINING,
    "life support": ClinicalFunction.LIFE_SUSTAINING,
    "therapeutique": ClinicalFunction.THERAPEUTIC,
    "monitorage": ClinicalFunction.PATIENT_MONITORING,
    "surveillance": ClinicalFunction.PATIENT_MONITORING,
    "imagerie": ClinicalFunction.DIAGNOSTIC_IMAGING,
    "laboratoire": ClinicalFunction.LABORATORY,
    "biologie": ClinicalFunction.LABORATORY,
    "non clinique": ClinicalFunction.NON_CLINICAL,
}

CONVERTERS: dict[str, Callable[[str], Any]] = {
    "ip_address": _addresses(normalise_ip),
    "mac_address": _addresses(normalise_mac),
    "eu_class": _choice_parser(EuClass),
    "fda_class": _choice_parser(FdaClass),
    "clinical_function": _choice_parser(ClinicalFunction, _FUNCTION_SYNONYMS),
    "network_zone": _choice_parser(NetworkZone),
    "patient_connected": _boolean,
    "stores_phi": _boolean,
    "os_end_of_support": _date,
    "support_end": _date,
    "warranty_end": _date,
}
MAX_LENGTH = {f.name: f.max_length for f in Device._meta.concrete_fields if f.max_length}


def clean_mapping(columns: list[str], mapping: dict[str, Any]) -> dict[str, int]:
    """Keep valid (field → column index) pairs; a column feeds at most one field."""
    clean: dict[str, int] = {}
    for name, index in (mapping or {}).items():
        if name not in FIELDS or index in ("", None):
            continue
        try:
            position = int(index)
        except (TypeError, ValueError):
            raise ValidationError(_("The mapping names a column that does not exist.")) from None
        if not 0 <= position < len(columns):
            raise ValidationError(_("The mapping names a column that does not exist."))
        if position in clean.values():
            raise ValidationError(
                _("The column “%(column)s” is mapped to two fields.")
                % {"column": columns[position]}
            )
        clean[name] = position
    if not ({"hostname", "serial_number", "mac_address"} & set(clean)):
        raise ValidationError(
            _("Map at least the host name, the serial number or the MAC address column.")
        )
    return clean


def plan(
    establishment: Establishment, columns: list[str], rows: list[list[str]], mapping: dict[str, int]
) -> Plan:
    """Convert and check every row and decide, for each, create or merge (nothing written)."""
    result = Plan(rows=len(rows))
    book = AliasBook.load()
    index = InventoryIndex.load(establishment)
    departments = {_fold(d.name): d for d in Department.objects.filter(establishment=establishment)}
    seen_keys: dict[str, int] = {}
    targets: dict[int, int] = {}
    new_hosts: set[str] = set()
    for number, record in enumerate(rows, start=2):
        values: dict[str, Any] = {}
        ok = True
        for name, position in mapping.items():
            column = columns[position]
            text = record[position] if position < len(record) else ""
            if len(text) > MAX_CELL:
                result.error(
                    number,
                    column,
                    _("Value too long (limit: %(max)d characters).") % {"max": MAX_CELL},
                )
                ok = False
                continue
            try:
                value = CONVERTERS[name](text) if name in CONVERTERS else text
            except ValueError as error:
                result.error(number, column, _("Invalid value: %(reason)s.") % {"reason": error})
                ok = False
                continue
            if name in MAX_LENGTH and isinstance(value, str) and len(value) > MAX_LENGTH[name]:
                result.error(
                    number,
                    column,
                    _("Value too long (limit: %(max)d characters).") % {"max": MAX_LENGTH[name]},
                )
                ok = False
                continue
            if name == "department" and value:
                found = departments.get(_fold(value))
                if found is None:
                    result.error(
                        number, column, _("No department of this establishment has this name.")
                    )
                    ok = False
                    continue
                value = found
            values[name] = value
        if not ok:
            continue
        values["manufacturer"] = book.vendor(values.get("manufacturer", ""))
        values["model_name"] = book.product(values["manufacturer"], values.get("model_name", ""))
        ips, macs = values.pop("ip_address", []), values.pop("mac_address", [])
        values["ip_addresses"], values["mac_addresses"] = ips, macs
        serial = values.get("serial_number", "")
        hostname = str(values.get("hostname", "")).strip().lower()
        for key in ([f"serial:{serial.casefold()}"] if serial else []) + [f"mac:{m}" for m in macs]:
            if key in seen_keys:
                column = columns[
                    mapping["serial_number" if key.startswith("serial") else "mac_address"]
                ]
                result.error(
                    number,
                    column,
                    _("Same value as row %(row)d: one device per row.") % {"row": seen_keys[key]},
                )
                ok = False
            seen_keys[key] = number
        if not ok:
            continue
        asset, matched_by = None, ""
        for mac in macs or [""]:
            asset, matched_by = index.find(
                serial=serial, mac=mac, ip=ips[0] if ips else "", hostname=hostname
            )
            if asset is not None:
                break
        if asset is None and not hostname:
            column = columns[mapping["hostname"]] if "hostname" in mapping else ""
            result.error(number, column, _("A new device needs a host name."))
            continue
        if asset is not None:
            if asset.pk in targets:
                result.error(
                    number,
                    "",
                    _("This row and row %(row)d describe the same device.")
                    % {"row": targets[asset.pk]},
                )
                continue
            targets[asset.pk] = number
            result.merges += 1
            result.merge_keys[matched_by] = result.merge_keys.get(matched_by, 0) + 1
            if "hostname" in values and hostname != asset.hostname:
                values.pop("hostname")  # the inventory keeps its host name
        else:
            result.creates += 1
            if hostname in new_hosts:
                column = columns[mapping["hostname"]]
                result.error(number, column, _("Same host name as another row of the file."))
                continue
            new_hosts.add(hostname)
        problem = _model_problem(establishment, values)
        if problem:
            field_name, message = problem
            column = columns[mapping[field_name]] if field_name in mapping else ""
            result.error(number, column, message)
            continue
        result.actions.append((number, values, asset.pk if asset is not None else None))
    return result


def _model_problem(establishment: Establishment, values: dict[str, Any]) -> tuple[str, str] | None:
    """A model-level check of the row's device (never quoting the value)."""
    device = Device(establishment=establishment)
    for name, value in values.items():
        if name in {"hostname", "ip_addresses", "mac_addresses", "department"}:
            continue
        setattr(device, name, value)
    try:
        device.full_clean(exclude=["asset", "establishment", "department"])
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            name = next(iter(error.error_dict))
            return name, _("Invalid value for this field.")
        return "", _("Invalid row.")
    return None


def check(user: User | None, job: InventoryImport, mapping: dict[str, Any]) -> InventoryImport:
    """Steps 2 and 3: store the mapping and dry-run it; the report has the counts and errors."""
    _require(user, job.establishment)
    if job.status == InventoryImportStatus.COMMITTED:
        raise ValidationError(_("This import was already written."))
    clean = clean_mapping(job.columns, mapping)
    result = plan(job.establishment, job.columns, job.rows, clean)
    report = result.as_report()
    status = InventoryImportStatus.VALIDATED if report["ok"] else InventoryImportStatus.INVALID
    return crud.save_instance(job, user, mapping=clean, report=report, status=status)


def commit(user: User | None, job: InventoryImport) -> InventoryImport:
    """Step 4: everything or nothing. The rows are checked again inside the transaction."""
    _require(user, job.establishment)
    if job.status != InventoryImportStatus.VALIDATED:
        raise ValidationError(_("Check the import without errors before writing it."))
    from hygie.devices.services.feeds import match_devices
    from hygie.devices.services.vulnerabilities import refresh_device_risk

    with transaction.atomic():
        result = plan(job.establishment, job.columns, job.rows, job.mapping)
        if result.errors:
            crud.save_instance(
                job, user, report=result.as_report(), status=InventoryImportStatus.INVALID
            )
            raise ValidationError(_("The file no longer checks cleanly: nothing was written."))
        from hygie.core.models import Asset

        assets = {
            a.pk: a
            for a in Asset.objects.filter(
                pk__in=[pk for _n, _v, pk in result.actions if pk is not None]
            )
        }
        devices: list[Device] = []
        for _number, values, asset_pk in result.actions:
            asset = assets.get(asset_pk) if asset_pk is not None else None
            device = device_of(asset) if asset is not None else None
            devices.append(save_device(user, job.establishment, values, asset=asset, device=device))
        match_devices(devices)
        for device in devices:
            refresh_device_risk(device)
        report = {**result.as_report(), "written": len(devices)}
        crud.save_instance(
            job,
            user,
            report=report,
            status=InventoryImportStatus.COMMITTED,
            committed_at=timezone.now(),
        )
    return job
