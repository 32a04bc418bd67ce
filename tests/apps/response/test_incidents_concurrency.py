"""Two people declaring incidents at the same moment get distinct references (PostgreSQL: real
concurrent transactions; SQLite serialises writers, so there is nothing to race)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, connections

from hygie.response.models import Incident
from hygie.response.services.incidents import create_incident

WRITERS = 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_declarations_get_distinct_references(make_user, establishment_a):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database with concurrent writers (PostgreSQL)")
    user = make_user("rssi", "rssi", [establishment_a])
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def declare(number: int) -> None:
        try:
            barrier.wait(timeout=10)
            create_incident(
                user,
                establishment=establishment_a,
                title=f"Incident {number}",
                discovered_at=datetime(2026, 3, 10, 2, tzinfo=UTC),
            )
        except BaseException as error:  # noqa: BLE001  (reported to the main thread)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=declare, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    references = list(Incident.objects.values_list("reference", flat=True))
    assert len(references) == WRITERS == len(set(references))
