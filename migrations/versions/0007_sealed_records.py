"""sealed records: a MAC under the chain key on every link, refusal and user row

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 00:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

TABLES = ('event_chain', 'refusals', 'users')


def upgrade() -> None:
    # Rows written before this revision get their MAC when the service first starts with a key
    # and an anchor file (ledger/adapters/seal.py): the store is taken as it stands then.
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('mac')
