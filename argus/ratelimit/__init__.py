"""Rate limiting: request counters per category (`http`, on `core`) and concurrent stream slots (`streams`)."""

from argus.ratelimit.core import (
    API_KEY_CREATION,
    AUTH,
    GENERAL,
    TEST_EXECUTION,
    Rate,
    RateState,
    hit,
    parse_rate,
    rate_for,
)
from argus.ratelimit.streams import (
    StreamSlot,
    aacquire_stream_slot,
    acquire_stream_slot,
    stream_slot,
    stream_slots_in_use,
)

__all__ = [
    "API_KEY_CREATION",
    "AUTH",
    "GENERAL",
    "TEST_EXECUTION",
    "Rate",
    "RateState",
    "StreamSlot",
    "aacquire_stream_slot",
    "acquire_stream_slot",
    "hit",
    "parse_rate",
    "rate_for",
    "stream_slot",
    "stream_slots_in_use",
]
