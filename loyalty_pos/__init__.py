"""Loyalty POS: an offline-first retail loyalty till."""

__version__ = "0.1.0"
