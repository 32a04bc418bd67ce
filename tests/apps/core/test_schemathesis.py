"""Property-based fuzzing of every API operation from the OpenAPI document: never a 5xx.

schemathesis generates requests (valid and invalid) for each operation and sends them through
the Django WSGI application in-process, authenticated with the write token of an administrator
of establishment A. The number of examples is bounded so the whole run stays under two minutes.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from hygie.core.models import Alert, Asset, Department, Person
from tests.apps.core.api_support import issue_token

# 5 per operation (valid and invalid requests, derandomized; hypothesis tries the boundary
# values first): with ~400 operations, run on SQLite and again on PostgreSQL, the walk is a large
# share of CI's 30 minutes (8 per operation: ~130 s per run on CI's loaded cores; 25: 380 s).
# Longer runs: change it here, locally.
EXAMPLES_PER_OPERATION = 5


@pytest.fixture
def api_schema(db):
    # The raw WSGI handler closes the database connection when each request finishes; inside a
    # test transaction that would close the test's own connection (PostgreSQL). Django's test
    # client avoids this the same way: by detaching the handler for the test's duration.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(make_user, establishment_a):
    # A few real rows so that generated ids sometimes hit existing objects.
    department = Department.objects.create(establishment=establishment_a, name="Radiologie")
    Person.objects.create(
        establishment=establishment_a,
        department=department,
        first_name="Anne",
        last_name="Martin",
        email="anne@example.org",
    )
    Asset.objects.create(establishment=establishment_a, hostname="pacs-1", department=department)
    now = timezone.now()
    Alert.objects.create(
        establishment=establishment_a,
        source="detection",
        title="Brute force",
        first_seen_at=now,
        last_seen_at=now,
    )
    return issue_token(make_user("fuzz-admin", "admin", [establishment_a]), "write")


# One test walking every operation rather than schemathesis' pytest plugin: its lazy
# ``from_fixture`` loader renames test nodes through a pytest attribute that pytest 9 removed.
# One test, not shards: listing the operations (schemathesis resolves every one) is a large part
# of the cost, and four shards each paid it (292 s of worker time against ~180 s for one).
@pytest.mark.slow
def test_no_operation_answers_5xx(api_schema, admin_token):
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 30

    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=operation.as_strategy())
        def exercise(case):
            response = case.call(headers={"Authorization": f"Bearer {admin_token}"})
            case.validate_response(response, checks=[not_a_server_error])

        try:
            exercise()
        except Exception as failure:  # noqa: BLE001 — collect every operation's failure
            failures.append(f"{operation.label}: {failure}")

    assert not failures, "\n\n".join(failures)
