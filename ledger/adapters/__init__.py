"""Adapters (适配器): the event store (recorders, transcoding), the hash chain over the log and the
ledger's own bookkeeping tables. Imports the domain only."""
