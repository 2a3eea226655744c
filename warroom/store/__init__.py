"""The workspace store: the only package that writes SQL."""

from warroom.store.db import Store

__all__ = ["Store"]
