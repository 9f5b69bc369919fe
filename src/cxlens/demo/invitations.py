"""The demo's invitations: those of the last ``COLLECTION_DAYS``, consistent with the answers."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from ..store import schema
from ..store.bulk import upsert
from .company import DAY_US, DEFAULT_DELAY, PENDING_SHARE, RESPONSE_RATE, SKIPPED_SHARE, TRIGGER_DELAY

__all__ = ["InvitationHistory"]


class InvitationHistory:
    """The invitation part of the demo generator (a base of its ``_Demo``: it uses the
    generator's random numbers, customers and answers, in the order the generator draws them)."""

    def invitations(self, total_responses: int) -> None:
        """The invitations of the last ``COLLECTION_DAYS``, consistent with the answers: run
        after ``responses``. An answered invitation takes its response's number as id (so the
        response links to it in one UPDATE); the others are numbered after the responses."""
        if not self.answered:
            return
        number, survey, who, anchor, submitted = (np.concatenate(parts) for parts in zip(*self.answered))
        self.answered = []
        rng = self.inv_rng
        # Sent between the event (plus the trigger's delay, when there is room) and the answer.
        delay = np.full(len(survey), int(DEFAULT_DELAY * 1e6), np.int64)
        for key, seconds in TRIGGER_DELAY.items():
            delay[survey == key] = int(seconds * 1e6)
        sent = anchor + np.minimum(delay, ((submitted - anchor) * rng.uniform(0.2, 0.8, len(number))).astype(np.int64))
        parts = [
            self._invitation_rows(
                number, survey, who, sent - rng.integers(0, 120_000_000, len(number)), sent, anchor, "answered"
            )
        ]
        next_id = total_responses + 1
        unanswered = []
        for key, rate in RESPONSE_RATE.items():
            k = int(round((survey == key).sum() * (1 / rate - 1)))
            drawn = self._invited(key, k, anchor[survey == key])
            if drawn is not None:
                unanswered.append(drawn)
        if unanswered:
            u_survey, u_who, u_due, u_anchor = (np.concatenate(x) for x in zip(*unanswered))
            ids = np.arange(next_id, next_id + len(u_who))
            next_id += len(ids)
            parts.append(self._invitation_rows(ids, u_survey, u_who, u_due, u_due, u_anchor, "sent"))
        sent_who = np.concatenate([who] + ([u_who] if unanswered else []))
        sent_at = np.concatenate([sent] + ([u_due] if unanswered else []))
        skipped, opt_outs = self._skipped(sent_who, sent_at, next_id)
        parts += skipped
        table = pa.concat_tables(parts)
        self._write_invitations(table, opt_outs)

    def _invited(self, key: str, k: int, answered: np.ndarray):
        """``k`` invitations to survey ``key`` sent after its touchpoint's recent events other
        than the ``answered`` ones: (survey, customer, sent at, event at), or None when there
        is nothing left to invite about."""
        tp = "support-email" if key == "support-csat" else self.surveys[key].touchpoint
        customers, times = self.anchors.get(tp, (np.zeros(0, np.int64), np.zeros(0, np.int64)))
        delay = int(TRIGGER_DELAY.get(key, DEFAULT_DELAY) * 1e6)
        due = times + delay
        fits = (due >= self.collect_from_us) & (due < self._active_until()[customers] - 1)
        # Events nobody answered, if there are any left; drawn with repetition as the answers
        # are (a demo with few customers has more answers than events).
        pool = (
            np.flatnonzero(fits & ~np.isin(times, answered))
            if (fits & ~np.isin(times, answered)).any()
            else np.flatnonzero(fits)
        )
        if k <= 0 or not len(pool):
            return None
        pick = self.inv_rng.choice(pool, k)
        return np.full(len(pick), key), customers[pick], due[pick], times[pick]

    def _skipped(
        self, sent_who: np.ndarray, sent_at: np.ndarray, next_id: int
    ) -> tuple[list[pa.Table], pa.Table | None]:
        """Invitations the rules skipped, and the opt-outs behind the ``opted_out`` ones."""
        rng, n = self.inv_rng, len(sent_who)
        keys = np.array(list(RESPONSE_RATE))
        parts, opt_outs = [], None
        # Fatigue: a second survey due within the fatigue window after a sent one.
        k = int(n * SKIPPED_SHARE["fatigue"])
        if k and n:
            base = rng.integers(0, n, k)
            due = sent_at[base] + (rng.uniform(1, 13, k) * DAY_US).astype(np.int64)
            ok = due < np.minimum(self._active_until()[sent_who[base]], self.end_us) - 1
            base, due = base[ok], due[ok]
            ids = np.arange(next_id, next_id + len(base))
            next_id += len(ids)
            parts.append(
                self._invitation_rows(
                    ids, rng.choice(keys, len(base)), sent_who[base], due, None, due, "skipped", "fatigue"
                )
            )
        # Opted out: customers who got no survey in the period said no before it began.
        invited = np.zeros(self.n_customers, bool)
        invited[sent_who] = True
        quiet = np.flatnonzero(~invited & (self._active_until() > self.collect_from_us + DAY_US))
        k = min(int(n * SKIPPED_SHARE["opted_out"]), len(quiet))
        if k:
            who = rng.choice(quiet, k, replace=False)
            room = self._active_until()[who] - 1 - self.collect_from_us
            due = self.collect_from_us + (rng.random(k) * room).astype(np.int64)
            ids = np.arange(next_id, next_id + k)
            next_id += k
            parts.append(self._invitation_rows(ids, rng.choice(keys, k), who, due, None, due, "skipped", "opted_out"))
            opted_at = self.collect_from_us - (rng.uniform(1, 300, k) * DAY_US).astype(np.int64)
            opt_outs = pa.table({"customer": who, "created_at": self._ts(np.maximum(opted_at, self.signup_us[who]))})
        # Too late: due while the sender was down for longer than max_late_days.
        k = int(n * SKIPPED_SHARE["too_late"])
        if k and n:
            base = rng.integers(0, n, k)
            ids = np.arange(next_id, next_id + k)
            next_id += k
            parts.append(
                self._invitation_rows(
                    ids, rng.choice(keys, k), sent_who[base], sent_at[base], None, sent_at[base], "skipped", "too_late"
                )
            )
        # Pending: due in the last hours before the end, held by quiet hours or the next round.
        active = np.flatnonzero(~self.churned)
        k = min(int(n * PENDING_SHARE), len(active))
        if k:
            who = rng.choice(active, k, replace=False)
            due = self.end_us - 1 - (rng.random(k) * 8 * 3600e6).astype(np.int64)
            ids = np.arange(next_id, next_id + k)
            parts.append(self._invitation_rows(ids, rng.choice(keys, k), who, due, None, due - DAY_US, "pending"))
        return parts, opt_outs

    def _invitation_rows(
        self, ids, survey, who, due, sent, created, status: str, reason: str | None = None
    ) -> pa.Table:
        n = len(ids)
        return pa.table(
            {
                "id": pa.array(np.asarray(ids, np.int64)),
                "survey": pa.array(np.asarray(survey, dtype=str)),
                "customer": pa.array(np.asarray(who, np.int64)),
                "channel": pa.array(np.full(n, "email")),
                "due_at": self._ts(due),
                "sent_at": self._ts(
                    np.zeros(n, np.int64) if sent is None else sent, None if sent is not None else np.zeros(n, bool)
                ),
                "status": pa.array(np.full(n, status)),
                "reason": pa.array(np.full(n, reason or ""), mask=np.full(n, reason is None)),
                "created_at": self._ts(np.minimum(created, due)),
            }
        )

    def _write_invitations(self, table: pa.Table, opt_outs: pa.Table | None) -> None:
        """Bulk-write the invitations (ids given), link the answered ones' responses, record
        the opt-outs; in one transaction."""
        with self.store.begin() as conn:
            survey_ids = dict(conn.execute(sa.select(schema.surveys.c.key, schema.surveys.c.id)).all())
            customer_ids = self._customer_ids(conn)
            keys, index = np.unique(table.column("survey").to_numpy(zero_copy_only=False), return_inverse=True)
            data = pa.table(
                {
                    "id": table.column("id"),
                    "survey_id": pa.array(np.array([survey_ids[k] for k in keys], np.int64)[index]),
                    "customer_id": pa.array(customer_ids[table.column("customer").to_numpy()]),
                    **{c: table.column(c) for c in ("channel", "due_at", "sent_at", "status", "reason", "created_at")},
                    "token_nonce": pc.binary_join_element_wise(
                        pa.scalar("demo-"), pc.cast(table.column("id"), pa.string()), ""
                    ),
                }
            )
            written = upsert(conn, schema.invitations, data, key=("token_nonce",)).inserted
            if conn.dialect.name == "postgresql":  # ids were given: move the sequence past them
                conn.execute(
                    sa.text(
                        "SELECT setval(pg_get_serial_sequence('invitations', 'id'), "
                        "(SELECT coalesce(max(id), 1) FROM invitations))"
                    )
                )
            r = schema.responses
            start = datetime.fromtimestamp(self.collect_from_us / 1e6, timezone.utc)
            # The answered invitation of response resp-N is invitation N (see invitations()).
            conn.execute(
                r.update()
                .where(r.c.submitted_at >= start, r.c.channel == "email", r.c.external_id.like("resp-%"))
                .values(invitation_id=sa.cast(sa.func.substr(r.c.external_id, 6), sa.BigInteger))
            )
            if opt_outs is not None and opt_outs.num_rows:
                conn.execute(
                    schema.opt_outs.insert(),
                    [
                        {
                            "customer_id": int(customer_ids[c]),
                            "channel": "email",
                            "source": "unsubscribe-link",
                            "created_at": at,
                        }
                        for c, at in zip(
                            opt_outs.column("customer").to_pylist(), opt_outs.column("created_at").to_pylist()
                        )
                    ],
                )
        self.summary.counts["invitations"] = written
        self.progress("invitations", written, written)

    def _customer_ids(self, conn: sa.Connection) -> np.ndarray:
        """The store's id of each demo customer, by its index (``cust-0000001`` is index 0)."""
        rows = conn.execute(
            sa.select(schema.customers.c.external_id, schema.customers.c.id).where(
                schema.customers.c.external_id.like("cust-%")
            )
        ).all()
        ids = np.zeros(self.n_customers, np.int64)
        ids[np.array([int(e[5:]) - 1 for e, _ in rows], np.int64)] = np.array([i for _, i in rows], np.int64)
        return ids
