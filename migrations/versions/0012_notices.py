"""Public notice (公示) and confirmation (确认) of results: the notices read model and its history

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# Frozen at this revision (a migration never imports live code): the columns the history trigger copies.
COLUMNS = (
    'scope', 'kind', 'year', 'starts_on', 'ends_on', 'working_days', 'earliest_end', 'late', 'noticed_position', 'noticed_at',
    'noticed_by', 'objections', 'status', 'confirmed_on', 'confirmed_position', 'confirmed_by', 'confirmed_at', 'position',
)


def _columns(history: bool) -> list[sa.Column]:
    nullable = history  # a history table's columns are all nullable, as in 0006
    return [
        sa.Column('scope', sa.String(length=7), nullable=nullable),
        sa.Column('kind', sa.String(length=8), nullable=nullable),
        sa.Column('year', sa.Integer(), nullable=nullable),
        sa.Column('starts_on', sa.String(length=10), nullable=nullable),
        sa.Column('ends_on', sa.String(length=10), nullable=nullable),
        sa.Column('working_days', sa.Integer(), nullable=nullable),
        sa.Column('earliest_end', sa.String(length=10), nullable=nullable),
        sa.Column('late', sa.Boolean(), nullable=nullable),
        sa.Column('noticed_position', sa.BigInteger(), nullable=nullable),
        sa.Column('noticed_at', sa.String(length=40), nullable=nullable),
        sa.Column('noticed_by', sa.String(length=64), nullable=nullable),
        sa.Column('objections', sa.Text(), nullable=nullable),
        sa.Column('status', sa.String(length=10), nullable=nullable),
        sa.Column('confirmed_on', sa.String(length=10), nullable=True),
        sa.Column('confirmed_position', sa.BigInteger(), nullable=True),
        sa.Column('confirmed_by', sa.String(length=64), nullable=True),
        sa.Column('confirmed_at', sa.String(length=40), nullable=True),
        sa.Column('position', sa.BigInteger(), nullable=nullable),
    ]


def upgrade() -> None:
    op.create_table('notices', *_columns(False), sa.PrimaryKeyConstraint('scope'))
    op.create_index('ix_notices_year', 'notices', ['year'], unique=False)
    op.create_table(
        'notices_history',
        sa.Column('version_id', sa.Integer(), autoincrement=True, nullable=False),
        *_columns(True),
        sa.Column('superseded_at', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('version_id'),
    )
    op.create_index('ix_notices_history_key', 'notices_history', ['scope', 'superseded_at'], unique=False)
    op.create_index('ix_notices_history_superseded', 'notices_history', ['superseded_at'], unique=False)
    bind = op.get_bind()
    cols = ", ".join(COLUMNS)
    olds = ", ".join(f"OLD.{c}" for c in COLUMNS)
    if bind.dialect.name == "sqlite":
        statements = [
            "CREATE TRIGGER notices_keep_history BEFORE UPDATE ON notices FOR EACH ROW"
            f" BEGIN INSERT INTO notices_history ({cols}, superseded_at) VALUES ({olds}, NEW.position); END",
        ]
    else:
        statements = [
            "CREATE OR REPLACE FUNCTION notices_keep_history() RETURNS trigger AS $$ BEGIN"
            f" INSERT INTO notices_history ({cols}, superseded_at) VALUES ({olds}, NEW.position); RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER notices_keep_history BEFORE UPDATE ON notices FOR EACH ROW EXECUTE FUNCTION notices_keep_history()",
        ]
    for statement in statements:
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    bind = op.get_bind()
    bind.exec_driver_sql("DROP TRIGGER IF EXISTS notices_keep_history" + ("" if bind.dialect.name == "sqlite" else " ON notices"))
    if bind.dialect.name != "sqlite":
        bind.exec_driver_sql("DROP FUNCTION IF EXISTS notices_keep_history()")
    op.drop_table('notices_history')
    op.drop_index('ix_notices_year', table_name='notices')
    op.drop_table('notices')
