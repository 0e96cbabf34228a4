"""What a prompt is about, in its own words and its own language: the premise every scene is grounded in.

The planner cannot know how bread is made, but it can keep to what the prompt says. This module reads,
for any prompt in a language `language.FUNCTION_WORDS` knows (and, coarser, in any other): its form
(narrative, how-to, history, product, poem, abstract, journey, music), its core (the prompt without
framing such as "How to" or "A poem about"), the lead noun phrase, the clauses in the order the prompt
tells them, the place, the other noun phrases, eras and ranges ("from starter to crust"), and for a
product prompt the product (the noun phrase with the brand, never an adjective) and its features.

Noun phrases are runs of content words between function words, joined across linking prepositions
("pescador de Cádiz", "the streets of Tokyo"); verbs end them (English from the planner's verb lists,
other languages from word shape: German nouns are capitalised, Romance finite verbs follow their
subject and precede an article or preposition).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from services.storyboard import lexicon
from services.storyboard.analysis import clean_text, is_verb_at
from services.storyboard.language import FUNCTION_WORDS, FunctionWords, detect_prompt_language, function_words


class Form(StrEnum):
    NARRATIVE = "narrative"
    HOWTO = "howto"
    HISTORY = "history"
    PRODUCT = "product"
    POEM = "poem"
    ABSTRACT = "abstract"
    JOURNEY = "journey"
    MUSIC = "music"


# The words each form is announced with, in every language the storyboard writes. A cue that opens the
# prompt is framing and is cut from the core ("A poem about ..."); anywhere else it only sets the form.
FORM_CUES: dict[Form, tuple[str, ...]] = {
    Form.MUSIC: (
        "music video", "song", "ballad", "anthem", "lullaby", "musical", "music", "track", "band",
        "musikvideo", "lied", "ballade", "hymne", "wiegenlied", "videoclip", "canción", "cancion", "balada",
        "himno", "nana", "clip musical", "chanson", "berceuse", "vidéo musicale", "canzone", "ninna nanna",
        "video musicale", "canção", "música", "musique", "musica",
    ),
    Form.POEM: (
        "poem", "ode", "haiku", "sonnet", "verse", "verses", "elegy", "limerick", "poetry", "gedicht", "verse",
        "poesie", "elegie", "poema", "oda", "soneto", "poesía", "poème", "poésie", "sonnet", "élégie", "poesia",
        "versi",
    ),
    Form.PRODUCT: (
        "product ad", "ad for", "advert", "advertisement", "commercial", "launch", "launching", "unveiling",
        "introducing", "promo", "product", "teaser for", "werbespot", "werbung", "werbefilm", "produktfilm",
        "produkt", "markteinführung", "anuncio", "publicidad", "comercial", "lanzamiento", "spot",
        "publicité", "pub pour", "lancement", "réclame", "pubblicità", "lancio", "anúncio", "propaganda",
        "lançamento",
    ),
    Form.HOWTO: (
        "how to", "how do", "how does", "how you", "step by step", "step-by-step", "guide", "tutorial",
        "recipe", "instructions", "lesson", "wie man", "wie macht", "anleitung", "schritt für schritt",
        "rezept", "so geht", "cómo", "como hacer", "paso a paso", "receta", "guía", "comment", "étape par étape",
        "recette", "tutoriel", "come fare", "come si", "passo dopo passo", "ricetta", "como fazer",
        "passo a passo", "receita",
    ),
    Form.HISTORY: (
        "history of", "the invention of", "invention", "evolution of", "origins of", "rise and fall",
        "geschichte des", "geschichte der", "erfindung", "entstehung", "historia del", "historia de la",
        "invención", "invento", "evolución", "histoire du", "histoire de la", "histoire des", "l'invention",
        "évolution", "storia del", "storia della", "invenzione", "história do", "história da", "invenção",
    ),
    Form.JOURNEY: (
        "journey", "voyage", "life cycle", "lifecycle", "life of", "travels", "odyssey", "pilgrimage",
        "migration", "reise", "lebenszyklus", "wanderung", "viaje", "ciclo de vida", "travesía", "vida de",
        "cycle de vie", "périple", "vie d'", "vie de", "viaggio", "ciclo di vita", "viagem",
    ),
    Form.ABSTRACT: (
        "abstract", "feeling", "emotion", "mood of", "the sense of", "gefühl", "emotion", "sehnsucht",
        "abstrakt", "sentimiento", "emoción", "abstracto", "sensación", "sentiment", "émotion", "abstrait",
        "sensation", "sentimento", "emozione", "astratto", "sensação", "emoção",
    ),
}
_ALL_CUES = frozenset(c for cues in FORM_CUES.values() for c in cues)
# When a prompt announces two forms, the earlier cue wins; at the same place, this order.
_FORM_ORDER = (Form.MUSIC, Form.POEM, Form.PRODUCT, Form.HOWTO, Form.HISTORY, Form.JOURNEY, Form.ABSTRACT)
# Framing a prompt may open with before its subject: "a short film about", "ein Video über".
_FRAMES = (
    "short film", "film", "movie", "video", "story", "tale", "clip", "documentary", "piece", "kurzfilm",
    "geschichte", "dokumentation", "película", "vídeo", "cortometraje", "historia", "documental",
    "court métrage", "histoire", "documentaire", "cortometraggio", "storia", "documentario", "filme",
    "história",
)
_FRAME_LINKS = frozenset(
    "about of for on showing featuring über von vom für zu zur zum mit sobre de del para con sur du des pour "
    "avec su di del della per sobre do da para : — – -".split()
)
_ABSTRACT_NOUN = re.compile(r"(ness|ity|dom|hood|ism|ment|ence|ance|tude|ung|heit|keit|dad|ión|ité|tà|dade)$")
_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*['’]?|[^\w\s]")
_ELISION = re.compile(r"^(l|d|qu|s|j|n|m|t|c|un|jusqu|dell|all|dall|nell|sull)['’](.+)$", re.IGNORECASE)
_SENTENCE_PUNCT = frozenset(".!?;")
_CLAUSE_PUNCT = frozenset(",:;—–()")
_RELATIVES = frozenset("that which who whose where das die der welche welcher que qui dont où che cui quem".split())
_ERA = re.compile(
    r"\b(?:1\d{3}|20\d{2})s?\b|\b\d{3,4}\s?(?:BC|BCE|AD|v\. Chr\.|a\. C\.|av\. J\.-C\.)"
    r"|\b\d{1,2}(?:st|nd|rd|th)[- ]century\b|\b\d{1,2}\.\s?Jahrhunderts?\b"
    r"|\b(?:siglo|secolo|século)\s+[XIVLC]+\b|\b[XIVLC]+(?:e|ème)\s+siècle\b"
    r"|\b(?:the\s+)?(?:stone|bronze|iron|ice|middle|victorian|roaring)\s+(?:age|ages|twenties)\b",
    re.IGNORECASE,
)
# "from starter to crust", "von der Blüte bis zum Honig", "de la semilla al fruto", "du grain au pain".
_RANGE = re.compile(
    r"\b(?:from|von|vom|desde|du|dal|dalla|dallo|dai|do|da|de\s+(?:la|las|los|l'|le|les|a|o|os|as))\s+"
    r"([^,.;:!?]{1,40}?)\s+"
    r"(?:to|into|until|bis(?:\s+zu[mr]?)?|zu[mr]?|a|al|hasta|au|aux|à|jusqu'(?:à|au)|ao|até|alla|allo|ai)\s+"
    r"([^,.;:!?]{1,40}?)(?=$|[,.;:!?]|\s(?:and|und|y|et|e|with|mit|con|avec)\s)",
    re.IGNORECASE,
)
_MAX_LEAD_WORDS = 8
_MAX_UNKNOWN_LEAD_WORDS = 4
_MAX_CORE_WORDS = 40


@dataclass(frozen=True)
class Phrase:
    """A noun phrase as the prompt wrote it."""

    text: str  # with its determiner: "the town's broken tower clock"
    words: tuple[str, ...]  # its content words
    after: str = ""  # the preposition before it ("in"), "" when none
    start: int = 0  # token span in the core
    end: int = 0


@dataclass(frozen=True)
class Premise:
    text: str
    language: str  # ISO 639-1; a language without function words reads coarser
    form: Form
    core: str  # the prompt without its framing, as one sentence
    lead: Phrase  # the noun phrase the prompt is about
    clauses: tuple[str, ...]  # what happens, in the prompt's order and words (each names its subject)
    setting: str = ""  # the place with its preposition: "in a flooded museum", "im Schwarzwald"
    things: tuple[Phrase, ...] = ()  # the other noun phrases, in order
    eras: tuple[str, ...] = ()  # "1817", "19th century", in order
    span: tuple[str, str] | None = None  # "from starter to crust" -> ("starter", "crust")
    product: str = ""  # product prompts: the product noun phrase (with the brand when there is one)
    features: tuple[str, ...] = ()  # product prompts: what the prompt says about the product
    content_words: tuple[str, ...] = field(default=())  # every content word of the core, in order
    verbs: tuple[str, ...] = ()  # the core's verbs as written ("repot", "zeigt")

    @property
    def subject_words(self) -> tuple[str, ...]:
        """The words a scene must carry to name what the prompt is about."""
        return self.lead.words or self.content_words[:3]


def read_premise(prompt: str, language: str | None = None) -> Premise:
    """The premise of `prompt`; `language` overrides detection (an ISO 639-1 code)."""
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a string, not {type(prompt).__name__}")
    text = clean_text(prompt)
    language = detect_prompt_language(text) if language is None else language
    words = function_words(language)
    form, cue_start, cue_end = detect_form(text)
    core = _core(text, cue_start, cue_end, words)
    tokens = _tokens(core, language)
    if len(tokens) > _MAX_CORE_WORDS * 2:
        tokens = _first_sentences(tokens, _MAX_CORE_WORDS)
    core = render(tokens)
    classes = _classes(tokens, words, language, opens_with_verb=form == Form.HOWTO and cue_start >= 0)
    phrases = _phrases(tokens, classes, words)
    lead = _lead(phrases, tokens, form)
    if words is None:  # no function words to end a phrase at: the opening words lead
        lead = _clip(lead, _MAX_UNKNOWN_LEAD_WORDS)
    setting_phrase = _setting(phrases, lead, words, language)
    setting = f"{setting_phrase.after} {setting_phrase.text}" if setting_phrase else ""
    things = tuple(p for p in phrases if p is not lead and p is not setting_phrase)
    clauses = _clauses(tokens, classes, lead)
    product, features = ("", ())
    if form == Form.PRODUCT:
        product_phrase = _product(phrases) or lead
        lead = product_phrase
        things = tuple(p for p in phrases if p is not lead and p is not setting_phrase)
        product = product_phrase.text
        features = tuple(c for c in _segments(tokens, classes) if product_phrase.text not in c)
        if not features and setting:
            features = (setting,)
    spans = _RANGE.search(core)
    content = tuple(t for t, c in zip(tokens, classes, strict=True) if c in ("content", "verb"))
    return Premise(
        text=text, language=language, form=form, core=core, lead=lead, clauses=clauses or (core,),
        setting=setting, things=things, eras=tuple(dict.fromkeys(m.group(0) for m in _ERA.finditer(text))),
        span=(_strip_article(spans.group(1), words), _strip_article(spans.group(2), words)) if spans else None,
        product=product, features=features, content_words=content,
        verbs=tuple(t for t, c in zip(tokens, classes, strict=True) if c == "verb"),
    )


def detect_form(text: str) -> tuple[Form, int, int]:
    """The prompt's form and where its cue stands (start, end character; -1 when none announced it)."""
    lowered = text.casefold()
    best: tuple[int, int, Form, int] | None = None
    for form in _FORM_ORDER:
        for cue in FORM_CUES[form]:
            for match in re.finditer(r"(?<!\w)" + re.escape(cue) + r"(?!\w)", lowered):
                key = (match.start(), _FORM_ORDER.index(form), form, match.end())
                if best is None or key[:2] < best[:2]:
                    best = key
                break
    if best is not None and best[2] == Form.HISTORY and not _ERA.search(text) and best[0] > 0 \
            and not lowered.startswith(("the ", "a ")):
        # "historia"/"Geschichte" alone also mean "story": history needs its cue up front or an era.
        best = None
    if best is None:
        if _ERA.search(text) and len(_ERA.findall(text)) >= 2:
            return Form.HISTORY, -1, -1
        if _ABSTRACT_NOUN.search(text.split()[-1].casefold() if text.split() else "") and len(text.split()) <= 4:
            return Form.ABSTRACT, -1, -1
        return Form.NARRATIVE, -1, -1
    return best[2], best[0], best[3]


def render(tokens: list[str]) -> str:
    """Tokens back to text: no space before punctuation or after an elided article ("d'Or")."""
    out = ""
    for token in tokens:
        if not out:
            out = token
        elif token in ",.;:!?)" or out.endswith(("'", "’", "(")):
            out += token
        else:
            out += " " + token
    return out


def _tokens(text: str, language: str) -> list[str]:
    tokens: list[str] = []
    for token in _TOKEN.findall(text):
        match = _ELISION.match(token) if language in ("fr", "it") else None
        if match:
            tokens += [match.group(1) + "'", match.group(2)]
        else:
            tokens.append(token)
    return tokens


def _first_sentences(tokens: list[str], limit: int) -> list[str]:
    """A long prompt's opening sentences up to about `limit` words: the premise, not the whole essay."""
    kept: list[str] = []
    count = 0
    for token in tokens:
        kept.append(token)
        count += token[0].isalnum()
        if count >= limit and token in _SENTENCE_PUNCT:
            break
        if count >= limit * 2:
            break
    return kept


def _core(text: str, cue_start: int, cue_end: int, words: FunctionWords | None) -> str:
    """`text` without the framing it opens with: "How to bake bread" -> "bake bread"."""
    opening = text
    if cue_start >= 0 and _only_framing(text[:cue_start], words):
        opening = text[cue_end:]
    else:
        for frame in _FRAMES:
            match = re.search(r"(?<!\w)" + re.escape(frame) + r"(?!\w)", text, re.IGNORECASE)
            if match and _only_framing(text[:match.start()], words) and \
                    _starts_with_link(text[match.end():]):
                opening = text[match.end():]
                break
    rest = opening.strip()
    while rest:
        first = rest.split(maxsplit=1)[0]
        lower = first.casefold().rstrip(":")
        # "Launch film for ...", "Werbespot für ...": framing words and their links go; a colon ends them.
        if lower in _FRAME_LINKS or first in ":—–-" or lower in _FRAMES or first.endswith(":"):
            rest = rest[len(first):].strip()
            if first.endswith(":"):
                break
            continue
        break
    rest = rest.strip(" :—–-")
    # "..., step by step" repeats the form's cue: it frames, it says nothing about the subject.
    parts = [p for p in re.split(r"\s*,\s*", rest) if p.casefold().strip(" .!") not in _ALL_CUES]
    rest = ", ".join(parts)
    for cue in _ALL_CUES:
        if rest.casefold().endswith(" " + cue) and len(rest) > len(cue) + 1:
            rest = rest[: -len(cue)].rstrip(" ,")
    return rest if len(rest.split()) >= 1 and any(c.isalnum() for c in rest) else text


def _starts_with_link(rest: str) -> bool:
    first = rest.strip().split(maxsplit=1)[0].casefold() if rest.strip() else ""
    return first in _FRAME_LINKS or rest.lstrip().startswith(":")


def _only_framing(text: str, words: FunctionWords | None) -> bool:
    """Whether `text` (what stands before a cue) is only determiners and a describing word or two."""
    tokens = re.findall(r"[^\W_]+", text.casefold())
    content = [t for t in tokens if not words or t not in words.all]
    return len(content) <= 2 and len(tokens) <= 4


def _classes(tokens: list[str], words: FunctionWords | None, language: str, *, opens_with_verb: bool) -> list[str]:
    """Each token's class: punct, det, prep, link, conj, rel, other, verb or content. `opens_with_verb`:
    the text is what "how to" left ("bake a loaf", "preparar una paella"), a verb first."""
    classes: list[str] = []
    for i, token in enumerate(tokens):
        lower = token.casefold()
        if not token[0].isalnum():
            classes.append("punct")
        elif lower in _RELATIVES and i > 0 and tokens[i - 1][0].isalnum() and (
                language != "de" or (i > 0 and tokens[i - 1] == ",")):
            classes.append("rel")
        elif words is None:
            classes.append("content")
        elif lower in words.determiners and not _is_possessive_noun(token):
            classes.append("det")
        elif lower in words.links and i > 0:
            classes.append("link")
        elif lower in words.prepositions:
            classes.append("prep")
        elif lower in words.conjunctions:
            classes.append("conj")
        elif lower in words.others:
            classes.append("other")
        else:
            classes.append("content")
    if opens_with_verb and classes and classes[0] == "content" and tokens[0].islower():
        classes[0] = "verb"
    for i, cls in enumerate(classes):
        if cls == "content" and _looks_like_verb(tokens, classes, i, language):
            classes[i] = "verb"
    return classes


def _is_possessive_noun(token: str) -> bool:
    return token.endswith(("'s", "’s"))


_ROMANCE_VERB_ENDINGS = {
    "es": ("a", "e", "an", "en", "ar", "er", "ir", "ó"),
    "fr": ("e", "t", "d", "ent", "er", "ir", "re"),
    "it": ("a", "e", "ano", "ono", "are", "ere", "ire", "ò", "ì"),
    "pt": ("a", "e", "am", "em", "ar", "er", "ir", "i", "ou", "eu", "iu", "z"),
}
_PARTICIPLE_ENDINGS = ("é", "ée", "és", "ées", "ado", "ada", "ados", "adas", "ido", "ida", "idos", "idas", "ato",
                       "ata", "ito", "ita", "ivo", "iva", "ción", "sión", "dad", "or", "ora", "ista", "ión")


def _looks_like_verb(tokens: list[str], classes: list[str], i: int, language: str) -> bool:
    token = tokens[i]
    lower = token.casefold()
    prev = classes[i - 1] if i > 0 else "start"
    nxt = classes[i + 1] if i + 1 < len(classes) else "end"
    if language == "en":
        return _english_verb(tokens, classes, i)
    if language == "de":
        # German nouns are capitalised and the verb of a main clause follows its subject: a lower-case
        # word after a noun ("ein Kinderchor singt"), or after "und" with an object ("und findet einen").
        if not token.islower() or i == 0:
            return False
        after_noun = tokens[i - 1][:1].isupper() and prev == "content"
        after_conj = prev == "conj" and nxt in ("det", "prep", "other")
        return (after_noun and nxt != "content") or after_conj
    if language in _ROMANCE_VERB_ENDINGS:
        if not token.islower() or lower.endswith(_PARTICIPLE_ENDINGS):
            return False
        if prev == "prep" and lower.endswith(_INFINITIVE_ENDINGS[language]):
            return True  # "aprende a nadar", "pour faire"
        if nxt not in ("det", "prep", "link", "other"):
            return False
        return prev in ("content", "conj", "rel") and lower.endswith(_ROMANCE_VERB_ENDINGS[language])
    return False


_INFINITIVE_ENDINGS = {"es": ("ar", "er", "ir"), "fr": ("er", "ir", "re"), "it": ("are", "ere", "ire"),
                       "pt": ("ar", "er", "ir")}
_EN_OPENERS = frozenset("a an the my your his her its our their this that".split())


def _english_verb(tokens: list[str], classes: list[str], i: int) -> bool:
    token = tokens[i]
    lower = token.casefold()
    prev = classes[i - 1] if i > 0 else "start"
    if "-" in token or not token.isalpha() or (token[:1].isupper() and i > 0):
        return False
    if i > 0 and _is_possessive_noun(tokens[i - 1]):
        return False  # "the town's broken clock": a possessive is followed by its noun phrase
    if lower.endswith("ing") and i + 1 < len(tokens) and classes[i + 1] == "content" and (
            prev == "det" or (i > 0 and (tokens[i - 1][:1].isupper() or any(c.isdigit() for c in tokens[i - 1])))):
        return False  # "the folding drone", "the Nimbus Z7 folding drone": it describes the noun
    if i == 0 and lower in lexicon.VERB_WORDS | _EN_BASE_VERBS:
        return True  # "bake a loaf" (what is left of "how to bake a loaf")
    if is_verb_at(tokens, i):
        return True
    # "a glass-blower shapes a vase", "a beekeeper tends the hive": an inflected word between a noun
    # and a determiner is the verb even when the verb lists do not know it.
    inflected = (lower.endswith("s") and not lower.endswith(("ss", "us", "is"))) or lower.endswith("ed")
    nxt = tokens[i + 1].casefold() if i + 1 < len(tokens) else ""
    return inflected and prev == "content" and nxt in _EN_OPENERS


_EN_BASE_VERBS = frozenset("make tie knit sew brew fold wrap clean change replace install set use do get "
                           "start assemble care tune sharpen mend".split())


def _phrases(tokens: list[str], classes: list[str], words: FunctionWords | None) -> list[Phrase]:
    """Noun phrases: determiners + content words, joined across a link to more content ("de Cádiz")."""
    phrases: list[Phrase] = []
    i = 0
    after = ""
    while i < len(tokens):
        cls = classes[i]
        if cls in ("prep", "link"):
            after = tokens[i].casefold()
            i += 1
            continue
        if cls not in ("det", "content"):
            if cls in ("verb", "punct", "conj", "rel"):
                after = ""
            i += 1
            continue
        start = i
        while i < len(tokens) and classes[i] == "det":
            i += 1
        if i >= len(tokens) or classes[i] != "content":
            continue
        end = i
        while True:
            while end < len(tokens) and classes[end] == "content":
                end += 1
            # "pescador de Cádiz", "the streets of Tokyo": a link with content after it stays in the phrase.
            j = end
            if j < len(tokens) and classes[j] == "link":
                j += 1
                while j < len(tokens) and classes[j] == "det":
                    j += 1
                if j < len(tokens) and classes[j] == "content" and (tokens[j][:1].isupper() or end - start <= 4):
                    end = j
                    continue
            break
        span = tokens[start:end]
        content = tuple(t for t, c in zip(span, classes[start:end], strict=True) if c == "content")
        phrases.append(Phrase(render(span), content, after, start, end))
        i = end
        after = ""
    return phrases


def _lead(phrases: list[Phrase], tokens: list[str], form: Form) -> Phrase:
    if not phrases:
        words = tuple(t for t in tokens if t[0].isalnum())[:_MAX_LEAD_WORDS]
        return Phrase(" ".join(words), words, "", 0, len(tokens))
    # A phrase that only says when ("last night", "at dawn") is no lead while another is there.
    for phrase in phrases:
        if not all(w.casefold() in lexicon.TIME_WORDS or w.casefold() in lexicon.GENERIC_ADJECTIVES
                   for w in phrase.words):
            return _clip(phrase)
    return _clip(phrases[0])


def _clip(phrase: Phrase, limit: int = _MAX_LEAD_WORDS) -> Phrase:
    if len(phrase.words) <= limit:
        return phrase
    words = phrase.text.split()[:limit]
    return Phrase(" ".join(words), phrase.words[:limit], phrase.after, phrase.start, phrase.end)


def _setting(phrases: list[Phrase], lead: Phrase, words: FunctionWords | None, language: str) -> Phrase | None:
    if words is None:
        return None
    candidates = [p for p in phrases if p is not lead and p.after in words.places and not _only_time(p, language)]
    if language == "en":  # a named kind of place beats any phrase after "on"/"at"
        named = [p for p in candidates if any(_is_place_word(w) for w in p.words)]
        candidates = named or candidates
    return candidates[0] if candidates else None


def _only_time(phrase: Phrase, language: str) -> bool:
    if language != "en":
        return False
    return all(w.casefold() in lexicon.TIME_WORDS or w.casefold() in lexicon.SEASON_WORDS or w.isdigit()
               or w.casefold() in lexicon.GENERIC_ADJECTIVES for w in phrase.words)


def _is_place_word(word: str) -> bool:
    lower = word.casefold()
    base = lower[:-1] if lower.endswith("s") else lower
    return any(lower in s.triggers or base in s.triggers for s in lexicon.SETTINGS.values()) or word[:1].isupper()


def _segments(tokens: list[str], classes: list[str]) -> list[str]:
    """The core cut at punctuation, relative words and (between two longer parts) conjunctions."""
    parts: list[list[str]] = [[]]
    for i, (token, cls) in enumerate(zip(tokens, classes, strict=True)):
        if token in _CLAUSE_PUNCT or token in _SENTENCE_PUNCT or cls == "rel":
            parts.append([])
            continue
        if cls == "conj" and len(parts[-1]) >= 3 and sum(c[0].isalnum() for c in tokens[i + 1:]) >= 3 \
                and any(c == "verb" for c in classes[i + 1:]):
            parts.append([])
            continue
        parts[-1].append(token)
    return [render(p) for p in parts if sum(t[0].isalnum() for t in p) >= 1]


def _clauses(tokens: list[str], classes: list[str], lead: Phrase) -> tuple[str, ...]:
    """What happens, in order: the core cut at sentences and at "and"/"und"/"y"/"et" before a new verb.
    A clause that has no subject of its own ("... and finds a new start") takes the lead's."""
    clauses: list[str] = []
    current: list[str] = []
    own_subject = True
    for i, (token, cls) in enumerate(zip(tokens, classes, strict=True)):
        split = token in _SENTENCE_PUNCT
        joined = cls == "conj" and len(current) >= 3 and i + 1 < len(tokens) and classes[i + 1] == "verb"
        if split or joined:
            if current:
                clauses.append(_with_subject(current, own_subject, lead))
            current = []
            own_subject = not joined
            continue
        current.append(token)
    if current:
        clauses.append(_with_subject(current, own_subject, lead))
    return tuple(c for c in clauses if c)


def _with_subject(tokens: list[str], own_subject: bool, lead: Phrase) -> str:
    body = render(tokens).strip(" ,;:")
    if own_subject or not lead.text:
        return body
    return f"{inline(lead.text)} {body}"


def inline(phrase: str) -> str:
    """A phrase as it reads inside a sentence: a leading determiner in lower case ("a", "eine", "la")."""
    phrase = phrase.strip().rstrip(".!?;:, ")
    first = phrase.split(maxsplit=1)[0] if phrase else ""
    if first.casefold() in _ALL_DETERMINERS:
        return first.casefold() + phrase[len(first):]
    return phrase


_ALL_DETERMINERS = frozenset(w for fw in FUNCTION_WORDS.values() for w in fw.determiners)


def _product(phrases: list[Phrase]) -> Phrase | None:
    """The product: the first phrase with a capitalised name in it (a brand) or else the first phrase
    whose last word is a noun rather than a describing word."""
    for phrase in phrases:
        if any(w[:1].isupper() or any(ch.isdigit() for ch in w) for w in phrase.words) and len(phrase.words) >= 1:
            return phrase
    return None


def _strip_article(text: str, words: FunctionWords | None) -> str:
    parts = text.split()
    while parts and words and parts[0].casefold() in words.determiners:
        parts = parts[1:]
    return " ".join(parts) or text


def bare(text: str, language: str) -> str:
    """A phrase without its leading determiners: "the Aurora smart kettle" -> "Aurora smart kettle"."""
    return _strip_article(text, function_words(language))
