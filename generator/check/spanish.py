"""Check stage, Spanish wording: orders, labels, promises, and tú among usted.

No Spanish model for our spaCy is on the package registry, so these rules
read words and what stands before them in their clause (generator/data/
wording-es.yaml says which). They give the same `Hit`s as the English rules,
with no rewrite: a Spanish rewrite is never sure to be grammatical, so each
finding offers a pattern instead.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from generator.check.parse import QUOTED, Hit, Voiced

#: Marks that close a sentence; a question (¿…?) is never judged.
_SENTENCE = re.compile(r"[^.!?…]+[.!?…]*")
#: What ends a clause: the words before a trigger are read back to here.
_CLAUSE = re.compile(r"[,;:()\u2014\u2013]|\s(?:y|pero|o|porque|pues)\s", re.IGNORECASE)
#: Quotation marks of every kind a Spanish text uses.
_QUOTED = re.compile(QUOTED.pattern + r"|«[^»]*»|\u2018[^\u2019]*\u2019")


@functools.cache
def data() -> dict[str, Any]:
    """The Spanish word lists (generator/data/wording-es.yaml)."""
    path = Path(__file__).resolve().parent.parent / "data" / "wording-es.yaml"
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def _words(phrases: Iterable[str]) -> str:
    """An alternation of phrases, longest first, each a whole word or words."""
    ordered = sorted({p.lower() for p in phrases}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in ordered) + ")"


def _whole(pattern: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + pattern + r"(?![\w-])", re.IGNORECASE)


@functools.cache
def _patterns() -> dict[str, re.Pattern[str]]:
    d = data()
    directive, shaming, register = d["directive"], d["shaming"], d["register"]
    commands = _words(directive["commands"])
    clitic = r"(?:(?:se|lo|la|le|les|los|las|me|nos|te)\s+)?"
    # What comes first in a clause: its start, a mark, or "y"/"pero".
    opens = r"(?:(?<=^)|(?<=^\s)|(?<=[,;:]\s)|(?<=\by\s)|(?<=\bpero\s))"
    return {
        "obligation": _whole(_words(directive["obligation"])),
        "denied_ok": _whole(_words(directive["denied_ok"])),
        "prohibition": _whole(r"(?:no|nunca|jamás)\s+" + clitic + commands),
        "always": _whole(r"siempre\s+" + clitic + commands),
        "state": _whole(_words(directive["states"])),
        # "Deje de culparse": an order to stop, at the head of its clause.
        "stop": re.compile(opens + r"(?:deje|dejes|deja)\s+de\s+\w+", re.IGNORECASE),
        "subordinate": _whole(_words(directive["subordinate"])),
        "insisting": _whole(_words(directive["insisting"])),
        "command": re.compile(r"^\W*(?:" + commands + r"|\w*[áéíóú]\w*(?:se|lo|la|le))\b", re.I),
        "label": _whole(_words([*shaming["labels"], *shaming["label_verbs"]])),
        "label_verb": re.compile(_words(shaming["label_verbs"]), re.IGNORECASE),
        "label_noun": _whole(r"(?:su|sus|tu|tus)\s+" + _words(shaming["label_nouns"])),
        # "Como víctima, usted…": a label laid on the reader as what they are.
        "label_as": re.compile(
            r"^\s*como\s+(?:una?\s+)?" + _words([*shaming["labels"], *shaming["imposed"]]) + r"\b",
            re.IGNORECASE,
        ),
        "label_always": _whole(_words(shaming["always"])),
        # "Nunca comparta…", "Siempre revise…": a verb, not one of how things are.
        "opening": re.compile(
            r"^\s*(?:nunca|jamás|siempre)\s+(?!" + _words(directive["not_commands"]) + r"\b)"
            r"\w+[ae]\b",
            re.IGNORECASE,
        ),
        "copula": _whole(_words(shaming["copulas"])),
        "between": _whole(_words(shaming["between"])),
        "people": _whole(_words(shaming["people"])),
        "promise": _whole("(?:" + "|".join(d["promise"]["phrases"]) + ")"),
        "promise_denied": _whole(_words(d["promise"]["not_said"])),
        "timetable": _whole(_words(d["promise"]["timetables"])),
        "tu": _whole(_words([*register["tu_words"], *register["tu_verbs"], *register["vos"]])),
        # Not "Nota: …" or "Prueba de embarazo": a noun that looks like the verb.
        "tu_opening": re.compile(
            r"^\s*" + _words(register["tu_imperatives"]) + r"(?![\w-])(?!\s*:)",
            re.IGNORECASE,
        ),
        # A tú command with its pronoun ("siéntate"), not an adverb ("rápidamente")
        # and not a noun after its article ("el intérprete").
        "tu_command": re.compile(
            r"(?<![\w-])(?<!\bel\s)(?<!\bla\s)(?<!\bun\s)(?<!\buna\s)(?<!\bsu\s)"
            r"(?!\w*mente\b)\w*[áéíóú]\w*te(?![\w-])",
            re.IGNORECASE,
        ),
        "usted": _whole(_words(register["usted_words"])),
        "usted_command": re.compile(r"(?<![\w-])(?!\w*mente\b)\w*[áéíóú]\w*se(?![\w-])", re.I),
    }


def _masked(piece: Voiced) -> str:
    """The text with quoted and italic spans (someone's own voice) blanked out."""
    text = list(piece.text)
    spans = [*piece.quoted, *((m.start(), m.end()) for m in _QUOTED.finditer(piece.text))]
    for start, end in spans:
        text[start:end] = " " * (end - start)
    return "".join(text)


def _sentences(text: str) -> Iterator[tuple[int, str, bool]]:
    """Each sentence, where it starts, and whether it asks (¿…?): a question claims nothing."""
    for match in _SENTENCE.finditer(text):
        sentence = match.group(0)
        if sentence.strip():
            asks = sentence.rstrip().endswith("?") or "¿" in sentence
            yield match.start(), sentence, asks


def _clause_before(sentence: str, index: int, clause: re.Pattern[str] = _CLAUSE) -> str:
    """The words of the trigger's clause that come before it."""
    before = sentence[:index]
    ends = list(clause.finditer(before))
    return before[ends[-1].end() :] if ends else before


def _hit(family: str, kind: str, match: re.Match[str], offset: int) -> Hit:
    said = match.group(0)
    phrase = " ".join(said.lower().split())
    if kind in ("prohibition", "always"):
        phrase = phrase.split()[-1]  # the command: "no haga" is allowed as "haga"
    return Hit(family, kind, phrase, said, offset + match.start())


#: A thought, a feeling or a saying reported: what follows is someone's view.
_REPORTED = re.compile(
    r"\b(?:(?:sient|sentí|sentir|piens|pens|cre[eíe]|creer|tem[eí]|teme|parec|dic|dij|dig"
    r"|preocup)\w*\s+(?:que|como)|le\s+ve[nr]?\s+como|le\s+vean\s+como|le\s+llam\w*"
    r"|como\s+si|(?:miedo\s+(?:a|de)|tem[eí]\w*|preocup\w*\s+(?:por\s+)?)\s*(?:que|ser|estar"
    r"|parecer|volverse|quedar))\b",
    re.IGNORECASE,
)
#: An if-clause, or a concession: an obligation inside one is not an order.
_CONDITION = re.compile(r"\b(?:si|cuando|aunque|mientras)\b", re.IGNORECASE)
#: Blame with hindsight: "debería haberlo sabido", "tendría que haberse ido" (not
#: "debería haberlo superado", pressure to be over it: an order, above).
_HINDSIGHT = re.compile(
    r"\b(?:debería|deberías|debió|debiste|tendría\s+que|tendrías\s+que)\s+"
    r"haber(?:lo|la|le|los|las|se)?\s+(?:sabido|visto|ido|dejado|parado|dicho|hecho|confiado"
    r"|escuchado|denunciado|pedido|contado|notado|luchado|defendido|hablado|salido|huido"
    r"|marchado|separado|alejado|actuado|reaccionado|avisado|negado)\b"
    # "Debió saberlo mejor", "debiste darte cuenta": the past of "debe", the same blame.
    r"|\b(?:debió|debiste|debieron)\s+(?:saber(?:lo|la)?|ver(?:lo|la)?|dar(?:se|te)\s+cuenta"
    r"|irse|irte|denunciar(?:lo|la)?|pedir\s+ayuda|alejarse|alejarte|decir(?:lo|la)?)\b",
    re.IGNORECASE,
)
#: Before a label that needs no one named: a denial of it ("no es una forma de llamar
#: la atención", "nadie se lo buscó").
_NOT_SAID = re.compile(r"\b(?:no|nunca|jamás|nadie|ni)\b", re.IGNORECASE)


@functools.cache
def _grammar(name: str) -> frozenset[str]:
    words: list[str] = data()["grammar"][name]
    return frozenset(words)


def _someone_else(words: Sequence[str]) -> bool:
    """Whether a clause names a subject before its verb, and it is not the reader.

    A determiner after a preposition opens a phrase of time or place, not a
    subject: "Durante el embarazo se debe…".
    """
    if "usted" in words or "ustedes" in words:
        return False
    subjects, prepositions = _grammar("subjects"), _grammar("prepositions")
    return any(
        (w in subjects or (w == "su" and i + 1 < len(words)))
        and (i == 0 or words[i - 1] not in prepositions)
        for i, w in enumerate(words)
    )


#: The finding's kind for each pattern that is not a kind of its own.
_KINDS = {"stop": "prohibition"}


def _directive(sentence: str, offset: int) -> Hit | None:
    p = _patterns()
    for kind in ("state", "prohibition", "always", "stop", "opening"):
        for match in p[kind].finditer(sentence):
            before = _clause_before(sentence, match.start())
            if kind != "state" and p["subordinate"].search(before):
                continue  # "aunque no tenga ganas": a clause, not a command
            if kind == "stop" and _someone_else(before.lower().split()):
                continue  # "el dolor deja de…": said of something else
            said = kind
            if kind == "opening":  # "Siempre revise…" insists; "Nunca comparta…" forbids
                said = "always" if match.group(0).lower().lstrip().startswith("s") else "stop"
            return _hit("directive", _KINDS.get(said, said), match, offset)
    for match in p["obligation"].finditer(sentence):
        if _HINDSIGHT.match(sentence, match.start()):
            continue  # "debería haberlo sabido" blames the past: a label, below
        before = _clause_before(sentence, match.start()).lower()
        after = sentence[match.end() : match.end() + 12].lower()
        if after.lstrip().startswith(("de ", "ver ")):
            continue  # "debe de ser difícil", "tiene que ver con": not orders
        needs = match.group(0).lower().startswith("necesit")
        if needs and not re.match(r"\s*\w+(?:ar|er|ir)(?:se|lo|la|le)?\b", after):
            continue  # "necesita ayuda" says a need; "necesita practicar" orders
        if p["denied_ok"].fullmatch(match.group(0)) and re.search(
            r"\b(no|nadie|ni|nunca|jamás)\b", before
        ):
            continue  # "no tiene que": a choice given, not an order
        if _CONDITION.search(before) or _REPORTED.search(before):
            continue  # inside an if-clause, or reported: "siente que tiene que"
        said_to_all = match.group(0).lower().startswith("se ")  # "se debe…"
        # "los medicamentos deben tomarse"; not "los pacientes deben hacerse análisis"
        duty = _PASSIVE_DUTY.match(after) is not None and not p["people"].search(before)
        if not (said_to_all or duty) and _someone_else(before.split()):
            continue  # "su médico debe…"
        return _hit("directive", "obligation", match, offset)
    insisting = p["insisting"].search(sentence)
    if insisting is not None and p["command"].match(sentence):
        said = insisting.group(0)  # "Tómese…, pase lo que pase": allowed by the whole phrase
        phrase = " ".join(said.lower().split())
        return Hit("directive", "always", phrase, said, offset + insisting.start())
    return None


#: "…deben tomarse": an obligation in the passive with "se", on what the reader does.
_PASSIVE_DUTY = re.compile(
    r"\s*" + _words(data()["directive"]["passive_duties"]) + r"\b", re.IGNORECASE
)


#: A clause for labels: "difícil y manipulador" is one phrase, so not "y" or "o".
_LABEL_CLAUSE = re.compile(r"[,;:()\u2014\u2013]|\s(?:pero|porque|pues)\s", re.IGNORECASE)
#: A denial right before the verb: "no está roto", "nunca fue débil" (not "No sea…",
#: which is an order, and fires).
_DENIED = re.compile(
    r"\b(?:no|nunca|jamás|ni|nada|nadie)\s+(?:\w+\s+){0,2}?"
    r"(?:es|está|son|están|era|estaba|eran|estaban|fue|fueron|eres|estás|soy|estoy|quedó"
    r"|parece|se\s+ve|significa|hace|convierte|vuelve)\b[^.]*$|\bni\s+$",
    re.IGNORECASE,
)


#: What sets a word against the one before it: "fortaleza, no debilidad".
_AGAINST = re.compile(
    r"(?:\bno|\ben\s+lugar|\ben\s+vez|\bmás\s+que)\s+(?:de\s+)?(?:una?\s+)?$", re.IGNORECASE
)


def _shaming(sentence: str, offset: int) -> Hit | None:
    p = _patterns()
    for match in p["label"].finditer(sentence):
        before = _clause_before(sentence, match.start(), _LABEL_CLAUSE)
        if _DENIED.search(before) or _REPORTED.search(before):
            continue  # denied or reported: "no está roto", "siente que es un fracaso"
        if _AGAINST.search(sentence[: match.start()]):
            continue  # "una muestra de fortaleza, no de debilidad"
        tail = p["between"].sub(" ", before).rstrip()
        words = tail.split()
        if p["label_verb"].fullmatch(match.group(0)):
            said_of = _of_a_person(before)  # "usted fracasó", not "el plan fracasó"
        else:
            said_of = _predicate(before)
        attributive = bool(words) and p["people"].search(words[-1]) is not None
        if said_of or attributive:
            return _hit("shaming", "label", match, offset)
    for match in p["label_as"].finditer(sentence):
        return _hit("shaming", "label", match, offset)
    for match in (*p["label_always"].finditer(sentence), *_HINDSIGHT.finditer(sentence)):
        before = _clause_before(sentence, match.start(), _LABEL_CLAUSE)
        if _DENIED.search(before) or _REPORTED.search(before) or _NOT_SAID.search(before):
            continue
        if match.re is _HINDSIGHT and _someone_else(before.lower().split()):
            continue  # "su médico debería haberle avisado": not the reader's blame
        return _hit("shaming", "label", match, offset)
    for match in p["label_noun"].finditer(sentence):
        if not _DENIED.search(_clause_before(sentence, match.start(), _LABEL_CLAUSE)):
            return _hit("shaming", "label", match, offset)
    return None


def _predicate(before: str) -> bool:
    """Whether a label is what a copula says of a person: "…es un fracaso", "Eres una…"."""
    p = _patterns()
    copulas = list(p["copula"].finditer(before))
    if not copulas:
        return False
    last = copulas[-1]
    if p["between"].sub(" ", before[last.end() :]).strip():
        return False  # other words between: "es común tener un brazo débil"
    if last.group(0).lower() in _SPEAKS_TO_READER:
        return True
    return _of_a_person(before[: last.start()])


#: Copulas of the reader ("eres", "estás") or the speaker: a person, always.
_SPEAKS_TO_READER = frozenset(["eres", "estás", "soy", "estoy", "somos", "estamos"])


def _of_a_person(before: str) -> bool:
    """Whether the subject of "es/está …" is the reader, a person, a body or a mind."""
    words = before.lower().split()
    first = words[1] if words[:1] == ["no"] and len(words) > 1 else (words or [""])[0]
    if re.fullmatch(r"\w+(?:ar|er|ir)(?:se|le|lo|la)?", first):
        return True  # what a person does: "Llorar delante de otros es…"
    named = [w for w in words if w in _grammar("subjects") or w == "su"]
    if not named and not re.search(r"(?<!^)\b[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+", before.strip()):
        return True  # no subject said: in Spanish, that is the reader ("Está roto")
    proper = re.search(r"(?<!^)\b(?:[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+)", before.strip()) is not None
    return proper or _patterns()["people"].search(before) is not None


_NO_DOUBT = re.compile(r"\bno\s+(?:hay|cabe)\s+(?:ninguna\s+)?duda\s+(?:de\s+)?que\b", re.I)


def _promise(sentence: str, offset: int) -> Hit | None:
    p = _patterns()
    for match in p["promise"].finditer(sentence):
        before = _clause_before(sentence, match.start())
        before = _NO_DOUBT.sub(" ", before)  # "No hay duda de que…" insists, denies nothing
        if p["promise_denied"].search(before):
            continue  # denied, hedged or reported: "No le prometemos que…"
        if _CONDITION.search(before):
            continue  # "aun cuando el peligro ya terminó": a time or a condition, not a promise
        ends = re.search(r"acab|termin", match.group(0), re.IGNORECASE)
        if ends and p["timetable"].search(before):
            continue  # "el grupo se acabará en junio": a timetable, not an outcome
        kind = "safety" if re.search(r"salvo|peligro", match.group(0), re.I) else "outcome"
        return _hit("promise", kind, match, offset)
    return None


def spanish_hits(piece: Voiced, *, orders: bool = True, register: str = "usted") -> list[Hit]:
    """The first hit of each family in each sentence, as the English `judged` gives.

    `register` is the form the handout speaks in: the other one's words are
    hits of `register`, in questions too.
    """
    text = _masked(piece)
    found: list[Hit] = []
    for offset, sentence, asks in _sentences(text):
        hits = [_register(sentence, offset, register)]
        if not asks:
            hits += [
                _directive(sentence, offset) if orders else None,
                _shaming(sentence, offset),
                _promise(sentence, offset),
            ]
        found.extend(sorted((h for h in hits if h is not None), key=lambda h: h.start))
    return found


def _register(sentence: str, offset: int, register: str) -> Hit | None:
    p = _patterns()
    other = (
        ("tu", "tu_command", "tu_opening") if register == "usted" else ("usted", "usted_command")
    )
    for key in other:
        match = p[key].search(sentence)
        if match is not None:
            return _hit("register", "register", match, offset)
    return None


def register_of(texts: Sequence[Voiced]) -> str:
    """The form a handout mostly speaks in: "usted" (also when it says neither) or "tú"."""
    p = _patterns()
    tu = usted = 0
    for piece in texts:
        text = _masked(piece)
        tu += len(p["tu"].findall(text)) + len(p["tu_command"].findall(text))
        usted += len(p["usted"].findall(text)) + len(p["usted_command"].findall(text))
    return "tú" if tu > usted else "usted"


# --- headings ------------------------------------------------------------------------

#: Obligations no one is named in: "Hay que hablar del alcohol" titles a topic.
_IMPERSONAL = frozenset(
    {"hay que", "se debe", "se tiene que", "es necesario", "es necesario que", "hace falta que"}
    | {"es imprescindible", "es indispensable", "es obligatorio", "es imprescindible que"}
)
#: What a heading's "debe saber" points at: what the page tells, a topic.
_KNOWING = re.compile(
    r"\s*(?:saber|conocer|entender|comprender|recordar|aprender|leer|tener\s+en\s+cuenta)\b",
    re.IGNORECASE,
)
#: "Preguntas que debe hacerle…": a noun and what it is for, a topic ("Lo que debe
#: hacer…" is not: it tells the reader what to do).
_NOUN_THEN_QUE = re.compile(r"\s*(?!lo\b)\w+\s+que\b", re.IGNORECASE)
_SHOULD = frozenset({"debe", "deben", "debería", "deberían", "debes", "deberías"})


def orders_in_heading(text: str, found: Hit) -> bool:
    """Whether a hit in a heading is an order, as titles are written: "Debe calmarse",
    "Nunca te rindas" and "Lo que debe hacer cuando…" order; "Lo que debe saber",
    "Hay que hablar del alcohol", "Preguntas que debe hacerle a su médico", "No deje de
    pedir ayuda" and the catchphrase before a subtitle ("No se rinda: …") do not."""
    if found.family != "directive":
        return True
    if found.kind != "obligation":
        said = text[found.start :].lower()
        return ":" not in text and not re.match(r"no\s+dej(?:e|es|en)\s+de\b", said)
    if found.phrase.lower() in _IMPERSONAL:
        return False
    if _KNOWING.match(text, found.start + len(found.said)):
        return False
    return not (found.phrase.lower() in _SHOULD and _NOUN_THEN_QUE.match(text))


def names_a_topic(text: str, found: Hit) -> bool:
    """Whether an obligation names what the page tells: "Lo que debe saber sobre…"."""
    return (
        found.kind == "obligation"
        and _KNOWING.match(text, found.start + len(found.said)) is not None
    )
