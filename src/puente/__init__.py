"""Puente: one sovereign node per country for cross-border security cooperation."""

__version__ = "0.1.0"
