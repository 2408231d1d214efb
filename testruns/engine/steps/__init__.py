"""The step language: plain English or structured steps parsed into ParsedStep (no AI involved)."""

from .model import ALL_ACTIONS, ParsedStep, StepParseError, Target
from .parser import parse_step, parse_target, parse_text

__all__ = ["ALL_ACTIONS", "ParsedStep", "StepParseError", "Target", "parse_step", "parse_target", "parse_text"]
