"""Hosted survey pages: ``/s/{token}`` (an invitation), ``/s/open/{survey}`` (anonymous link or
QR code) and ``/u/{token}`` (unsubscribe).

Plain HTML forms, no JavaScript needed: step one asks the score (or takes it from the e-mail
link's ``?score=N``, saving it at once), step two asks the follow-up questions that apply to
that score, then the thank-you. Every text a customer or survey author typed is escaped by
Jinja2's autoescape. Pages answer in the customer's language: ``?lang=``, else the customer's
locale, else the browser's Accept-Language, else the survey's first language.

Mail scanners (see ``collect/invitations.py`` for the sweep rule): a ``HEAD`` request never
writes. FastAPI answers HEAD on these GET routes with 405 without running them; the handler
checks the method anyway, since a plain Starlette route would run it for HEAD. Nor does a user
agent that names itself as a link scanner or previewer (:data:`SCANNER_AGENTS`) write: it gets
the page with the link's score chosen, as does a click taken for part of a sweep. A person who
lands there confirms the score with the form's button.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ..collect import Collection
from ..collect.guarding import device_of, quarantine, suspicion
from ..collect.surveys import SurveyDefinition
from ..collect.tokens import InvitationClaim, OpenFormClaim
from ..errors import AnswerClosed, InvalidAnswer, InvalidToken, TokenExpired, UnknownSurvey
from .deps import accepted_languages, client_address, collection_of, in_turn, public_limits_of, suspicions_of
from .guard import page_policy

__all__ = ["OPEN_FORM_MAX_AGE", "OPEN_FORM_MIN_SECONDS", "router"]

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)

# An open form sent back faster than a person can read it is a bot; one older than a day is a
# page left open overnight, and gets a fresh form rather than a silent write.
OPEN_FORM_MIN_SECONDS = 2
OPEN_FORM_MAX_AGE = timedelta(days=1)
BROWSER_COOKIE = "cx_browser"  # a random id per browser, for the per-browser rate limit only
HONEYPOT = "website"  # hidden from people (and screen readers); bots fill every field
# User agents of mail security gateways and chat/link previewers, which fetch links nobody
# clicked. Most scanners pose as a browser; the sweep rule catches those.
SCANNER_AGENTS = re.compile(
    r"safelinks|microsoft office protection|proofpoint|urldefense|mimecast|barracuda|bingpreview|"
    r"google-safety|googleimageproxy|slackbot|slack-imgproxy|facebookexternalhit|twitterbot|linkedinbot|"
    r"whatsapp|telegrambot|discordbot|skypeuripreview|trendmicro|forcepoint|cisco|fireeye|symantec",
    re.IGNORECASE,
)


def _no_write(request: Request) -> bool:
    """Whether a score link fetch must write nothing: HEAD, or a scanner that says so."""
    return request.method == "HEAD" or bool(SCANNER_AGENTS.search(request.headers.get("user-agent", "")))


async def _form(request: Request) -> dict[str, list[str]]:
    body = (await request.body()).decode("utf-8", errors="replace")
    return parse_qs(body, keep_blank_values=True)


def _answers_from(form: dict[str, list[str]], survey: SurveyDefinition, score: int | None) -> dict:
    """The follow-up answers in a posted form: ``q.KEY`` fields of questions that apply."""
    answers = {}
    for q in survey.follow_ups(score):
        values = form.get(f"q.{q.key}")
        if values is None:
            continue
        answers[q.key] = values if q.type == "multiple" else values[0]
    return answers


def _page(request: Request, name: str, context: dict, status: int = 200) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status)


def _message(request: Request, language: str, title: str, text: str, status: int = 200) -> HTMLResponse:
    return _page(request, "survey_message.html", {"lang": language, "title": title, "text": text}, status)


_THANKS: dict[tuple[str, str, str], bytes] = {}


def _thanks(survey: SurveyDefinition, language: str) -> HTMLResponse:
    """The thank-you page. Every answer ends here and the page only depends on the survey's
    wording, so it is rendered once per survey, wording and language."""
    text = survey.text("thank_you", language)
    key = (survey.key, language, text)
    if key not in _THANKS:
        if len(_THANKS) > 10_000:
            _THANKS.clear()
        _THANKS[key] = (
            TEMPLATES.get_template("survey_message.html")
            .render(lang=language, title=survey.title(language), text=text)
            .encode()
        )
    return HTMLResponse(_THANKS[key])


def _bad_link(request: Request, exc: InvalidToken) -> HTMLResponse:
    from ..collect.wording import BUILTIN_TEXTS

    lang = accepted_languages(request)
    language = next((t.split("-")[0] for t in lang if t.split("-")[0] in BUILTIN_TEXTS), "en")
    # An answer past its change window is kept, not lost: say so, not that the link expired.
    key = "closed" if isinstance(exc, AnswerClosed) else "expired" if isinstance(exc, TokenExpired) else "invalid"
    return _message(
        request,
        language,
        BUILTIN_TEXTS[language][key],
        BUILTIN_TEXTS[language][key],
        410 if isinstance(exc, TokenExpired) else 400,
    )


def _survey_page(
    request: Request,
    survey: SurveyDefinition,
    language: str,
    action: str,
    score: int | None,
    answers: dict,
    hidden: dict,
    error: str | None = None,
    status: int = 200,
    chosen: int | None = None,
) -> HTMLResponse:
    """Step one (the score) when no score is known yet, else step two (the follow-ups)."""
    step = "score" if survey.scored and score is None else "follow_up"
    questions = [
        {
            "key": q.key,
            "type": q.type,
            "options": q.options,
            "answer": answers.get(q.key),
            "text": survey.question_wording(q, language, score),
            "scale": list(range(q.scale[0], q.scale[1] + 1)) if q.scale else [],
        }
        for q in survey.follow_ups(score)
    ]
    context = {
        "lang": language,
        "survey": survey,
        "step": step,
        "action": action,
        "hidden": hidden,
        "error": error,
        "question": survey.question_text(language),
        "score": score,
        "questions": questions,
        "scale": list(range(survey.scale[0], survey.scale[1] + 1)) if survey.scored else [],
        "low": survey.text(f"low.{survey.metric}", language) if survey.scored else "",
        "high": survey.text(f"high.{survey.metric}", language) if survey.scored else "",
        "t": lambda name: survey.text(name, language),
        "honeypot": HONEYPOT,
        "chosen": chosen,
        "option_text": lambda o: survey.wording(o.text, language),
        "title": survey.title(language),
    }
    return _page(request, "survey.html", context, status)


def _score_param(value: str | None) -> int | str | None:
    if value is None or value == "":
        return None
    return value


# -- anonymous links (registered first: /s/open/x must not read "open" as a token) ----------


@router.get("/s/open/{survey_key}", response_class=HTMLResponse)
def open_survey(request: Request, survey_key: str, lang: str | None = None):
    collection = collection_of(request)
    try:
        survey = collection.catalog.by_key(survey_key)
    except UnknownSurvey:
        return _message(request, "en", "Not found", "There is no such survey.", 404)
    language = survey.language_for(lang, *accepted_languages(request))
    form_token = OpenFormClaim(survey.id, collection.now(), secrets.token_urlsafe(12)).token(collection.signer)
    page = _survey_page(request, survey, language, request.url.path, None, {}, {"form": form_token, "lang": language})
    # The sites that embed the widget may frame the open survey instead; no other site may.
    page.headers["content-security-policy"] = page_policy(("'self'", *survey.origins))
    if not request.cookies.get(BROWSER_COOKIE):  # what the per-browser rate limit counts by
        page.set_cookie(BROWSER_COOKIE, secrets.token_urlsafe(16), max_age=365 * 86400, httponly=True, samesite="lax")
    return page


@router.post("/s/open/{survey_key}", response_class=HTMLResponse)
async def open_survey_answer(request: Request, survey_key: str):
    collection = collection_of(request)
    try:
        survey = collection.catalog.by_key(survey_key)
    except UnknownSurvey:
        return _message(request, "en", "Not found", "There is no such survey.", 404)
    form = await _form(request)
    language = survey.language_for((form.get("lang") or [None])[0], *accepted_languages(request))
    refused = _refused_open_form(collection, survey, form)
    if refused:
        return _message(request, language, survey.title(language), refused, 400)
    claim = OpenFormClaim.read(collection.signer, form["form"][0])
    limited = public_limits_of(request).check(
        survey.id, client_address(request), request.cookies.get(BROWSER_COOKIE), claim.nonce
    )
    if limited:
        page = _message(
            request, language, survey.title(language), f"Too many answers from here; try again in {limited[1]} s.", 429
        )
        page.headers["Retry-After"] = str(limited[1])
        return page
    score = _score_param((form.get("score") or [None])[0])
    hidden = {"form": form["form"][0], "lang": language}
    external_id = f"open:{survey.id}:{claim.nonce}"
    try:
        answers = _answers_from(form, survey, int(score) if isinstance(score, str) and score.isdigit() else None)
        address = client_address(request)
        device = device_of(address, request.headers, request.cookies.get(BROWSER_COOKIE))
        reason = suspicion(request.headers) or suspicions_of(request).check(survey.id, address, device, claim.nonce)
        if reason:
            collection.check_answer(survey, score, answers)
            payload = {"score": score, "answers": answers, "channel": "web", "language": language}
            await in_turn(collection, quarantine, collection.store, survey.id, external_id, payload, reason)
            return _after_answer(request, survey, language, form, hidden)
        await in_turn(
            collection,
            collection.answer_anonymously,
            survey,
            external_id,
            score,
            answers,
            "web",
            language,
        )
    except InvalidAnswer as exc:
        return _survey_page(request, survey, language, request.url.path, None, {}, hidden, str(exc), 422)
    return _after_answer(request, survey, language, form, hidden)


def _refused_open_form(collection: Collection, survey: SurveyDefinition, form: dict) -> str | None:
    """Why an open form is refused (bot or forged), or None. Nothing is written when refused."""
    if (form.get(HONEYPOT) or [""])[0]:
        return "This answer looks automated and was not saved."
    try:
        claim = OpenFormClaim.read(collection.signer, (form.get("form") or [""])[0])
    except InvalidToken:
        return "This form is not valid; reload the survey page and answer again."
    if claim.survey_id != survey.id:
        return "This form belongs to another survey; reload the survey page and answer again."
    age = collection.now() - claim.issued_at
    # Measured on the server from the signed form's issue time, whichever step is posted.
    if age < timedelta(seconds=OPEN_FORM_MIN_SECONDS) and "score" in form:
        return "This answer came too fast to be typed by a person and was not saved; please try again."
    if age > OPEN_FORM_MAX_AGE:
        return "This form is more than a day old; reload the survey page and answer again."
    return None


def _after_answer(request: Request, survey: SurveyDefinition, language: str, form: dict, hidden: dict) -> HTMLResponse:
    """After step one, step two (if any question applies); after step two, thanks."""
    score_text = (form.get("score") or [None])[0]
    score = int(score_text) if score_text and score_text.isdigit() else None
    if "step" not in form and survey.follow_ups(score):
        return _survey_page(
            request, survey, language, request.url.path, score, {}, {**hidden, "step": "2", "score": score_text or ""}
        )
    return _thanks(survey, language)


# -- invitation links --------------------------------------------------------------------


@router.get("/s/{token}", response_class=HTMLResponse)
def survey_page(request: Request, token: str, score: str | None = None, lang: str | None = None):
    collection = collection_of(request)
    try:
        view = collection.view(token)
    except InvalidToken as exc:
        return _bad_link(request, exc)
    survey = view.survey
    language = survey.language_for(lang, view.customer_locale, *accepted_languages(request))
    known = view.score
    if _score_param(score) is not None:
        try:
            # The click in the e-mail is the answer: saved before anything else is asked,
            # unless the fetch is a scanner's; then the person confirms it with the form.
            clicked = None if _no_write(request) else collection.click(token, score, language)
        except InvalidAnswer as exc:
            return _survey_page(
                request, survey, language, request.url.path, None, {}, {"lang": language}, str(exc), 422
            )
        if clicked is None:
            chosen = int(score) if score.isdigit() else None
            return _survey_page(
                request, survey, language, request.url.path, None, {}, {"lang": language}, chosen=chosen
            )
        known = int(score)
    if known is not None and not survey.follow_ups(known):
        return _thanks(survey, language)
    hidden = {"lang": language}
    if known is not None:
        hidden.update(step="2", score=str(known))
    return _survey_page(request, survey, language, request.url.path, known, view.answers, hidden)


async def survey_answer(request: Request) -> HTMLResponse:
    """The survey form posted back. A plain Starlette route, not a FastAPI one: every answer
    comes through here, and FastAPI's parameter machinery was a fifth of its CPU time."""
    token = request.path_params["token"]
    collection = collection_of(request)
    form = await _form(request)
    try:
        # The survey is known from the signed claim alone; answer() checks the link against
        # the store (and writes) in one transaction.
        claim = InvitationClaim.read(collection.signer, token, collection.now())
        survey = collection.catalog.by_id(claim.survey_id)
        score = _score_param((form.get("score") or [None])[0])
        as_int = int(score) if isinstance(score, str) and score.isdigit() else None
        lang = (form.get("lang") or [None])[0]
        answered = await in_turn(
            collection,
            collection.answer,
            token,
            score=score,
            answers=_answers_from(form, survey, as_int),
            language=survey.language_for(lang) if lang else None,
        )
    except InvalidToken as exc:
        return _bad_link(request, exc)
    except InvalidAnswer as exc:
        language = survey.language_for(lang, *accepted_languages(request))
        return _survey_page(request, survey, language, request.url.path, None, {}, {"lang": language}, str(exc), 422)
    return _after_answer(request, survey, answered.language, form, {"lang": answered.language})


router.add_route("/s/{token}", survey_answer, methods=["POST"], include_in_schema=False)


# -- unsubscribe ---------------------------------------------------------------------------


@router.get("/u/{token}", response_class=HTMLResponse)
def unsubscribe_page(request: Request, token: str):
    collection = collection_of(request)
    try:
        view = collection.view(token, unsubscribing=True)
    except TokenExpired:
        view = None  # unsubscribe links work for ever; the page just cannot name the survey
    except InvalidToken as exc:
        return _bad_link(request, exc)
    language = view.survey.language_for(view.customer_locale, *accepted_languages(request)) if view else "en"
    t = view.survey.text if view else (lambda name, lang: name)
    return _page(
        request,
        "survey_unsubscribe.html",
        {
            "lang": language,
            "title": t("unsubscribe", language),
            "confirm": t("unsubscribe_confirm", language),
            "action": request.url.path,
        },
    )


@router.post("/u/{token}", response_class=HTMLResponse)
def unsubscribe(request: Request, token: str):
    """The confirm button, and RFC 8058 one-click unsubscribe from the mail client."""
    collection = collection_of(request)
    try:
        collection.unsubscribe(token)
        view = collection.view(token, unsubscribing=True)
        language = view.survey.language_for(view.customer_locale, *accepted_languages(request))
        text = view.survey.text("unsubscribed", language)
    except TokenExpired:
        language, text = "en", "Done: you will not get survey invitations from us again."
    except InvalidToken as exc:
        return _bad_link(request, exc)
    return _message(request, language, text, text)
