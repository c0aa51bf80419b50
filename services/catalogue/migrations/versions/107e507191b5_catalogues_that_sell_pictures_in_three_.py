"""catalogues that sell: pictures in three sizes, per-language texts, producer groups, share links, quote requests

Revision ID: 107e507191b5
Revises: 56733023e2f0
Create Date: 2026-12-07 06:37:21.904681

"""

import io
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from PIL import Image, ImageOps

# revision identifiers, used by Alembic.
revision: str = "107e507191b5"
down_revision: Union[str, Sequence[str], None] = "56733023e2f0"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "producer_groups",
        sa.Column("group_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=200), nullable=False),
        sa.Column("story", sa.Text(), nullable=False),
        sa.Column("translations", sa.JSON(), server_default="{}", nullable=False),
        sa.Column("picture_type", sa.String(length=32), nullable=True),
        sa.Column("picture_print", sa.LargeBinary(), nullable=True),
        sa.Column("picture_web", sa.LargeBinary(), nullable=True),
        sa.Column("picture_small", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("group_id"),
    )
    with op.batch_alter_table("producer_groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_producer_groups_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "share_links",
        sa.Column("link_id", sa.String(length=64), nullable=False),
        sa.Column("theme_name", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["theme_name"], ["themes.name"]),
        sa.PrimaryKeyConstraint("link_id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("share_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_share_links_theme_name"), ["theme_name"], unique=False)

    op.create_table(
        "quote_requests",
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("link_id", sa.String(length=64), nullable=False),
        sa.Column("theme_name", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["link_id"], ["share_links.link_id"]),
        sa.PrimaryKeyConstraint("request_id"),
    )
    with op.batch_alter_table("quote_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quote_requests_link_id"), ["link_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quote_requests_organisation_id"), ["organisation_id"], unique=False)

    with op.batch_alter_table("offering_images", schema=None) as batch_op:
        batch_op.add_column(sa.Column("web_data", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("small_data", sa.LargeBinary(), nullable=True))
    _copy_published_images()
    with op.batch_alter_table("offering_images", schema=None) as batch_op:
        batch_op.alter_column("web_data", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.alter_column("small_data", existing_type=sa.LargeBinary(), nullable=False)

    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("translations", sa.JSON(), server_default="{}", nullable=False))

    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("translations", sa.JSON(), server_default="{}", nullable=False))
        batch_op.add_column(sa.Column("how_to_order", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("contact", sa.JSON(), server_default="{}", nullable=False))


def _resized(data: bytes, content_type: str, side: int) -> bytes:
    """As ``pictures.resized`` did on the day of this migration (a migration keeps its own copy of what it runs)."""
    with Image.open(io.BytesIO(data)) as picture:
        if max(picture.size) <= side and picture.getexif().get(0x0112, 1) == 1:
            return data
        upright = ImageOps.exif_transpose(picture)
        upright.thumbnail((side, side))
        buffer = io.BytesIO()
        if content_type == "image/jpeg":
            upright.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
        else:
            upright.save(buffer, "PNG", optimize=True)
        return buffer.getvalue()


def _copy_published_images() -> None:
    """Images published before copies were made on upload get theirs now: the original becomes the print copy."""
    connection = op.get_bind()
    images = sa.table(
        "offering_images",
        sa.column("offering_id"),
        sa.column("position"),
        sa.column("content_type"),
        sa.column("data", sa.LargeBinary),
        sa.column("web_data", sa.LargeBinary),
        sa.column("small_data", sa.LargeBinary),
    )
    for row in connection.execute(sa.select(images)).all():
        connection.execute(
            images.update()
            .where(images.c.offering_id == row.offering_id, images.c.position == row.position)
            .values(
                data=_resized(row.data, row.content_type, 1600),
                web_data=_resized(row.data, row.content_type, 640),
                small_data=_resized(row.data, row.content_type, 320),
            )
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.drop_column("contact")
        batch_op.drop_column("how_to_order")
        batch_op.drop_column("translations")

    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.drop_column("translations")

    with op.batch_alter_table("offering_images", schema=None) as batch_op:
        batch_op.drop_column("small_data")
        batch_op.drop_column("web_data")

    with op.batch_alter_table("quote_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quote_requests_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_quote_requests_link_id"))

    op.drop_table("quote_requests")
    with op.batch_alter_table("share_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_share_links_theme_name"))

    op.drop_table("share_links")
    with op.batch_alter_table("producer_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_producer_groups_organisation_id"))

    op.drop_table("producer_groups")
