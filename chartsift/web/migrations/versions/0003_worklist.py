"""worklist: assignment, receipt and due date, urgency, patient identifiers, where a case came from, and the current
revision's review state (reviewed recommendation, final decision, criteria confirmed of total, needs-review count,
confidence) kept on the case so the queue filters and sorts in SQL; case ids unique.

The state columns start empty and are filled from the stored review and decisions the first time the list is shown
(chartsift.web.worklist.backfill), as are the receipt (the upload time) and due date of the cases made before.
Case ids were not unique before: a later case under an id already taken keeps its rows and gets the id `ID~PK`
(PK its row number; `~` is not allowed in new ids, so it can meet no other case).

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_COLUMNS = (
    ('assigned_at', sa.DateTime(timezone=True)), ('received_at', sa.DateTime(timezone=True)),
    ('due_at', sa.DateTime(timezone=True)), ('urgency', sa.String(length=10)), ('source', sa.String(length=20)),
    ('patient_name', sa.String(length=200)), ('patient_birth_date', sa.Date()), ('member_id', sa.String(length=80)),
    ('reviewed_recommendation', sa.String(length=40)), ('final_decision', sa.String(length=30)),
    ('criteria_total', sa.Integer()), ('criteria_confirmed', sa.Integer()), ('criteria_overridden', sa.Integer()),
    ('needs_review', sa.Integer()), ('confidence', sa.Float()),
)


def _rename_duplicates() -> None:
    conn = op.get_bind()
    seen: set[str] = set()
    for pk, case_id in conn.execute(sa.text("SELECT id, case_id FROM cases ORDER BY id")).all():
        if case_id in seen:
            conn.execute(sa.text("UPDATE cases SET case_id = :new WHERE id = :pk"),
                         {"new": f"{case_id[:69]}~{pk}", "pk": pk})
        seen.add(case_id)


def upgrade() -> None:
    # no batch (copy-and-move) of `cases` on SQLite: dropping the old table with foreign keys on would cascade to the
    # documents, jobs and decisions of every case; ADD COLUMN and CREATE INDEX need no copy
    _rename_duplicates()
    if op.get_bind().dialect.name == 'sqlite':  # SQLite takes a REFERENCES clause in ADD COLUMN, alembic does not
        op.execute("ALTER TABLE cases ADD COLUMN assignee_id INTEGER REFERENCES users (id)")
    else:
        op.add_column('cases', sa.Column('assignee_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=True))
    for name, type_ in _COLUMNS:
        op.add_column('cases', sa.Column(name, type_, nullable=True))
    op.create_index(op.f('ix_cases_assignee_id'), 'cases', ['assignee_id'], unique=False)
    op.create_index(op.f('ix_cases_due_at'), 'cases', ['due_at'], unique=False)
    op.drop_index(op.f('ix_cases_case_id'), table_name='cases')
    op.create_index(op.f('ix_cases_case_id'), 'cases', ['case_id'], unique=True)


def downgrade() -> None:
    """Drops the worklist columns; on SQLite `assignee_id` stays (a column with a foreign key cannot be dropped there
    without copying the table, which would cascade to every case's rows), unused by 0002."""
    op.drop_index(op.f('ix_cases_case_id'), table_name='cases')
    op.create_index(op.f('ix_cases_case_id'), 'cases', ['case_id'], unique=False)
    op.drop_index(op.f('ix_cases_due_at'), table_name='cases')
    op.drop_index(op.f('ix_cases_assignee_id'), table_name='cases')
    for name, _type in reversed(_COLUMNS):
        op.drop_column('cases', name)
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_column('cases', 'assignee_id')
