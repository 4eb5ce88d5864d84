"""What a till knew before it was registered with head office, queued for it.

A till may trade for months before it is paired with head office, and the demo and some bulk
paths write history without outbox messages. Its ledger reaches head office by sequence number
anyway (the push starts at seq 1); the records do not: members, consents, sales and refunds
travel as outbox messages. `queue_history` writes the missing ones, in the same form the
services write them, so that head office recognises this till's members at every other till
and its reports (sales, RFM, cohorts, referrals) cover the whole history.

One INSERT ... SELECT per kind inside the caller's transaction, building the payload with
SQLite's json_object; only rows without a message of their own are queued (checked against a
temporary indexed copy of the outbox's keys), so running it again queues nothing.
Thread: the caller's (register_till, on the command line or a worker).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

# SQLite keeps datetimes as "YYYY-MM-DD HH:MM:SS.ffffff" (UTC): the services send isoformat()
_ISO = "replace({column}, ' ', 'T')"

_MEMBERS = """
INSERT INTO outbox (topic, ref, payload, created_at)
SELECT 'member', m.uuid, json_object(
         'uuid', m.uuid, 'name', m.name, 'phone', m.phone, 'email', m.email,
         'birthday', m.birthday, 'status', m.status, 'tier', m.tier_code,
         'referral_code', m.referral_code, 'notes', m.notes,
         'card', (SELECT c.number FROM cards c
                   WHERE c.member_id = m.id AND c.status = 'active')),
       :now
  FROM members m
 WHERE NOT EXISTS (SELECT 1 FROM temp.queued q WHERE q.topic = 'member' AND q.ref = m.uuid)
 ORDER BY m.id
"""

_CONSENTS = f"""
INSERT INTO outbox (topic, ref, payload, created_at)
SELECT 'consent', m.uuid, json_object(
         'member', m.uuid, 'kind', c.kind, 'action', c.action, 'sha256', c.text_sha256,
         'at', {_ISO.format(column="c.at")}, 'till', c.till_id, 'staff', c.staff_id),
       :now
  FROM consents c JOIN members m ON m.id = c.member_id
 WHERE c.till_id = :till
   AND NOT EXISTS (SELECT 1 FROM temp.queued q WHERE q.topic = 'consent' AND q.ref = m.uuid)
 ORDER BY c.id
"""

_SALES = f"""
INSERT INTO outbox (topic, ref, payload, created_at)
SELECT 'sale', s.id, json_object(
         'sale_id', s.id, 'till', s.till_id, 'receipt_no', s.receipt_no,
         'member', (SELECT m.uuid FROM members m WHERE m.id = s.member_id),
         'at', {_ISO.format(column="s.created_at")}, 'total', s.total,
         'discount', s.discount_total, 'points_earned', s.points_earned,
         'points_redeemed', s.points_redeemed),
       :now
  FROM sales s
 WHERE s.till_id = :till
   AND NOT EXISTS (SELECT 1 FROM temp.queued q WHERE q.topic = 'sale' AND q.ref = s.id)
 ORDER BY s.created_at, s.receipt_no
"""

_REFUNDS = f"""
INSERT INTO outbox (topic, ref, payload, created_at)
SELECT 'refund', r.id, json_object(
         'refund_id', r.id, 'sale_id', r.sale_id, 'till', r.till_id,
         'receipt_no', r.receipt_no, 'at', {_ISO.format(column="r.created_at")},
         'amount', r.amount, 'points_taken_back', r.points_taken_back,
         'points_given_back', r.points_given_back),
       :now
  FROM refunds r
 WHERE r.till_id = :till
   AND NOT EXISTS (SELECT 1 FROM temp.queued q WHERE q.topic = 'refund' AND q.ref = r.id)
 ORDER BY r.created_at, r.receipt_no
"""


@dataclass(frozen=True)
class QueuedHistory:
    members: int
    consents: int
    sales: int
    refunds: int

    @property
    def total(self) -> int:
        return self.members + self.consents + self.sales + self.refunds

    def summary(self) -> str:
        return (f"queued for head office: {self.members:,} members, {self.consents:,} "
                f"consents, {self.sales:,} sales, {self.refunds:,} refunds recorded before "
                "this till was registered")


def queue_history(session: Session, till_id: int, now: datetime) -> QueuedHistory:
    """Queue an outbox message for every member, and for every consent, sale and refund of
    this till, that has none yet. Consents: only members without any consent message, so a
    member whose consents already travel is not sent twice."""
    params = {"till": till_id, "now": now}
    # what already has a message, indexed once: the outbox has no index on (topic, ref), and
    # asking it per row made this quadratic (10 s for 5,000 members)
    session.execute(text("DROP TABLE IF EXISTS temp.queued"))
    session.execute(text("CREATE TEMP TABLE queued (topic TEXT, ref TEXT, "
                         "PRIMARY KEY (topic, ref)) WITHOUT ROWID"))
    session.execute(text("INSERT OR IGNORE INTO temp.queued SELECT topic, ref FROM outbox"))
    counts = [session.execute(text(statement), params).rowcount
              for statement in (_MEMBERS, _CONSENTS, _SALES, _REFUNDS)]
    session.execute(text("DROP TABLE temp.queued"))
    return QueuedHistory(*counts)
