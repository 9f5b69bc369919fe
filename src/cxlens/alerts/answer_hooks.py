"""The store's hooks for new answers, mentions and tickets (:mod:`cxlens.store.hooks`): the
answer rules, acting at once (:mod:`cxlens.alerts.answers`) or just after the writer's
transaction (:mod:`cxlens.alerts.answer_queue`)."""

from __future__ import annotations

from .answer_queue import items_committed, queue_new_items
from .answers import check_new_items, watch_new_items

__all__ = ["check_new_items", "items_committed", "queue_new_items", "watch_new_items"]
