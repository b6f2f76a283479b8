"""Command handlers, one module per part of the domain. Each registers its handlers with
`ledger.application.ledger.handles` when imported; `ledger.application` imports them all."""

from ledger.application.handlers import annual, audit, calendar, disputes, entries, plan, roster, sheets  # noqa: F401
