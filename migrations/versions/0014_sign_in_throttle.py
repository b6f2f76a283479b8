"""The sign-in throttle in the store (ledger/accounts/throttle.py): attempts per client address in
the last minute, and failures of login names no account has; kept in memory per process before,
so that `--workers N` allowed N times the attempts

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sign_in_attempts',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('at', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_sign_in_attempts_address', 'sign_in_attempts', ['address', 'at'], unique=False)
    op.create_index('ix_sign_in_attempts_at', 'sign_in_attempts', ['at'], unique=False)
    op.create_table(
        'unknown_logins',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.BigInteger(), nullable=True),
        sa.Column('last_failed_at', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    op.create_index('ix_unknown_logins_last_failed_at', 'unknown_logins', ['last_failed_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_unknown_logins_last_failed_at', table_name='unknown_logins')
    op.drop_table('unknown_logins')
    op.drop_index('ix_sign_in_attempts_at', table_name='sign_in_attempts')
    op.drop_index('ix_sign_in_attempts_address', table_name='sign_in_attempts')
    op.drop_table('sign_in_attempts')
