"""CSV import and export of the staff directory and the asset inventory.

Imports treat the file as hostile (bounded size, rows and field length; strict parsing) and are
all-or-nothing: every row is validated first, and only a file without a single error is written,
in one transaction. Rows are matched on their natural key (e-mail for people, host name for
assets) so that importing the same file twice updates instead of duplicating.

Error messages name the row and the column but never repeat the cell: identifiers (RPPS, ADELI,
e-mail) are personal data and must not end up in reports, logs or screenshots.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from hygie.core import audit
from hygie.core.choices import AssetKind, Criticality
from hygie.core.models import Asset, Department, Establishment, Person, User
from hygie.core.models.assets import normalise_ip, normalise_mac
from hygie.core.roles import EDIT_DIRECTORY
from hygie.core.services import crud
from hygie.lib.identifiers import check_rpps
from hygie.lib.spreadsheet import csv_writer, unneutralise

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_FIELD_LENGTH = 1000
MAX_REPORTED_ERRORS = 500

PEOPLE_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "profession",
    "department",
    "rpps",
    "adeli",
    "employment_start",
    "employment_end",
)
PEOPLE_REQUIRED = ("email", "first_name", "last_name")
ASSET_COLUMNS = (
    "hostname",
    "ip_addresses",
    "mac_addresses",
    "os_name",
    "os_version",
    "kind",
    "department",
    "criticality",
    "network_zone",
    "tags",
)
ASSET_REQUIRED = ("hostname",)

# Cells whose content is personal data: errors on them never quote anything but the column.


@dataclass(frozen=True)
class RowError:
    """One problem: ``row`` is the spreadsheet row (header = 1; 0 for the whole file)."""

    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    """What an import did, or why it did nothing."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    truncated_errors: bool = False

    @property
    def is_ok(self) -> bool:
        return not self.errors

    def add_error(self, row: int, column: str, message: str) -> None:
        if len(self.errors) >= MAX_REPORTED_ERRORS:
            self.truncated_errors = True
            return
        self.errors.append(RowError(row, column, str(message)))

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.is_ok,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [vars(error) for error in self.errors],
            "warnings": [vars(warning) for warning in self.warnings],
            "truncated_errors": self.truncated_errors,
        }


class _FileRejected(Exception):  # noqa: N818 — internal control flow, never leaves this module
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- reading ---------------------------------------------------------------------------------


def decode_csv_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as saved by Excel in French."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise _FileRejected(_('The file is UTF-16 or binary. Save it as "CSV UTF-8".'))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise _FileRejected(
            _('The file\'s character encoding is not recognised. Save it as "CSV UTF-8".')
        ) from None


def _sniff_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {delimiter: header.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_rows(
    data: bytes, allowed: tuple[str, ...], required: tuple[str, ...]
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    if len(data) > MAX_IMPORT_BYTES:
        raise _FileRejected(
            _("The file is too large (limit: %(mb)d MB).")
            % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)}
        )
    text = decode_csv_bytes(data)
    if not text.strip():
        raise _FileRejected(_("The file is empty."))
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text), strict=True
    )
    try:
        header = next(reader)
    except csv.Error:
        raise _FileRejected(_("The header line is not valid CSV.")) from None
    columns = [name.strip().lower().lstrip("\ufeff") for name in header]
    unknown = [name for name in columns if name not in allowed]
    if unknown:
        raise _FileRejected(
            _("Unknown column(s): %(names)s. Accepted columns: %(allowed)s.")
            % {"names": ", ".join(n[:40] or '""' for n in unknown), "allowed": ", ".join(allowed)}
        )
    duplicated = sorted({name for name in columns if columns.count(name) > 1})
    if duplicated:
        raise _FileRejected(
            _("Column(s) given twice: %(names)s.") % {"names": ", ".join(duplicated)}
        )
    missing = [name for name in required if name not in columns]
    if missing:
        raise _FileRejected(
            _("Missing required column(s): %(names)s.") % {"names": ", ".join(missing)}
        )

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error:
                raise _FileRejected(
                    _("Row %(row)d is not valid CSV (check the quotes).") % {"row": number + 1}
                ) from None
            number += 1
            if number - 1 > MAX_ROWS:
                raise _FileRejected(_("Too many rows (limit: %(max)d).") % {"max": MAX_ROWS})
            if not any(cell.strip() for cell in record):
                continue
            yield number, record

    return columns, rows()


def _cells(
    report: ImportReport, number: int, columns: list[str], record: list[str]
) -> dict[str, str] | None:
    if len(record) != len(columns):
        report.add_error(
            number,
            "",
            _("This row has %(found)d cells; the header has %(expected)d.")
            % {"found": len(record), "expected": len(columns)},
        )
        return None
    values: dict[str, str] = {}
    for name, cell in zip(columns, record, strict=True):
        if len(cell) > MAX_FIELD_LENGTH:
            report.add_error(
                number,
                name,
                _("Value too long (limit: %(max)d characters).") % {"max": MAX_FIELD_LENGTH},
            )
            return None
        value = cell.strip()
        # Undo the protection our export adds against spreadsheet formula injection.
        values[name] = unneutralise(value).strip()
    return values


# --- value conversion ------------------------------------------------------------------------


def _parse_date(value: str) -> date | None:
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValidationError(_("Invalid date: use YYYY-MM-DD."))


def _choice(choices: type[models.TextChoices]) -> Callable[[str], str]:
    def convert(value: str) -> str:
        wanted = value.strip().lower()
        for stored, label in choices.choices:
            if wanted in {stored.lower(), str(label).lower()}:
                return stored
        raise ValidationError(
            _("Unknown value. Accepted: %(values)s.") % {"values": ", ".join(choices.values)}
        )

    return convert


def _split_list(value: str) -> list[str]:
    return [part for part in re.split(r"[\s,;|]+", value) if part]


def _message_of(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


# --- generic import ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    model: type[models.Model]
    key_column: str
    key_field: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    converters: dict[str, Callable[[str], Any]]  # column (= model field) → parser


def _import(
    spec: _Spec,
    establishment: Establishment,
    data: bytes,
    user: User | None,
    extra_checks: Callable[[ImportReport, int, dict[str, str]], None] | None = None,
) -> ImportReport:
    if user is not None and not user.can(EDIT_DIRECTORY):
        raise PermissionDenied(_("You may not import into the directory or the inventory."))
    if user is not None:
        crud.check_establishment_allowed(user, establishment.pk)
    report = ImportReport()
    departments = {
        dept.name.strip().lower(): dept
        for dept in Department.objects.filter(establishment=establishment)
    }
    existing = {
        str(getattr(obj, spec.key_field)).lower(): obj
        for obj in spec.model._default_manager.filter(establishment=establishment)
    }
    pending: list[tuple[models.Model, bool]] = []
    seen_keys: dict[str, int] = {}
    try:
        columns, rows = _read_rows(data, spec.columns, spec.required)
        for number, record in rows:
            report.rows += 1
            values = _cells(report, number, columns, record)
            if values is None:
                continue
            outcome = _prepare_row(
                spec, establishment, departments, existing, seen_keys, report, number, values
            )
            if outcome is not None:
                if extra_checks is not None:
                    extra_checks(report, number, values)
                pending.append(outcome)
    except _FileRejected as rejected:
        report.errors.insert(0, RowError(0, "", rejected.message))
        return report
    if report.rows == 0:
        report.add_error(0, "", _("The file has a header but no data rows."))
    if not report.is_ok:
        return report
    _write(spec, establishment, pending, report)
    return report


def _prepare_row(
    spec: _Spec,
    establishment: Establishment,
    departments: dict[str, Department],
    existing: dict[str, models.Model],
    seen_keys: dict[str, int],
    report: ImportReport,
    number: int,
    values: dict[str, str],
) -> tuple[models.Model, bool] | None:
    key = values[spec.key_column].strip().lower()
    if not key:
        report.add_error(number, spec.key_column, _("This column is required."))
        return None
    if key in seen_keys:
        report.add_error(
            number, spec.key_column, _("Same key as row %(row)d.") % {"row": seen_keys[key]}
        )
        return None
    seen_keys[key] = number
    instance = existing.get(key)
    is_new = instance is None
    if instance is None:
        instance = spec.model(establishment=establishment)
    before = None if is_new else _field_values(instance)
    row_ok = True
    for column, raw in values.items():
        if column == "department":
            department = departments.get(raw.strip().lower()) if raw else None
            if raw and department is None:
                report.add_error(
                    number,
                    column,
                    _("No department of this name in the establishment; create it first."),
                )
                row_ok = False
            setattr(instance, column, department)  # the model is the spec's: Person or Asset
            continue
        if column in spec.required and not raw:
            report.add_error(number, column, _("This column is required."))
            row_ok = False
            continue
        try:
            converted = spec.converters.get(column, str)(raw)
        except ValidationError as error:
            report.add_error(number, column, _message_of(error))
            row_ok = False
            continue
        setattr(instance, column, converted)
    if not row_ok:
        return None
    try:
        # Uniqueness of the natural key is checked above across the file and by the lookup
        # against existing rows; the database constraint remains the last guard.
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            column = _column_for_field(spec, name)
            report.add_error(number, column, " ".join(str(m) for m in messages))
        return None
    if before is not None and before == _field_values(instance):
        report.unchanged += 1
        return None
    return instance, is_new


def _column_for_field(spec: _Spec, field_name: str) -> str:
    return field_name if field_name in spec.columns else ""


def _field_values(instance: models.Model) -> dict[str, Any]:
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.name not in {"created_at", "updated_at"}
    }


def _write(
    spec: _Spec,
    establishment: Establishment,
    pending: list[tuple[models.Model, bool]],
    report: ImportReport,
) -> None:
    with transaction.atomic():
        for instance, is_new in pending:
            # Validated above; save() triggers the per-row create/update audit entries.
            instance.save()
            if is_new:
                report.created += 1
            else:
                report.updated += 1
        audit.record(
            "import",
            None,
            object_type=spec.model._meta.label_lower,
            object_repr=str(spec.model._meta.verbose_name_plural),
            establishment_id=establishment.pk,
            message=(
                f"CSV import: {report.rows} rows, {report.created} created, "
                f"{report.updated} updated, {report.unchanged} unchanged"
            ),
        )


# --- people ------------------------------------------------------------------------------------


def _normalise_rpps(value: str) -> str:
    return check_rpps(value).normalised if value else ""


_PEOPLE_SPEC = _Spec(
    model=Person,
    key_column="email",
    key_field="email",
    columns=PEOPLE_COLUMNS,
    required=PEOPLE_REQUIRED,
    converters={
        "email": lambda v: v.strip().lower(),
        "rpps": _normalise_rpps,
        "employment_start": _parse_date,
        "employment_end": _parse_date,
    },
)


def _rpps_key_warning(report: ImportReport, number: int, values: dict[str, str]) -> None:
    rpps = values.get("rpps", "")
    if rpps and check_rpps(rpps).has_valid_key is False:
        report.warnings.append(
            RowError(
                number,
                "rpps",
                _(
                    "The RPPS check key does not match (Luhn rule, UNVERIFIED against the official "
                    "specification); the number was kept."
                ),
            )
        )


def import_people(establishment: Establishment, data: bytes, user: User | None) -> ImportReport:
    """Create or update staff of ``establishment`` from CSV bytes (all rows or none)."""
    return _import(_PEOPLE_SPEC, establishment, data, user, extra_checks=_rpps_key_warning)


# --- assets ------------------------------------------------------------------------------------

_ASSET_SPEC = _Spec(
    model=Asset,
    key_column="hostname",
    key_field="hostname",
    columns=ASSET_COLUMNS,
    required=ASSET_REQUIRED,
    # Addresses are checked per column here so the error names the right column.
    converters={
        "hostname": lambda v: v.strip().lower(),
        "ip_addresses": lambda v: [normalise_ip(ip) for ip in _split_list(v)],
        "mac_addresses": lambda v: [normalise_mac(mac) for mac in _split_list(v)],
        "tags": _split_list,
        "kind": _choice(AssetKind),
        "criticality": _choice(Criticality),
    },
)


def import_assets(establishment: Establishment, data: bytes, user: User | None) -> ImportReport:
    """Create or update assets of ``establishment`` from CSV bytes (all rows or none)."""
    return _import(_ASSET_SPEC, establishment, data, user)


# --- export ------------------------------------------------------------------------------------


def _export(
    queryset: models.QuerySet[Any], columns: tuple[str, ...], rows: Iterable[Iterable[Any]]
) -> str:
    model = queryset.model
    buffer = io.StringIO()
    # Cells a spreadsheet would run as formulas are neutralised (CSV injection).
    writer = csv_writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    # Exports copy personal data out of Hygie: who took what is part of the trail (UI and API).
    # One entry per establishment so each establishment's auditors see their own exports.
    establishment_ids = sorted(set(queryset.order_by().values_list("establishment_id", flat=True)))
    for establishment_id in establishment_ids or [None]:
        audit.record(
            "export",
            None,
            object_type=model._meta.label_lower,
            object_repr=str(model._meta.verbose_name_plural),
            establishment_id=establishment_id,
            message=f"CSV export: {count} rows",
        )
    return buffer.getvalue()


def export_people(queryset: models.QuerySet[Person]) -> str:
    """CSV of a (scoped) Person queryset, in the import's column order."""
    people = queryset.select_related("department").order_by("establishment_id", "email")
    return _export(
        queryset,
        PEOPLE_COLUMNS,
        (
            (
                p.email,
                p.first_name,
                p.last_name,
                p.profession,
                p.department.name if p.department else "",
                p.rpps,
                p.adeli,
                p.employment_start,
                p.employment_end,
            )
            for p in people.iterator()
        ),
    )


def export_assets(queryset: models.QuerySet[Asset]) -> str:
    """CSV of a (scoped) Asset queryset, in the import's column order."""
    assets = queryset.select_related("department").order_by("establishment_id", "hostname")
    return _export(
        queryset,
        ASSET_COLUMNS,
        (
            (
                a.hostname,
                a.ip_addresses,
                a.mac_addresses,
                a.os_name,
                a.os_version,
                a.kind,
                a.department.name if a.department else "",
                a.criticality,
                a.network_zone,
                a.tags,
            )
            for a in assets.iterator()
        ),
    )
