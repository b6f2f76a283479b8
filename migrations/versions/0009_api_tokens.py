"""API tokens issued by the system administrator

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 02:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'api_tokens',
        sa.Column('token_id', sa.String(length=16), nullable=False),
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('label', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.String(length=40), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('expires_on', sa.String(length=10), nullable=False),
        sa.Column('revoked_at', sa.String(length=40), nullable=True),
        sa.Column('revoked_by', sa.String(length=64), nullable=True),
        sa.Column('mac', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('token_id'),
        sa.UniqueConstraint('token_sha256'),
    )


def downgrade() -> None:
    op.drop_table('api_tokens')
