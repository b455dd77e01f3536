import datetime as dt
import os

import pytest

from tests.world import build_world


def _clock_start() -> dt.datetime | None:
    when = os.environ.get("ANJIAN_TEST_NOW", "").strip()
    if not when:
        return None
    try:
        start = dt.datetime.fromisoformat(when)
    except ValueError:
        raise pytest.UsageError(f"ANJIAN_TEST_NOW={when!r} is not an ISO datetime") from None
    if start.tzinfo is None:
        raise pytest.UsageError("ANJIAN_TEST_NOW needs its UTC offset, e.g. +08:00")
    return start


def pytest_configure(config) -> None:
    """ANJIAN_TEST_NOW (an ISO datetime with its offset) sets the clock, ticking, from
    collection on (module constants such as TODAY are read then), and again at the start
    of each test: `ANJIAN_TEST_NOW=2026-12-03T23:55+08:00 make test` runs every test five
    minutes before midnight in Beijing, where a test that mixes "now plus a few minutes"
    with "today" would fail. CI runs whenever a session stops, so any hour can come."""
    start = _clock_start()
    if start is not None:
        import time_machine

        config._anjian_clock = time_machine.travel(start, tick=True)
        config._anjian_clock.start()


def pytest_unconfigure(config) -> None:
    clock = getattr(config, "_anjian_clock", None)
    if clock is not None:
        clock.stop()


@pytest.fixture(autouse=True)
def _clock_from_the_environment():
    start = _clock_start()
    if start is None:
        yield
        return
    import time_machine

    with time_machine.travel(start, tick=True):
        yield


@pytest.fixture
def clock_at_ten():
    """Ten o'clock, ticking, on the day the test modules were collected (tests/clock.py)."""
    from tests.clock import at_ten

    with at_ten():
        yield


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture(scope="session", autouse=True)
def _no_session_left_on_the_test_database(django_db_setup, django_db_blocker):
    """PostgreSQL: end connections a browser test left open (reads made beside
    Playwright's event loop get a connection of their own that nothing closes), so that
    the test database can be dropped at the end of the run instead of being left behind
    with a warning. Runs after every other session fixture, the live server included."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
