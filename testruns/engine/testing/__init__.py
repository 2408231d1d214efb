"""Things to run the engine against: the demo web app, its server, and its plain-English tests."""

from .demo_tests import DEMO_TESTS, demo_test_specs
from .server import DEMO_APP_DIR, DemoAppServer, StaticAppServer

__all__ = ["DEMO_APP_DIR", "DEMO_TESTS", "DemoAppServer", "StaticAppServer", "demo_test_specs"]
