# The shared fixtures live in tests/conftest.py, which pytest applies only below tests/.
from tests.conftest import _isolated_data, api, as_owner, org, owner  # noqa: F401
