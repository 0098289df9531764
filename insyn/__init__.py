"""Insyn: governance by goals, resident dialogue and fault reports for Swedish municipalities."""

__version__ = "0.1.0"
