"""The domain (领域): aggregates, their events and rule checks, and the pure formulas of RULES.md.
Imports nothing from the application, the adapters, projections or the API."""
