from tests.web.conftest import client_for, fast_password_hasher  # noqa: F401  (fixtures)
