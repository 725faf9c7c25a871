"""The error every rule raises when a value breaks it."""
from __future__ import annotations


class RuleError(ValueError):
    """A value breaks a domain rule; `message` is the Chinese text to show staff."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
