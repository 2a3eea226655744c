"""The built-in demo: a throwaway workspace (and, later, the simulated outage)."""
