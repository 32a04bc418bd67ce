"""Shared fixtures: two establishments (A and B) and users of each role, logged in with MFA."""

from __future__ import annotations

import atexit
import importlib.util
import os
import re
import shutil
import tempfile

import pytest

HAS_DJANGO = importlib.util.find_spec("django") is not None

# The command-line tools keep caches in the user's cache folder when HYGIE_HOME is not set
# (compiled rule packs, pattern databases): tests keep theirs in a folder of their own run.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="hygie-test-cache-")
atexit.register(shutil.rmtree, os.environ["XDG_CACHE_HOME"], True)

# Page tests (templates, forms, permissions, layout): the pages read through the services and
# querysets that the service, API, demo and isolation tests run on PostgreSQL too, and what is
# their own does not depend on the database. CI's PostgreSQL run leaves them to the SQLite run
# to stay under 30 minutes.
_PAGE_TESTS = re.compile(r"views|pages|_page\.py$|crawl|landing|dashboard|tables")

# Fixtures through which a test reaches the Django test database (directly or not).
_DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_setup", "live_server", "two_postgresql_databases"}
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _keep_database_tests_on_postgresql(config, items)
    _spread_slow_tests(config, items)


def _spread_slow_tests(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist, start every worker on its part of the long tests, so none of them is left
    for the end of the run, keeping one worker busy while the others wait.

    ``--dist worksteal`` hands each worker a contiguous share of the collection and idle workers
    steal from the end of the others' queues. The browser tests (a quarter of the suite's time)
    go in two groups of whole files at the head of the first two shares: each worker that runs
    one starts its own server and Chromium, so they are not scattered further. The ``slow``
    tests are dealt to every share in turn after them. Every worker computes the same order."""
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    if workers < 2:
        return
    browser = [item for item in items if item.get_closest_marker("browser")]
    slow = [
        item
        for item in items
        if item.get_closest_marker("slow") and not item.get_closest_marker("browser")
    ]
    if not browser and not slow:
        return
    heads: list[list[pytest.Item]] = [[] for _ in range(workers)]
    if browser:
        # Cut between two files, near the middle.
        middle = len(browser) // 2
        while 0 < middle < len(browser) and browser[middle].path == browser[middle - 1].path:
            middle += 1
        heads[0] += browser[:middle]
        heads[1] += browser[middle:]
    for position, item in enumerate(slow):
        heads[position % workers].append(item)
    chosen = {id(item) for head in heads for item in head}
    rest = [item for item in items if id(item) not in chosen]
    share = len(items) // workers
    ordered: list[pytest.Item] = []
    for head in heads:
        filler = max(0, share - len(head))
        ordered += head + rest[:filler]
        rest = rest[filler:]
    items[:] = ordered + rest


def _keep_database_tests_on_postgresql(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL run (HYGIE_TEST_DATABASE_URL set: CI repeats the app tests on it) keeps
    the tests that reach the test database, page tests apart. The others (subprocesses on their
    own SQLite home, pure functions, parsers) do the same thing on both runs and already ran on
    SQLite."""
    if not os.environ.get("HYGIE_TEST_DATABASE_URL"):
        return
    kept, dropped = [], []
    for item in items:
        uses_database = item.get_closest_marker("django_db") is not None or bool(
            _DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        )
        (kept if uses_database and not _PAGE_TESTS.search(item.path.name) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


if HAS_DJANGO:

    @pytest.fixture(autouse=True)
    def _fresh_language():
        """Each test starts in the default language (LANGUAGE_CODE, or the ``english`` fixture):
        a language a previous test or request activated in this thread must not leak in."""
        from django.utils import translation

        translation.deactivate()
        yield
        translation.deactivate()

    @pytest.fixture(autouse=True)
    def _private_audit_files(tmp_path_factory):
        """Each test gets its own audit keys and checkpoint file: the database is rolled back
        after every test, files outside it are not, and a checkpoint of another test's chain
        would read as a truncation."""
        from django.conf import settings

        folder = tmp_path_factory.mktemp("audit")
        saved = settings.HYGIE_AUDIT_KEY_DIR, settings.HYGIE_AUDIT_CHECKPOINT_FILE
        settings.HYGIE_AUDIT_KEY_DIR = folder / "keys"
        settings.HYGIE_AUDIT_CHECKPOINT_FILE = folder / "checkpoints.log"
        yield
        settings.HYGIE_AUDIT_KEY_DIR, settings.HYGIE_AUDIT_CHECKPOINT_FILE = saved

    @pytest.fixture
    def organisation(db):
        from hygie.core.models import Organisation

        return Organisation.objects.create(name="GHT Test", kind="ght")

    @pytest.fixture
    def establishment_a(organisation):
        from hygie.core.models import Establishment

        return Establishment.objects.create(
            organisation=organisation, name="CH Alpha", kind="ch", finess_eg="010000024"
        )

    @pytest.fixture
    def establishment_b(organisation):
        from hygie.core.models import Establishment

        return Establishment.objects.create(
            organisation=organisation, name="Clinique Beta", kind="clinic"
        )

    @pytest.fixture
    def make_user(db):
        from hygie.core.models import User

        def make(
            username: str = "user",
            role: str = "rssi",
            establishments=(),
            *,
            all_establishments: bool = False,
            password: str = "correct horse battery 1",
            **extra,
        ):
            user = User.objects.create_user(
                username=username,
                password=password,
                role=role,
                email=f"{username}@example.org",
                has_all_establishments=all_establishments,
                **extra,
            )
            user.establishments.set(establishments)
            return user

        return make

    @pytest.fixture
    def login(client):
        """Log a user in with a verified second factor, as after a real TOTP check."""
        from hygie.core.testing import login_with_mfa

        def do(user, target_client=None):
            return login_with_mfa(target_client or client, user)

        return do

    @pytest.fixture
    def user_a(make_user, establishment_a):
        return make_user("alice", "rssi", [establishment_a])

    @pytest.fixture
    def user_b(make_user, establishment_b):
        return make_user("bob", "rssi", [establishment_b])

    @pytest.fixture
    def client_a(client, user_a, login):
        login(user_a)
        return client
