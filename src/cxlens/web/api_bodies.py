"""The request bodies of the collection API, as Pydantic models: what the OpenAPI document
shows (so clients and schema-driven fuzzers know them). The endpoints check bodies by hand
(:mod:`cxlens.collect.events`, the importer, the journeys loader) so that every bad field of a
batch is named in one 422; these models say the same in JSON Schema.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..collect.events import MAX_BATCH
from ..limits import MAX_COMMENT_CHARS

__all__ = ["EventsBody", "ResponsesBody", "SurveysBody", "WidgetAnswer"]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CustomerIn(_Closed):
    """A customer that an event creates or updates."""

    external_id: str = Field(min_length=1, max_length=200, description="the customer's id in your system")
    name: str | None = Field(None, max_length=300)
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=50)
    locale: str | None = Field(None, max_length=35)
    timezone: str | None = Field(None, max_length=64, description="an IANA zone, e.g. Europe/Helsinki")
    segment: str | None = Field(None, max_length=100)
    plan: str | None = Field(None, max_length=100)


class EventIn(_Closed):
    """Something that happened to a customer at a touchpoint."""

    customer: str | CustomerIn = Field(description="an external_id, or an object that creates or updates it")
    touchpoint: str = Field(description="a touchpoint key of the journeys file")
    occurred_at: str = Field(description="ISO 8601 with an offset, e.g. 2026-03-02T10:00:00Z")
    external_id: str | None = Field(None, min_length=1, max_length=200, description="makes a resend a no-op")
    channel: str | None = Field(None, min_length=1, max_length=50)
    properties: dict[str, Any] | None = None


class EventBatch(_Closed):
    events: list[EventIn] = Field(min_length=1, max_length=MAX_BATCH)


EventsBody = EventIn | Annotated[list[EventIn], Field(min_length=1, max_length=MAX_BATCH)] | EventBatch


class ResponseIn(BaseModel):
    """One answer collected elsewhere: the fields of the ``responses`` import kind."""

    external_id: str = Field(min_length=1, max_length=200)
    survey: str = Field(description="a survey key")
    submitted_at: str = Field(description="ISO 8601 with an offset")
    score: int | None = None
    customer: str | None = Field(None, description="the customer's external_id")
    touchpoint: str | None = None
    channel: str | None = Field(None, max_length=50)
    comment: str | None = Field(None, max_length=MAX_COMMENT_CHARS)
    language: str | None = Field(None, max_length=35)


class ResponseBatch(BaseModel):
    responses: list[ResponseIn] = Field(min_length=1, max_length=MAX_BATCH)


ResponsesBody = ResponseIn | Annotated[list[ResponseIn], Field(min_length=1, max_length=MAX_BATCH)] | ResponseBatch


class SurveyIn(BaseModel):
    """A survey, with the fields of a surveys YAML file (README)."""

    key: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    metric: Literal["nps", "csat", "ces", "text"]
    touchpoint: str | None = None
    scale: str | None = Field(None, description="e.g. 1-5")
    languages: list[str] | None = None
    questions: list[dict[str, Any]] | None = None
    texts: dict[str, dict[str, str]] | None = None
    trigger: dict[str, Any] | None = None
    channels: list[str] | None = None
    fatigue_days: int | None = None
    sampling: float | None = None
    widget: dict[str, Any] | None = None


class SurveysBody(_Closed):
    surveys: list[SurveyIn] = Field(min_length=1)


class WidgetAnswer(BaseModel):
    """What the widget posts: its id for this answer, the score, later the comment."""

    id: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$", description="the widget's id for this answer")
    score: int | None = None
    comment: str | None = Field(None, max_length=MAX_COMMENT_CHARS)
    language: str | None = Field(None, max_length=35)
    form: str | None = Field(
        None,
        max_length=500,
        description="the signed issue time from GET /w/{survey}/form; an answer without one is quarantined",
    )
