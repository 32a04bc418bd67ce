"""Ninja schemas of the detection API."""

from ninja import Schema


class IngestOut(Schema):
    """What one bulk request produced."""

    events: int
    parse_errors: int
    matches: int
    alerts: int
