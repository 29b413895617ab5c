"""refused documents: a file of an upload that the content sniff refused is kept as a document row with its error
code and no stored file (documents.error_code added, documents.storage_name nullable)

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error_code', sa.String(length=40), nullable=True))
        batch_op.alter_column('storage_name', existing_type=sa.String(length=80), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM documents WHERE storage_name IS NULL")
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.alter_column('storage_name', existing_type=sa.String(length=80), nullable=False)
        batch_op.drop_column('error_code')
