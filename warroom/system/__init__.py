"""The machine around Warroom: doctor, platform checks, secrets (keyring), lock file."""
