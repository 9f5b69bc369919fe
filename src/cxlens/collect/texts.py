"""Built-in wording of surveys, pages and invitations, per language.

A survey's own ``texts`` override any of these; a language a survey offers must either be here
or give every text itself (the survey loader says which ones are missing). Keys:

* ``question.nps|csat|ces`` — the scored question (``{subject}`` is the survey's name);
* ``follow_up`` / ``follow_up_low`` — the open question after a score, the second for low scores
  (detractors, dissatisfied, "it was hard");
* page and e-mail wording, ``low``/``high`` labels of the scale.
"""

from __future__ import annotations

__all__ = ["BUILTIN_LANGUAGES", "BUILTIN_TEXTS", "TEXT_KEYS"]

BUILTIN_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "question.nps": "How likely are you to recommend us to a friend or colleague?",
        "question.csat": "How satisfied are you with {subject}?",
        "question.ces": "It was easy to get what I needed. How much do you agree?",
        "question.text": "What would you like to tell us?",
        "low.nps": "Not at all likely", "high.nps": "Extremely likely",
        "low.csat": "Very dissatisfied", "high.csat": "Very satisfied",
        "low.ces": "Strongly disagree", "high.ces": "Strongly agree",
        "follow_up": "What is the main reason for your score?",
        "follow_up_low": "What went wrong? What should we fix first?",
        "submit": "Send",
        "thank_you": "Thank you! Your answer helps us do better.",
        "saved": "Your score is saved.",
        "email_subject": "{subject}: one question, one click",
        "email_intro": "Hello {name}, we would love to hear how it went. Click a number to answer:",
        "email_footer": "You get this e-mail because you are our customer.",
        "unsubscribe": "Unsubscribe from surveys",
        "unsubscribe_confirm": "Stop sending me surveys",
        "unsubscribed": "Done: you will not get survey invitations from us again.",
        "sms": "{subject}: how did it go? Answer here: {link}",
        "invalid": "This survey link is not valid. It may have been copied only in part.",
        "expired": "This survey link has expired. Thank you for your interest!",
        "choose": "Choose one",
        "skip_note": "All questions are optional.",
    },
    "fi": {
        "question.nps": "Kuinka todennäköisesti suosittelisit meitä ystävällesi tai kollegallesi?",
        "question.csat": "Kuinka tyytyväinen olet: {subject}?",
        "question.ces": "Sain helposti sen, mitä tarvitsin. Kuinka samaa mieltä olet?",
        "question.text": "Mitä haluaisit kertoa meille?",
        "low.nps": "En lainkaan todennäköisesti", "high.nps": "Erittäin todennäköisesti",
        "low.csat": "Erittäin tyytymätön", "high.csat": "Erittäin tyytyväinen",
        "low.ces": "Täysin eri mieltä", "high.ces": "Täysin samaa mieltä",
        "follow_up": "Mikä on tärkein syy antamaasi arvosanaan?",
        "follow_up_low": "Mikä meni vikaan? Mitä meidän pitäisi korjata ensin?",
        "submit": "Lähetä",
        "thank_you": "Kiitos! Vastauksesi auttaa meitä parantamaan.",
        "saved": "Arvosanasi on tallennettu.",
        "email_subject": "{subject}: yksi kysymys, yksi klikkaus",
        "email_intro": "Hei {name}, kertoisitko, miten meni? Vastaa klikkaamalla numeroa:",
        "email_footer": "Saat tämän viestin, koska olet asiakkaamme.",
        "unsubscribe": "Peru kyselyt",
        "unsubscribe_confirm": "Älä lähetä minulle kyselyjä",
        "unsubscribed": "Valmis: et saa meiltä enää kyselykutsuja.",
        "sms": "{subject}: miten meni? Vastaa tästä: {link}",
        "invalid": "Tämä kyselylinkki ei ole kelvollinen. Se on ehkä kopioitu vain osittain.",
        "expired": "Tämä kyselylinkki on vanhentunut. Kiitos mielenkiinnostasi!",
        "choose": "Valitse yksi",
        "skip_note": "Kaikki kysymykset ovat vapaaehtoisia.",
    },
    "de": {
        "question.nps": "Wie wahrscheinlich ist es, dass Sie uns einem Freund oder Kollegen empfehlen?",
        "question.csat": "Wie zufrieden sind Sie mit: {subject}?",
        "question.ces": "Es war einfach, das zu bekommen, was ich brauchte. Wie sehr stimmen Sie zu?",
        "question.text": "Was möchten Sie uns mitteilen?",
        "low.nps": "Überhaupt nicht wahrscheinlich", "high.nps": "Äußerst wahrscheinlich",
        "low.csat": "Sehr unzufrieden", "high.csat": "Sehr zufrieden",
        "low.ces": "Stimme überhaupt nicht zu", "high.ces": "Stimme voll zu",
        "follow_up": "Was ist der wichtigste Grund für Ihre Bewertung?",
        "follow_up_low": "Was ist schiefgelaufen? Was sollten wir zuerst verbessern?",
        "submit": "Senden",
        "thank_you": "Vielen Dank! Ihre Antwort hilft uns, besser zu werden.",
        "saved": "Ihre Bewertung ist gespeichert.",
        "email_subject": "{subject}: eine Frage, ein Klick",
        "email_intro": "Hallo {name}, wie ist es gelaufen? Klicken Sie auf eine Zahl:",
        "email_footer": "Sie erhalten diese E-Mail, weil Sie unser Kunde sind.",
        "unsubscribe": "Umfragen abbestellen",
        "unsubscribe_confirm": "Keine Umfragen mehr senden",
        "unsubscribed": "Erledigt: Sie erhalten keine Umfrage-Einladungen mehr von uns.",
        "sms": "{subject}: Wie war es? Antworten Sie hier: {link}",
        "invalid": "Dieser Umfragelink ist ungültig. Vielleicht wurde er nur teilweise kopiert.",
        "expired": "Dieser Umfragelink ist abgelaufen. Danke für Ihr Interesse!",
        "choose": "Bitte wählen",
        "skip_note": "Alle Fragen sind freiwillig.",
    },
    "es": {
        "question.nps": "¿Qué probabilidad hay de que nos recomiende a un amigo o colega?",
        "question.csat": "¿Qué tan satisfecho está con {subject}?",
        "question.ces": "Fue fácil conseguir lo que necesitaba. ¿Cuánto está de acuerdo?",
        "question.text": "¿Qué le gustaría contarnos?",
        "low.nps": "Nada probable", "high.nps": "Muy probable",
        "low.csat": "Muy insatisfecho", "high.csat": "Muy satisfecho",
        "low.ces": "Totalmente en desacuerdo", "high.ces": "Totalmente de acuerdo",
        "follow_up": "¿Cuál es el motivo principal de su puntuación?",
        "follow_up_low": "¿Qué salió mal? ¿Qué deberíamos arreglar primero?",
        "submit": "Enviar",
        "thank_you": "¡Gracias! Su respuesta nos ayuda a mejorar.",
        "saved": "Su puntuación está guardada.",
        "email_subject": "{subject}: una pregunta, un clic",
        "email_intro": "Hola {name}, ¿cómo le fue? Haga clic en un número para responder:",
        "email_footer": "Recibe este correo porque es nuestro cliente.",
        "unsubscribe": "Darse de baja de las encuestas",
        "unsubscribe_confirm": "No enviarme más encuestas",
        "unsubscribed": "Hecho: no recibirá más invitaciones a encuestas.",
        "sms": "{subject}: ¿cómo le fue? Responda aquí: {link}",
        "invalid": "Este enlace de encuesta no es válido. Puede que se haya copiado solo en parte.",
        "expired": "Este enlace de encuesta ha caducado. ¡Gracias por su interés!",
        "choose": "Elija una opción",
        "skip_note": "Todas las preguntas son opcionales.",
    },
}

BUILTIN_LANGUAGES: tuple[str, ...] = tuple(BUILTIN_TEXTS)
TEXT_KEYS: tuple[str, ...] = tuple(BUILTIN_TEXTS["en"])
