import logging

import pytest


@pytest.fixture(autouse=True)
def _root_logger_put_back():
    """main() configures the root logger for the process; a test that calls it must not leave a
    handler writing into its captured stderr for the tests after it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
