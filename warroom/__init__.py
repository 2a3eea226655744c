"""Warroom: a desktop war room for incident commanders."""

__version__ = "0.1.0"
