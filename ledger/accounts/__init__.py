"""Accounts (用户与登录): who may use the ledger and how they prove it — 身份鉴别 and 访问控制 of
等保 2.0 level 2 (docs/operations.md).

Access configuration, not ledger facts: kept in the ledger's own tables (ledger/adapters/tables.py),
each row sealed with an HMAC under the chain key, and every change written to the security audit
log in the same transaction.

    passwords.py   the password policy and the Argon2 hasher (pwdlib)
    users.py       accounts: login name, role, status, password; their seals
    sessions.py    server-side sign-in sessions: idle and absolute timeouts
    tokens.py      API tokens for machine clients
    throttle.py    sign-in attempts per client address, failures of unknown login names
    accounts.py    `Accounts`: sign-in, sign-out, password change, lockout and the administrator's
                   actions, each with its audit record
"""
