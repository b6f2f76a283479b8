"""The application (应用): commands, their handlers and the `Ledger` that runs one command per
transaction. Imports the domain and the adapters."""
