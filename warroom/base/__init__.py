"""Foundations every layer may import: errors, time, ids, paths, logging, markup."""
