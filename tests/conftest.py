import pytest

from tests.world import build_world


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
