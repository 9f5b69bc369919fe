"""The sender as a Huey job: ``huey_consumer cxlens.collect.jobs.huey``.

Huey only wakes the sender, once a minute; what to send is read from the ``invitations`` table
(due_at, status), which is the truth. So the queue holds nothing that matters: deleting
``jobs.db`` or restarting the consumer loses no invitation, and the claim in
:func:`~cxlens.collect.triggers.send_due` makes sure two consumers never send one twice.

The queue is a SqliteHuey file in the data directory (``CXLENS_JOBS_FILE`` overrides), also
when the store is PostgreSQL: it only carries wake-ups. ``cxlens invitations send --every 60``
does the same without Huey. Importing this module creates the queue file.
"""

from __future__ import annotations

import os

from huey import SqliteHuey, crontab

from ..config import settings
from ..store import open_store
from .channels import EmailSender
from .invitations import Collection
from .policy import policy_from_env
from .triggers import SendReport, send_due

__all__ = ["huey", "send_due_invitations", "wake_sender"]


def _queue_file() -> str:
    path = os.environ.get("CXLENS_JOBS_FILE") or str(settings().data_dir / "jobs.db")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    return path


huey = SqliteHuey("cxlens", filename=_queue_file())
_collection: Collection | None = None


def _sender_run() -> SendReport:
    global _collection
    if _collection is None:
        _collection = Collection(open_store(), policy=policy_from_env())
    return send_due(_collection, {"email": EmailSender(_collection.policy.smtp)})


@huey.periodic_task(crontab(minute="*"))
def send_due_invitations() -> str:
    """Every minute: send what is due."""
    return _sender_run().summary()


@huey.task()
def wake_sender() -> str:
    """Send what is due now (enqueue it with ``wake_sender.schedule(eta=…)`` to be exact)."""
    return _sender_run().summary()
