"""As-of reads by a seek per key: one index per history table, (key..., position, superseded_at),
in place of the two of 0006/0012 ((key..., superseded_at) and (superseded_at))

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 09:00:00

`projections/history.at` finds the version of a row shown at log position P as the latest version
of its key with position <= P: one backward step in `ix_<table>_history_seek`. Nothing reads by
`superseded_at` alone any more, and the key index of 0006 orders by `superseded_at`, so both old
indexes go: every command that supersedes a row writes one index fewer.
"""

from __future__ import annotations

from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# Frozen at this revision (a migration never imports live code): each history table's key, the
# primary key of the projected table it keeps the versions of.
KEYS: dict[str, tuple[str, ...]] = {
    'units': ('code',),
    'unit_heads': ('unit', 'effective_from'),
    'persons': ('code',),
    'assignments': ('person', 'effective_from'),
    'plans': ('year',),
    'policy_changes': ('position',),
    'periods': ('code',),
    'sheets': ('code',),
    'entries': ('entry_id',),
    'annual_persons': ('year', 'person'),
    'annual_unit_tracks': ('year', 'unit', 'track'),
    'evaluations': ('year', 'target', 'kind'),
    'bonus_items': ('year', 'code'),
    'bonus_claims': ('target', 'basis_ref'),
    'vetoes': ('code',),
    'target_bonus': ('year',),
    'bulletins': ('number',),
    'calendar_days': ('day',),
    'calendar_years': ('year',),
    'record_filings': ('unit', 'quarter'),
    'disputes': ('entry_id',),
    'notices': ('scope',),
}


def _seek_columns(keys: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys([*keys, 'position', 'superseded_at']))  # policy_changes: its key is `position`


def upgrade() -> None:
    for name, keys in KEYS.items():
        op.drop_index(f'ix_{name}_history_key', table_name=f'{name}_history')
        op.drop_index(f'ix_{name}_history_superseded', table_name=f'{name}_history')
        op.create_index(f'ix_{name}_history_seek', f'{name}_history', _seek_columns(keys), unique=False)


def downgrade() -> None:
    for name, keys in KEYS.items():
        op.drop_index(f'ix_{name}_history_seek', table_name=f'{name}_history')
        op.create_index(f'ix_{name}_history_key', f'{name}_history', [*keys, 'superseded_at'], unique=False)
        op.create_index(f'ix_{name}_history_superseded', f'{name}_history', ['superseded_at'], unique=False)
