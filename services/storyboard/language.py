"""Which language a prompt (or a narration) is written in, and the function words of each language.

Small and dependency-free on purpose: storyboards only need to tell the languages they can write in
apart (English, German, Spanish, French, Italian, Portuguese); anything else reads as `default`.
The function words (articles, prepositions, conjunctions, pronouns, auxiliaries) are what the
language-independent premise reading splits noun phrases at: every other word is the prompt's content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the and of a an in to is with on his her their at as from it into how for".split()),
    "de": frozenset("der die das und ein eine einer einem ist mit im auf den dem zu von sich nicht über "
                    "für wie bis zur zum".split()),
    "es": frozenset("el la los las y un una es con en del que se por su al sobre para como todo ahora esto "
                    "aquí después cosas así".split()),
    "fr": frozenset("le la les et un une est avec dans du des que se sur son au aux pour comme".split()),
    "it": frozenset("il lo gli della delle di che è con nel nella sul sulla dei degli una un per come alla "
                    "ai e la le al dal dalla da ogni questo questa ora poi cose tutto più anche ciò così qui".split()),
    "pt": frozenset("o os as um uma do da dos das em no na nos nas com para ao à pelo pela seu sua é "
                    "e como tudo agora isto isso aqui depois coisas assim também muito".split()),
}
NAMES = {"en": "English", "de": "German", "es": "Spanish", "fr": "French", "it": "Italian", "pt": "Portuguese"}
# Letters that only some of the languages use settle short prompts with few function words.
_LETTERS = {"de": "äöüß", "es": "ñ¿¡áíóú", "fr": "çèêàùœ", "it": "ìò", "pt": "ãõâôç"}


@dataclass(frozen=True)
class FunctionWords:
    """One language's closed word classes (lower case)."""

    determiners: frozenset[str]  # articles, possessives, numerals that open a noun phrase
    prepositions: frozenset[str]
    places: frozenset[str]  # prepositions that introduce where something happens
    links: frozenset[str]  # prepositions that stay inside a noun phrase ("of", "de", "von")
    conjunctions: frozenset[str]
    others: frozenset[str]  # pronouns, auxiliaries, relative words, adverbs of degree

    @property
    def all(self) -> frozenset[str]:
        return self.determiners | self.prepositions | self.links | self.conjunctions | self.others


def _w(text: str) -> frozenset[str]:
    return frozenset(text.split())


FUNCTION_WORDS: dict[str, FunctionWords] = {
    "en": FunctionWords(
        _w("a an the my your his her its our their this that these those some any every each no one two three "
           "four five six seven eight nine ten many several"),
        _w("in on at to for from by with without within into onto upon over under above below before after "
           "during until since about around across through throughout against along among amid between "
           "beyond behind beneath beside near toward towards via inside outside"),
        _w("in on at inside across through along under beneath beside near over around"),
        _w("of"),
        _w("and or but nor so yet while when where as because then"),
        _w("is are was were be been being am do does did has have had will would can could may might must "
           "it they them he him she we us you i me who whom which what that whose how why there here not "
           "very just also too more most than such own same other another how"),
    ),
    "de": FunctionWords(
        _w("der die das den dem des ein eine einer einem einen eines mein meine meiner meinem meinen sein "
           "seine seiner seinem seinen ihr ihre ihrer ihrem ihren unser unsere dieser diese dieses diesem "
           "diesen jeder jede jedes kein keine zwei drei vier fünf sechs sieben acht neun zehn viele"),
        _w("in im ins an am auf aus bei mit nach seit von vom zu zum zur durch für gegen ohne um über unter "
           "vor hinter neben zwischen bis während wegen"),
        _w("in im an am auf bei durch über unter neben hinter zwischen"),
        _w("von vom des der"),
        _w("und oder aber sondern denn während als wenn wo weil dann"),
        _w("ist sind war waren wird werden hat haben hatte sich es er sie wir ihr man wer was wie nicht sehr "
           "auch noch nur schon so dass der die das"),
    ),
    "es": FunctionWords(
        _w("el la los las un una unos unas mi mis tu tus su sus nuestro nuestra este esta estos estas ese esa "
           "cada dos tres cuatro cinco seis siete ocho nueve diez muchos muchas"),
        _w("a al en de del con sin por para sobre bajo entre hacia hasta desde durante tras ante contra "
           "dentro fuera junto cerca"),
        _w("en bajo entre dentro junto cerca por"),
        _w("de del"),
        _w("y e o u pero ni mientras cuando donde como porque luego"),
        _w("es son era eran fue ser está están estaba ha han había se le les lo él ella ellos ellas nos que "
           "quien cual muy más también ya no sí"),
    ),
    "fr": FunctionWords(
        _w("le la les l' un une des du mon ma mes ton ta tes son sa ses notre nos votre leur leurs ce cet "
           "cette ces chaque deux trois quatre cinq six sept huit neuf dix plusieurs"),
        _w("à au aux de d' du des en dans sur sous avec sans par pour vers chez entre pendant depuis avant "
           "après contre parmi jusqu' près derrière devant"),
        _w("à au aux dans sur sous chez entre près derrière devant en par"),
        _w("de d' du des"),
        _w("et ou mais ni donc car pendant quand où comme puis"),
        _w("est sont était étaient être a ont avait se s' il elle ils elles on nous vous qui que qu' quoi "
           "très plus aussi déjà ne pas"),
    ),
    "it": FunctionWords(
        _w("il lo la i gli le l' un uno una un' mio mia miei mie suo sua suoi sue nostro nostra questo questa "
           "quei quelle ogni due tre quattro cinque sei sette otto nove dieci molti molte"),
        _w("a al allo alla ai agli alle di del dello della dei degli delle da dal dalla in nel nello nella "
           "nei negli nelle su sul sulla con per tra fra verso sotto sopra dentro durante dopo prima contro"),
        _w("in nel nello nella nei negli nelle su sul sulla sotto sopra dentro tra fra per a al alla"),
        _w("di del dello della dei degli delle da"),
        _w("e ed o ma né mentre quando dove come perché poi"),
        _w("è sono era erano essere ha hanno aveva si lui lei loro noi voi che chi cui molto più anche già "
           "non"),
    ),
    "pt": FunctionWords(
        _w("o a os as um uma uns umas meu minha meus minhas seu sua seus suas nosso nossa este esta estes "
           "estas esse essa cada dois duas três quatro cinco seis sete oito nove dez muitos muitas"),
        _w("a ao aos à às de do da dos das em no na nos nas num numa com sem por pelo pela para sobre sob "
           "entre até desde durante após contra dentro perto"),
        _w("em no na nos nas sob entre dentro perto por pelo pela"),
        _w("de do da dos das"),
        _w("e ou mas nem enquanto quando onde como porque depois"),
        _w("é são era eram ser está estão estava tem têm tinha se ele ela eles elas nós que quem qual muito "
           "mais também já não"),
    ),
}


def detect_language(text: str, default: str = "en") -> str:
    """ISO 639-1 code of `text`'s language among STOPWORDS' keys; `default` when nothing tells."""
    lowered = text.casefold()
    words = re.findall(r"[^\W\d_]+", lowered)
    # A one-letter word ("a") is a function word in several of the languages: it tells little.
    scores = {lang: sum((0.25 if len(w) == 1 else 1.0) for w in words if w in stop) for lang, stop in STOPWORDS.items()}
    for lang, letters in _LETTERS.items():
        scores[lang] += 0.5 * sum(lowered.count(c) for c in letters)
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] > 0 else default


def detect_prompt_language(text: str) -> str:
    """`text`'s language as `detect_language` reads it, or "" when it is none of the known ones: a
    script other than Latin, or a longer text where the best language's function words are too few
    to be its own (Dutch shares "in" with English and nothing else)."""
    words = re.findall(r"[^\W\d_]+", text.casefold())
    if not words:
        return "en"
    latin = sum(all(ord(ch) < 0x250 for ch in w) for w in words) / len(words)
    if latin < 0.5:
        return ""
    language = detect_language(text, default="")
    if not language:
        return "en"  # a few content words of Latin script ("samurai duel, bamboo forest"): English
    hits = sum(w in STOPWORDS[language] or w in FUNCTION_WORDS[language].all for w in words)
    return language if len(words) < 8 or hits / len(words) >= 0.1 else ""


def function_words(language: str) -> FunctionWords | None:
    """The closed word classes of `language`, or None for a language this module does not know."""
    return FUNCTION_WORDS.get(language)
