"""The workspace file (TOML): parse, validate, dump."""
