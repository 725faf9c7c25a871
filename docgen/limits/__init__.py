"""Limits on what a request may make docgen do, checked before the expensive step."""
