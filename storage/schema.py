"""The tables. Times are stored in UTC; zones are applied at the edges."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


def _booking_id(**options: Any) -> Column[int]:
    """A booking's id in another table; the rows go when the booking goes."""
    return Column("booking_id", Integer, ForeignKey("bookings.id", ondelete="CASCADE"),
                  **options)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

catalog_entries = Table(
    "catalog_entries",
    metadata,
    Column("kind", String(16), primary_key=True),  # municipality, group, service
    Column("id", String(32), primary_key=True),
    Column("parent_id", String(32), nullable=True),
    Column("data", JSON, nullable=False),
    Column("active", Integer, nullable=False, default=1),
    Column("updated_at", UTCDateTime, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("locale", String(8), nullable=True),
    Column("timezone", String(64), nullable=True),
    # Telegram refused to deliver (the citizen blocked the bot): email from then on.
    Column("unreachable_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

bookings = Table(
    "bookings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reference", String(16), nullable=False, unique=True),
    Column("uid", String(64), nullable=False, unique=True),
    Column("user_id", BigInteger, nullable=False, index=True),
    Column("municipality_id", String(32), nullable=False),
    Column("group_id", String(32), nullable=False),
    Column("service_id", String(32), nullable=False),
    Column("desk", String(32), nullable=False),
    Column("seat", Integer, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("start_at", UTCDateTime, nullable=False, index=True),
    Column("end_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("name", Text, nullable=False),
    Column("email", Text, nullable=False),
    Column("phone", String(32), nullable=False),
    Column("address", Text, nullable=False, default=""),
    Column("notes", Text, nullable=False, default=""),
    Column("requirements", Text, nullable=False, default=""),
    Column("third_party_email", Text, nullable=False, default=""),
    Column("consent_at", UTCDateTime, nullable=False),
    Column("locale", String(8), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("meeting_url", Text, nullable=False, default=""),
    Column("sequence", Integer, nullable=False, default=0),
    Column("cancel_reason", Text, nullable=False, default="", server_default=""),
    Column("attendance_at", UTCDateTime, nullable=True),  # "I'll be there", pressed
    Column("erased_at", UTCDateTime, nullable=True),  # personal data erased (retention)
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Citizens waiting for a seat of a service to free up, first come, first served. A wish
# narrows what they can make: a day, or a part of the day (morning, afternoon) until a day.
waitlist = Table(
    "waitlist",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, nullable=False, index=True),
    Column("service_id", String(32), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("day", Date, nullable=True),  # only this day
    Column("part", String(16), nullable=False, default=""),  # "", morning, afternoon
    Column("until", Date, nullable=True),  # no later than this day
    Column("status", String(16), nullable=False),  # waiting, booked, left
    Column("locale", String(8), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # When the citizen was told a seat went past them at their limit of bookings: once.
    Column("told_limit_at", UTCDateTime, nullable=True),
)

# A freed seat offered to one citizen of the waitlist, held for them until it expires.
offers = Table(
    "offers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entry_id", Integer, ForeignKey("waitlist.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("service_id", String(32), nullable=False),
    Column("desk", String(32), nullable=False),
    Column("seat", Integer, nullable=False),
    Column("start_at", UTCDateTime, nullable=False),
    Column("end_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),  # open, taken, declined, expired, withdrawn
    Column("booking_id", Integer, nullable=True),  # the booking it became
    Column("created_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime, nullable=True),
    Column("message_id", BigInteger, nullable=True),  # the offer as sent: edited when it ends
)

# One row per 5-minute cell and desk seat a booking (or an open offer) occupies: the
# primary key is what makes a double booking impossible, whatever the application code does.
holds = Table(
    "holds",
    metadata,
    Column("desk", String(32), primary_key=True),
    Column("cell", UTCDateTime, primary_key=True),
    Column("seat", Integer, primary_key=True),
    _booking_id(nullable=True, index=True),
    Column("offer_id", Integer, ForeignKey("offers.id", ondelete="CASCADE"), nullable=True,
           index=True),
)

booking_events = Table(
    "booking_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _booking_id(nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", BigInteger, nullable=True),  # Telegram user id; None for the system
    Column("kind", String(32), nullable=False),
    Column("data", JSON, nullable=False),
)

# The Telegram messages that show a booking, so that a change updates every one of them.
booking_messages = Table(
    "booking_messages",
    metadata,
    _booking_id(primary_key=True),
    Column("chat_id", BigInteger, primary_key=True),
    Column("message_id", BigInteger, primary_key=True),
    Column("kind", String(32), nullable=False),
)

# What is due to be sent, and when: one repeating job sends it and marks it sent.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _booking_id(nullable=True, index=True),
    Column("kind", String(32), nullable=False),
    Column("chat_id", BigInteger, nullable=True),  # where it goes (None: decided when sent)
    Column("due_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),  # pending, sent, dropped, failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=False, default=""),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("payload", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # A sender claims an item before sending it: until the lease ends no other sender (of
    # this or another instance) takes it; a dead sender's items are taken again after it.
    Column("claimed_at", UTCDateTime, nullable=True, index=True),
    Column("claimed_until", UTCDateTime, nullable=True),
    Column("claimed_by", String(64), nullable=True),
)

# Chats Telegram asked us to wait for (429): their items wait, nobody else's do.
chat_throttles = Table(
    "chat_throttles",
    metadata,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("until", UTCDateTime, nullable=False),
)

# The daily jobs (digests, retention, purges), run once a day by one instance of many.
daily_runs = Table(
    "daily_runs",
    metadata,
    Column("job", String(32), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("instance", String(64), nullable=False),
)

# The message in a staff chat that shows the day's agenda, edited as bookings change.
day_agendas = Table(
    "day_agendas",
    metadata,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("day", Date, primary_key=True),
    Column("message_id", BigInteger, nullable=False),
)

# Citizens' ratings after their appointment.
feedback = Table(
    "feedback",
    metadata,
    _booking_id(primary_key=True),
    Column("rating", Integer, nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
)

# Days closed by an admin (/close), for a municipality, a group or a service.
closures = Table(
    "closures",
    metadata,
    Column("day", Date, primary_key=True),
    Column("scope_kind", String(16), primary_key=True),  # municipality, group, service
    Column("scope_id", String(32), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("created_by", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# Where each chat's conversation stands: the step of the booking flow (None outside it),
# the draft, the revision of the screen shown (its buttons carry it), the message that
# shows it, and what an admin was asked to confirm. Read and written by every update.
chats = Table(
    "chats",
    metadata,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("step", String(32), nullable=True),
    Column("draft", JSON, nullable=True),
    Column("revision", Integer, nullable=False, default=0),
    Column("message_id", BigInteger, nullable=False, default=0),
    Column("pending", JSON, nullable=True),
    # The chat's latest update ids, written with the update's effects: one delivered
    # twice (Telegram retries what was not acknowledged) is known and not processed again.
    Column("seen", JSON, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

# The draft each booking (or change of one) came from: confirming a draft twice yields the
# booking it made, never a second one.
confirmed_drafts = Table(
    "confirmed_drafts",
    metadata,
    Column("draft_id", String(32), primary_key=True),
    _booking_id(nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
)

Index("ix_bookings_service_start", bookings.c.service_id, bookings.c.start_at)
# The calendar reads a month of one desk from this index alone (bookings.seats_taken).
Index("ix_bookings_desk_seats", bookings.c.desk, bookings.c.start_at, bookings.c.end_at,
      bookings.c.seat, bookings.c.status)
Index("ix_waitlist_service_status", waitlist.c.service_id, waitlist.c.status,
      waitlist.c.created_at)
Index("ix_offers_desk_status", offers.c.desk, offers.c.status, offers.c.start_at)
Index("ix_outbox_chat_sent", outbox.c.chat_id, outbox.c.sent_at)
# What is still to send, by when: the sender's one query; sent items do not weigh on it.
Index("ix_outbox_pending", outbox.c.due_at, sqlite_where=outbox.c.status == "pending",
      postgresql_where=outbox.c.status == "pending")
