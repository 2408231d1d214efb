"""Fixtures shared by the tests of testruns' packages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from channels.layers import InMemoryChannelLayer, get_channel_layer

from testruns.engine.testing.anthropic_api import AnthropicStub


@pytest.fixture
def in_memory_layer(settings) -> InMemoryChannelLayer:
    """Embedded mode's channel layer, which reaches only this process."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    assert isinstance(layer, InMemoryChannelLayer)
    return layer


@pytest.fixture(scope="module")
def anthropic_api() -> Iterator[AnthropicStub]:
    """A local server speaking Anthropic's Messages API, one per test module; each module sets its reply."""
    stub = AnthropicStub().start()
    yield stub
    stub.stop()
