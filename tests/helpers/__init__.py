"""Shared test helpers: real loopback servers and their pytest fixtures."""
