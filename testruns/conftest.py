"""Fixtures shared by the tests of testruns' packages."""

from __future__ import annotations

import pytest
from channels.layers import InMemoryChannelLayer, get_channel_layer


@pytest.fixture
def in_memory_layer(settings) -> InMemoryChannelLayer:
    """Embedded mode's channel layer, which reaches only this process."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    assert isinstance(layer, InMemoryChannelLayer)
    return layer
