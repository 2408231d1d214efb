"""Self-healing locators: fingerprint elements while steps pass, find them again when a locator breaks.

The healer itself (`heal`) is a pure function over fingerprints (no browser, no database); the
capture functions run one `page.evaluate` each against a sync Playwright page.
"""

from .capture import capture_candidates, fingerprint_element
from .healer import HealDecision, heal

__all__ = ["HealDecision", "capture_candidates", "fingerprint_element", "heal"]
