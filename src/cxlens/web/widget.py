"""The embeddable web widget: ``<script src="https://cx.example.com/w/SURVEY.js" async></script>``.

``/w/{survey}.js`` is a small self-contained script (vanilla JS, no dependencies, nothing
fetched but its own answer) that shows the survey's scored question in a corner of the page,
posts the score as JSON the moment it is clicked, then offers the follow-up comment. It speaks
the page's language (``data-lang`` on the script tag, else the browser's). Answers go to
``POST /w/{survey}/responses``, which only accepts browsers on the survey's allowed origins
(``widget: {origins: [...]}`` in the survey file), answered with CORS headers for them alone.
A site that prefers an iframe can frame ``/s/open/{survey}`` instead.

Time to answer is measured on the server, as on the open link: when it is shown, the widget
fetches a signed issue time (``GET /w/{survey}/form``) and sends it with the answer. An answer
sent more than ``OPEN_FORM_MAX_AGE`` after it, or with another survey's or a forged token, is
refused (422, field ``form``). An answer without
one (a script cached from before, or a bot that skips the fetch) or sent sooner than
``OPEN_FORM_MIN_SECONDS`` after it (one click can be quick) is kept but quarantined: nothing a
person typed is lost, and nothing unverified moves a KPI until an admin releases it.
"""

from __future__ import annotations

import json
import re
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from ..collect.guarding import device_of, quarantine, suspicion
from ..collect.surveys import SurveyDefinition
from ..collect.tokens import WidgetClaim
from ..errors import InvalidAnswer, InvalidToken, UnknownSurvey
from .api_bodies import WidgetAnswer
from .deps import accepted_languages, client_address, collection_of, in_turn, public_limits_of, suspicions_of
from .guard import ERRORS, body_schema, json_body
from .survey_pages import OPEN_FORM_MAX_AGE, OPEN_FORM_MIN_SECONDS

__all__ = ["router", "widget_script"]

router = APIRouter(tags=["widget"])
_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

_SCRIPT = r"""(function () {
  "use strict";
  var S = __SURVEY__, T = __TEXTS__;
  var me = document.currentScript;
  var lang = (me && me.getAttribute("data-lang")) || (navigator.languages || [navigator.language || "en"])[0];
  function pick(l) { l = (l || "").toLowerCase(); return T[l] || T[l.split("-")[0]] || T[S.fallback]; }
  var t = pick(lang), id = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/[^A-Za-z0-9_-]/g, "");
  var box = document.createElement("section");
  box.setAttribute("aria-label", t.title);
  box.className = "cxlens-widget";
  box.style.cssText = "position:fixed;right:12px;bottom:12px;max-width:22rem;z-index:2147483000;background:#fff;color:#1a1a1a;" +
    "border:1px solid #1f4e79;border-radius:8px;padding:12px;font:15px/1.4 system-ui,sans-serif;box-shadow:0 2px 10px rgba(0,0,0,.2)";
  function el(tag, text, css) { var e = document.createElement(tag); if (text) e.textContent = text; if (css) e.style.cssText = css; return e; }
  var form = null;  // the server's signed time of showing, fetched as the widget appears
  fetch(S.form).then(function (r) { return r.ok ? r.json() : null; }).then(function (j) { if (j) form = j.form; }, function () {});
  function send(body, then) {
    body.id = id; body.language = t.lang; if (form) body.form = form;
    fetch(S.post, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)})
      .then(function (r) { if (r.ok) then(); });
  }
  function thanks() { box.textContent = ""; var p = el("p", t.thank_you, "margin:0"); p.setAttribute("role", "status"); box.appendChild(p); }
  function followUp(score) {
    box.textContent = "";
    var label = el("label", score <= S.low ? t.follow_up_low : t.follow_up, "display:block;font-weight:600;margin-bottom:6px");
    var area = el("textarea", "", "width:100%;min-height:4rem;font:inherit;box-sizing:border-box");
    area.id = "cxlens-comment-" + id; label.htmlFor = area.id;
    var button = el("button", t.submit, "margin-top:6px;padding:8px 16px;border:0;border-radius:6px;background:#1f4e79;color:#fff;font:inherit");
    button.type = "button";
    button.onclick = function () { send({score: score, comment: area.value}, thanks); };
    box.appendChild(label); box.appendChild(area); box.appendChild(button); area.focus();
  }
  var group = el("div", "", "display:flex;flex-wrap:wrap;gap:4px;margin:8px 0");
  group.setAttribute("role", "group");
  var q = el("p", t.question, "margin:0;font-weight:600"); q.id = "cxlens-q-" + id;
  group.setAttribute("aria-labelledby", q.id);
  for (var n = S.min; n <= S.max; n++) (function (n) {
    var b = el("button", String(n), "min-width:2.2rem;min-height:2.2rem;border:2px solid #1f4e79;border-radius:6px;background:#fff;color:#1f4e79;font-weight:700");
    b.type = "button";
    b.onclick = function () { send({score: n}, function () { followUp(n); }); };
    group.appendChild(b);
  })(n);
  var ends = el("div", S.min + " = " + t.low + " \u00b7 " + S.max + " = " + t.high, "font-size:12px");
  box.appendChild(q); box.appendChild(group); box.appendChild(ends);
  document.body.appendChild(box);
})();
"""


def _js(value) -> str:
    # JSON inside a script: "<" escaped so a text holding "</script>" cannot end it.
    return (
        json.dumps(value, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def widget_script(survey: SurveyDefinition, post_url: str) -> str:
    """The widget's JavaScript for one survey, with its texts in every language it speaks."""
    low_band = survey.is_low
    low, high = survey.scale
    # The widget asks one follow-up, the comment: the survey's own comment question when it has
    # one (what its hosted page asks too), else the built-in follow-up.
    comment = next((q for q in survey.questions if q.key == "comment"), None)
    texts = {}
    for lang in survey.languages:
        texts[lang] = {
            "lang": lang,
            "title": survey.title(lang),
            "question": survey.question_text(lang),
            "low": survey.text(f"low.{survey.metric}", lang),
            "high": survey.text(f"high.{survey.metric}", lang),
            "follow_up": survey.question_wording(comment, lang, high) if comment else survey.text("follow_up", lang),
            "follow_up_low": survey.question_wording(comment, lang, low)
            if comment
            else survey.text("follow_up_low", lang),
            "submit": survey.text("submit", lang),
            "thank_you": survey.text("thank_you", lang),
        }
    low_max = max((n for n in range(low, high + 1) if low_band(n)), default=low - 1)
    config = {
        "post": post_url,
        "form": post_url.rsplit("/", 1)[0] + "/form",
        "min": low,
        "max": high,
        "low": low_max,
        "fallback": survey.languages[0],
    }
    return _SCRIPT.replace("__SURVEY__", _js(config)).replace("__TEXTS__", _js(texts))


@router.get("/w/{survey_key}.js", include_in_schema=False)
def script(request: Request, survey_key: str) -> Response:
    collection = collection_of(request)
    try:
        survey = collection.catalog.by_key(survey_key)
    except UnknownSurvey as exc:
        return Response(f"/* {exc} */", status_code=404, media_type="text/javascript")
    if not survey.scored:
        return Response(
            f"/* the widget asks a score; {survey_key!r} is a text survey */",
            status_code=404,
            media_type="text/javascript",
        )
    post = f"{collection.policy.public_url}/w/{survey.key}/responses"
    return Response(
        widget_script(survey, post),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300"},
    )


def _cors(survey: SurveyDefinition, request: Request) -> dict[str, str] | None:
    origin = request.headers.get("origin")
    if not origin or origin not in survey.origins:
        return None
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


def _survey_or_404(request: Request, survey_key: str):
    try:
        return collection_of(request).catalog.by_key(survey_key)
    except UnknownSurvey:
        return None


@router.get(
    "/w/{survey_key}/form", summary="The widget's signed issue time, fetched when it is shown", responses=ERRORS
)
def form(request: Request, survey_key: str) -> JSONResponse:
    """``{"form": token}``: the survey and the time, signed; the answer sends it back. Readable
    by the survey's allowed origins only (CORS); nothing is stored."""
    survey = _survey_or_404(request, survey_key)
    if survey is None:
        return JSONResponse(
            {"detail": [{"field": "survey", "value": survey_key, "problem": "no such survey"}]}, status_code=404
        )
    collection = collection_of(request)
    token = WidgetClaim(survey.id, collection.now(), secrets.token_urlsafe(9)).token(collection.signer)
    headers = (_cors(survey, request) or {}) | {"Cache-Control": "no-store"}
    return JSONResponse({"form": token}, headers=headers)


def _refused_time(collection, survey: SurveyDefinition, token) -> str | None:
    """Why the widget's issue time refuses this answer, or None; measured on the server."""
    if not isinstance(token, str):
        return "is not a form token; the widget sends the one GET /w/{survey}/form gave it"
    try:
        claim = WidgetClaim.read(collection.signer, token)
    except InvalidToken:
        return "is not a form this server issued; reload the page and answer again"
    if claim.survey_id != survey.id:
        return "belongs to another survey; reload the page and answer again"
    if collection.now() - claim.issued_at > OPEN_FORM_MAX_AGE:
        return "is more than a day old; reload the page and answer again"
    return None


def _too_fast(collection, token: str | None) -> str | None:
    """Why an answer with a valid (or no) issue time is quarantined: none, or sooner after the
    widget appeared than a person reads a question. One click can be quick, so it is kept."""
    if token is None:
        return "no issue time: the widget's form token is missing"
    seconds = (collection.now() - WidgetClaim.read(collection.signer, token).issued_at).total_seconds()
    if seconds < OPEN_FORM_MIN_SECONDS:
        return f"too fast: answered {seconds:.0f} s after the widget appeared"
    return None


@router.options("/w/{survey_key}/responses", include_in_schema=False)
def preflight(request: Request, survey_key: str) -> Response:
    survey = _survey_or_404(request, survey_key)
    headers = _cors(survey, request) if survey else None
    if headers is None:
        return Response(status_code=403)
    headers.update(
        {
            "Access-Control-Allow-Methods": "POST",
            "Access-Control-Allow-Headers": "Content-Type",
            "Access-Control-Max-Age": "600",
        }
    )
    return Response(status_code=204, headers=headers)


@router.post(
    "/w/{survey_key}/responses",
    status_code=201,
    summary="An answer from the web widget",
    responses=ERRORS,
    openapi_extra=body_schema(WidgetAnswer),
)
async def answer(request: Request, survey_key: str) -> JSONResponse:
    survey = _survey_or_404(request, survey_key)
    if survey is None:
        return JSONResponse(
            {"detail": [{"field": "survey", "value": survey_key, "problem": "no such survey"}]}, status_code=404
        )
    headers = _cors(survey, request)
    if headers is None:
        origin = request.headers.get("origin")
        return JSONResponse(
            {
                "detail": [
                    {
                        "field": "Origin",
                        "value": origin,
                        "problem": "this page's origin may not answer this survey; add it to the survey's widget.origins",
                    }
                ]
            },
            status_code=403,
        )
    try:
        body = await json_body(request)
    except HTTPException as exc:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)
    if not isinstance(body, dict) or not isinstance(body.get("id"), str) or not _ID.match(body["id"]):
        return JSONResponse(
            {
                "detail": [
                    {
                        "field": "id",
                        "value": body.get("id") if isinstance(body, dict) else None,
                        "problem": "expected the widget's id: 8 to 64 letters, digits, - or _",
                    }
                ]
            },
            status_code=422,
            headers=headers,
        )
    collection = collection_of(request)
    refused = _refused_time(collection, survey, body["form"]) if body.get("form") is not None else None
    if refused:
        return JSONResponse(
            {"detail": [{"field": "form", "value": None, "problem": refused}]}, status_code=422, headers=headers
        )
    language = survey.language_for(
        body.get("language") if isinstance(body.get("language"), str) else None, *accepted_languages(request)
    )
    answers = {"comment": body["comment"]} if isinstance(body.get("comment"), str) else {}
    limited = public_limits_of(request).check(survey.id, client_address(request), body["id"], body["id"])
    if limited:
        what, wait = limited
        return JSONResponse(
            {"detail": [{"field": what, "value": None, "problem": f"too many answers; try again in {wait} s"}]},
            status_code=429,
            headers=headers | {"Retry-After": str(wait)},
        )
    external_id = f"widget:{survey.id}:{body['id']}"
    try:
        address = client_address(request)
        device = device_of(address, request.headers)  # the widget sets no cookie on its host's site
        reason = (
            suspicion(request.headers)
            or _too_fast(collection, body.get("form"))
            or suspicions_of(request).check(survey.id, address, device, body["id"])
        )
        if reason:
            collection.check_answer(survey, body.get("score"), answers)
            payload = {"score": body.get("score"), "answers": answers, "channel": "widget", "language": language}
            await in_turn(collection, quarantine, collection.store, survey.id, external_id, payload, reason)
            return JSONResponse({"id": None}, status_code=201, headers=headers)
        response_id = await in_turn(
            collection,
            collection.answer_anonymously,
            survey,
            external_id,
            body.get("score"),
            answers,
            "widget",
            language,
        )
    except InvalidAnswer as exc:
        return JSONResponse(
            {"detail": [{"field": exc.field, "value": body.get(exc.field), "problem": str(exc)}]},
            status_code=422,
            headers=headers,
        )
    return JSONResponse({"id": response_id}, status_code=201, headers=headers)
