"""Accounts with passwords, and sign-in sessions; the per-user bearer tokens are gone

A user was a bearer token made with `jixiao user add`. Now a user is an account (login name,
status, Argon2 password) that signs in to a server-side session; machine clients use the API
tokens of revision 0009. The old rows are kept as disabled accounts without a password, marked
'unsealed': at start-up the service seals them as they are (ledger/accounts/users.py), and the
system administrator resets their password and enables them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.rename_table('users', 'users_bearer_0009')
    op.create_table(
        'users',
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('role', sa.String(length=32), nullable=False),
        sa.Column('person', sa.String(length=32), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('password_hash', sa.String(length=200), nullable=True),
        sa.Column('password_set_at', sa.String(length=40), nullable=True),
        sa.Column('must_change', sa.Integer(), nullable=False),
        sa.Column('previous_hashes', sa.Text(), nullable=False),
        sa.Column('failed_logins', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.String(length=40), nullable=True),
        sa.Column('created_at', sa.String(length=40), nullable=False),
        sa.Column('mac', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('user_id'),
    )
    op.execute(
        "INSERT INTO users (user_id, name, role, person, status, password_hash, password_set_at, must_change,"
        " previous_hashes, failed_logins, locked_until, created_at, mac)"
        " SELECT user_id, name, role, person, 'disabled', NULL, NULL, 1, '[]', 0, NULL, created_at, 'unsealed' FROM users_bearer_0009"
    )
    op.drop_table('users_bearer_0009')
    op.create_table(
        'sessions',
        sa.Column('session_sha256', sa.String(length=64), nullable=False),
        sa.Column('session_id', sa.String(length=16), nullable=False),
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('via', sa.String(length=8), nullable=False),
        sa.Column('client', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.String(length=40), nullable=False),
        sa.Column('last_seen_at', sa.String(length=40), nullable=False),
        sa.Column('ended_at', sa.String(length=40), nullable=True),
        sa.Column('end_reason', sa.String(length=32), nullable=True),
        sa.Column('mac', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('session_sha256'),
    )
    op.create_index('ix_sessions_user_id', 'sessions', ['user_id'])


def downgrade() -> None:
    op.drop_index('ix_sessions_user_id', table_name='sessions')
    op.drop_table('sessions')
    op.rename_table('users', 'users_account_0010')
    op.create_table(
        'users',
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('person', sa.String(length=32), nullable=True),
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.String(length=40), nullable=False),
        sa.Column('mac', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('user_id'),
        sa.UniqueConstraint('token_sha256'),
    )
    # A bearer row needs a token: the accounts come back with a random one nobody holds.
    op.execute(
        "INSERT INTO users (user_id, name, role, person, token_sha256, created_at, mac)"
        " SELECT user_id, name, role, person, user_id || '-' || created_at, created_at, NULL FROM users_account_0010"
    )
    op.drop_table('users_account_0010')
