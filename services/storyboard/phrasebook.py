"""The few words of its own a grounded scene says around the prompt's words, in each language.

Pure data. Frames carry slots filled from the premise, all in the prompt's own words: {core} (the
premise), {clause} (what happens in this scene), {lead}, {thing}, {setting}, {era}, {n} (a step
number), {product}, {feature}, {start} and {end} (the two ends of "from ... to ..."). A frame whose
slots cannot all be filled is skipped, so every frame list ends in one that needs only {core} or
{lead}. Frames join a label to a phrase with a colon where word order differs between languages, so
that any noun phrase or clause of the prompt fits them grammatically.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.storyboard.premise import Form

Frames = tuple[tuple[str, ...], ...]  # per beat (setup, rising, climax, falling, resolution)


@dataclass(frozen=True)
class Phrasebook:
    beat_lines: Frames  # short lines that say where in the arc a scene is
    frames: dict[Form, Frames]  # what each form says per beat; a missing form uses NARRATIVE
    era_fallback: tuple[str, ...]  # when the prompt names fewer eras than scenes: per beat
    numbers: tuple[str, ...]  # step numbers, "1".. as words where short


EN = Phrasebook(
    beat_lines=(
        ("This is where it begins.", "Everything starts here."),
        ("Then things begin to change.", "Little by little, it builds."),
        ("This is the moment.", "Everything depends on it now."),
        ("Slowly, calm returns.", "What is left is clearer."),
        ("And so it ends.", "The story goes on."),
    ),
    frames={
        Form.NARRATIVE: (
            ("{core}.", "{lead}, {setting}.", "{lead}."),
            ("{clause}, and nothing is simple.", "{lead} and {thing}: it begins.", "{lead}, and it begins."),
            ("The moment comes: {clause}.", "Everything comes down to {thing}.", "The moment comes: {lead}."),
            ("After it all: {lead}, {setting}.", "What remains: {thing}, and {lead}.", "After it all: {lead}."),
            ("In the end: {clause}.", "{lead}, changed, {setting}.", "In the end: {lead}."),
        ),
        Form.HOWTO: (
            ("Step {n}: everything you need to {core}.", "Step {n}: {start}, ready to begin.", "Step {n}: {core}."),
            ("Step {n}: {thing}.", "Step {n}: {clause}, slowly.", "Step {n}: {lead}."),
            ("Step {n}: {clause}, with care.", "Step {n}: now {lead}.", "Step {n}: {lead}."),
            ("Step {n}: check {thing}.", "Step {n}: {clause}, until it is right.", "Step {n}: {lead}."),
            ("Done: {end}.", "Done: {lead}, {setting}.", "Done: {core}."),
        ),
        Form.HISTORY: (
            ("{era}: {lead}, where it begins.", "{era}: {core}.", "{era}: {lead}."),
            ("{era}: {clause}.", "{era}: {lead} and {thing}.", "{era}: {lead}."),
            ("{era}: {lead} changes everything.", "{era}: {thing}.", "{era}: {lead}."),
            ("{era}: {lead}, {setting}.", "{era}: {thing}, and {lead}.", "{era}: {lead}."),
            ("{era}: {end}.", "{era}: {lead}, still with us.", "{era}: {lead}."),
        ),
        Form.PRODUCT: (
            ("Meet {product}.", "{product}."),
            ("{product}: {feature}.", "{product}, in every detail."),
            ("Introducing {product}: {feature}.", "Introducing {product}."),
            ("{product}, {setting}, every day.", "{product}: {feature}, every day.", "{product}, every day."),
            ("{product}. Available now.",),
        ),
        Form.POEM: (
            ("{lead}, {setting}; {core}.", "{core}."),
            ("{clause}; and {thing}, and {lead}.", "{clause}, softly.", "{lead}, softly."),
            ("O {lead}, and {thing}!", "O {lead}: {clause}!", "O {lead}!"),
            ("{thing}, {setting}, slowly.", "{lead}, slowly, slowly.", "{lead}, slowly."),
            ("{lead}, still: {clause}.", "{lead}, still."),
        ),
        Form.ABSTRACT: (
            ("{core}: at first only a whisper.", "{lead}: at first only a whisper."),
            ("{lead}, taking shape {setting}.", "{lead}, taking shape as {thing}.", "{lead}, taking shape."),
            ("{lead}, everywhere at once: {core}.", "{lead}, everywhere at once."),
            ("{lead}, fading {setting}.", "{lead}, fading into {thing}.", "{lead}, fading."),
            ("{core}, and then stillness.", "{lead}, and then stillness."),
        ),
        Form.JOURNEY: (
            ("The journey begins: {core}.", "The journey begins at {start}: {lead}.", "The journey begins: {lead}."),
            ("On the way: {clause}.", "On the way: {lead}, {setting}.", "On the way: {lead}."),
            ("Halfway: {lead} and {thing}.", "Halfway: {clause}.", "Halfway: {lead}."),
            ("Further still: {lead}, {setting}.", "Further still: {thing}.", "Further still: {lead}."),
            ("At last, {end}: {lead}.", "The journey complete: {core}.", "The journey complete: {lead}."),
        ),
        Form.MUSIC: (
            ("The first notes: {core}.", "The first notes: {lead}."),
            ("The song rises: {clause}.", "The song rises: {lead}, {setting}.", "The song rises: {lead}."),
            ("Full voice: {lead}, {setting}.", "Full voice: {clause}.", "Full voice: {lead}."),
            ("The music softens: {lead} and {thing}.", "The music softens: {lead}."),
            ("The last chord: {core}.", "The last chord: {lead}."),
        ),
    },
    era_fallback=("In the beginning", "Later", "Then", "Decades later", "Today"),
    numbers=("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
)

DE = Phrasebook(
    beat_lines=(
        ("Hier beginnt es.", "Alles fängt hier an."),
        ("Dann beginnt sich etwas zu ändern.", "Nach und nach wächst es."),
        ("Das ist der Moment.", "Jetzt hängt alles davon ab."),
        ("Langsam kehrt Ruhe ein.", "Was bleibt, ist klarer."),
        ("Und so endet es.", "Die Geschichte geht weiter."),
    ),
    frames={
        Form.NARRATIVE: (
            ("{core}.", "{lead}, {setting}.", "{lead}."),
            ("{clause}, und nichts ist einfach.", "{lead} und {thing}: es beginnt.", "{lead}: es beginnt."),
            ("Der Moment ist da: {clause}.", "Alles hängt daran: {thing}.", "Der Moment ist da: {lead}."),
            ("Danach: {lead}, {setting}.", "Was bleibt: {thing} und {lead}.", "Danach: {lead}."),
            ("Am Ende: {clause}.", "{lead}, {setting}, für immer.", "Am Ende: {lead}."),
        ),
        Form.HOWTO: (
            ("Schritt {n}: alles für {core}.", "Schritt {n}: {start}, bereit zum Anfangen.", "Schritt {n}: {core}."),
            ("Schritt {n}: {thing}.", "Schritt {n}: {clause}, ganz ruhig.", "Schritt {n}: {lead}."),
            ("Schritt {n}: {clause}, mit Sorgfalt.", "Schritt {n}: jetzt {lead}.", "Schritt {n}: {lead}."),
            ("Schritt {n}: {thing} prüfen.", "Schritt {n}: {clause}, bis es stimmt.", "Schritt {n}: {lead}."),
            ("Fertig: {end}.", "Fertig: {lead}, {setting}.", "Fertig: {core}."),
        ),
        Form.HISTORY: (
            ("{era}: {lead}, hier beginnt es.", "{era}: {core}.", "{era}: {lead}."),
            ("{era}: {clause}.", "{era}: {lead} und {thing}.", "{era}: {lead}."),
            ("{era}: {lead} verändert alles.", "{era}: {thing}.", "{era}: {lead}."),
            ("{era}: {lead}, {setting}.", "{era}: {thing} und {lead}.", "{era}: {lead}."),
            ("{era}: {end}.", "{era}: {lead}, bis heute.", "{era}: {lead}."),
        ),
        Form.PRODUCT: (
            ("Neu für dich: {product}.", "{product}."),
            ("{product}: {feature}.", "{product}, bis ins Detail."),
            ("Neu: {product}, {feature}.", "Neu: {product}."),
            ("{product}, {setting}, jeden Tag.", "{product}: {feature}, jeden Tag.", "{product}, jeden Tag."),
            ("{product}. Ab jetzt erhältlich.",),
        ),
        Form.POEM: (
            ("{lead}, {setting}; {core}.", "{core}."),
            ("{clause}; und {thing}, und {lead}.", "{clause}, leise.", "{lead}, leise."),
            ("O {lead}, und {thing}!", "O {lead}: {clause}!", "O {lead}!"),
            ("{thing}, {setting}, langsam.", "{lead}, langsam, langsam.", "{lead}, langsam."),
            ("{lead}, still: {clause}.", "{lead}, still."),
        ),
        Form.MUSIC: (
            ("Die ersten Töne: {core}.", "Die ersten Töne: {lead}."),
            ("Das Lied steigt an: {clause}.", "Das Lied steigt an: {lead}.", "Das Lied steigt an: {lead}."),
            ("Mit voller Stimme: {lead}, {setting}.", "Mit voller Stimme: {clause}.", "Mit voller Stimme: {lead}."),
            ("Die Musik wird leiser: {lead} und {thing}.", "Die Musik wird leiser: {lead}."),
            ("Der letzte Akkord: {core}.", "Der letzte Akkord: {lead}."),
        ),
        Form.JOURNEY: (
            ("Die Reise beginnt: {core}.", "Die Reise beginnt: {lead}."),
            ("Unterwegs: {clause}.", "Unterwegs: {lead}, {setting}.", "Unterwegs: {lead}."),
            ("Auf halbem Weg: {lead} und {thing}.", "Auf halbem Weg: {clause}.", "Auf halbem Weg: {lead}."),
            ("Noch weiter: {lead}, {setting}.", "Noch weiter: {thing}.", "Noch weiter: {lead}."),
            ("Endlich, {end}: {lead}.", "Am Ziel: {core}.", "Am Ziel: {lead}."),
        ),
    },
    era_fallback=("Am Anfang", "Später", "Dann", "Jahrzehnte später", "Heute"),
    numbers=("eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn"),
)

ES = Phrasebook(
    beat_lines=(
        ("Aquí empieza todo.", "Todo comienza aquí."),
        ("Luego las cosas empiezan a cambiar.", "Poco a poco, crece."),
        ("Este es el momento.", "Ahora todo depende de esto."),
        ("Poco a poco vuelve la calma.", "Lo que queda es más claro."),
        ("Y así termina.", "La historia continúa."),
    ),
    frames={
        Form.NARRATIVE: (
            ("{core}.", "{lead}, {setting}.", "{lead}."),
            ("{clause}, y nada es sencillo.", "{lead} y {thing}: así empieza.", "{lead}: así empieza."),
            ("Llega el momento: {clause}.", "Todo depende de esto: {thing}.", "Llega el momento: {lead}."),
            ("Después de todo: {lead}, {setting}.", "Lo que queda: {thing} y {lead}.", "Después de todo: {lead}."),
            ("Al final: {clause}.", "{lead}, {setting}, para siempre.", "Al final: {lead}."),
        ),
        Form.HOWTO: (
            ("Paso {n}: todo lo necesario para {core}.", "Paso {n}: {start}, listo para empezar.", "Paso {n}: {core}."),
            ("Paso {n}: {thing}.", "Paso {n}: {clause}, con calma.", "Paso {n}: {lead}."),
            ("Paso {n}: {clause}, con cuidado.", "Paso {n}: ahora {lead}.", "Paso {n}: {lead}."),
            ("Paso {n}: revisar {thing}.", "Paso {n}: {clause}, hasta que esté bien.", "Paso {n}: {lead}."),
            ("Listo: {end}.", "Listo: {lead}, {setting}.", "Listo: {core}."),
        ),
        Form.HISTORY: (
            ("{era}: {lead}, donde todo empieza.", "{era}: {core}.", "{era}: {lead}."),
            ("{era}: {clause}.", "{era}: {lead} y {thing}.", "{era}: {lead}."),
            ("{era}: {lead} lo cambia todo.", "{era}: {thing}.", "{era}: {lead}."),
            ("{era}: {lead}, {setting}.", "{era}: {thing} y {lead}.", "{era}: {lead}."),
            ("{era}: {end}.", "{era}: {lead}, todavía con nosotros.", "{era}: {lead}."),
        ),
        Form.PRODUCT: (
            ("Descubre {product}.", "{product}."),
            ("{product}: {feature}.", "{product}, en cada detalle."),
            ("Presentamos {product}: {feature}.", "Presentamos {product}."),
            ("{product}, {setting}, cada día.", "{product}: {feature}, cada día.", "{product}, cada día."),
            ("{product}. Ya a la venta.",),
        ),
        Form.POEM: (
            ("{lead}, {setting}; {core}.", "{core}."),
            ("{clause}; y {thing}, y {lead}.", "{clause}, despacio.", "{lead}, despacio."),
            ("¡Oh {lead}, y {thing}!", "¡Oh {lead}: {clause}!", "¡Oh {lead}!"),
            ("{thing}, {setting}, lentamente.", "{lead}, lentamente.", "{lead}, lentamente."),
            ("{lead}, todavía: {clause}.", "{lead}, todavía."),
        ),
        Form.MUSIC: (
            ("Las primeras notas: {core}.", "Las primeras notas: {lead}."),
            ("La canción crece: {clause}.", "La canción crece: {lead}.", "La canción crece: {lead}."),
            ("A plena voz: {lead}, {setting}.", "A plena voz: {clause}.", "A plena voz: {lead}."),
            ("La música se calma: {lead} y {thing}.", "La música se calma: {lead}."),
            ("El último acorde: {core}.", "El último acorde: {lead}."),
        ),
        Form.JOURNEY: (
            ("Empieza el viaje: {core}.", "Empieza el viaje: {lead}."),
            ("En el camino: {clause}.", "En el camino: {lead}, {setting}.", "En el camino: {lead}."),
            ("A mitad de camino: {lead} y {thing}.", "A mitad de camino: {clause}.", "A mitad de camino: {lead}."),
            ("Más lejos aún: {lead}, {setting}.", "Más lejos aún: {thing}.", "Más lejos aún: {lead}."),
            ("Por fin, {end}: {lead}.", "El viaje completo: {core}.", "El viaje completo: {lead}."),
        ),
    },
    era_fallback=("Al principio", "Más tarde", "Luego", "Décadas después", "Hoy"),
    numbers=("uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez"),
)

FR = Phrasebook(
    beat_lines=(
        ("C'est ici que tout commence.", "Tout commence ici."),
        ("Puis les choses commencent à changer.", "Peu à peu, cela grandit."),
        ("C'est le moment.", "Maintenant, tout en dépend."),
        ("Lentement, le calme revient.", "Ce qui reste est plus clair."),
        ("Et ainsi cela se termine.", "L'histoire continue."),
    ),
    frames={
        Form.NARRATIVE: (
            ("{core}.", "{lead}, {setting}.", "{lead}."),
            ("{clause}, et rien n'est simple.", "{lead} et {thing} : tout commence.", "{lead} : tout commence."),
            ("Le moment arrive : {clause}.", "Tout se joue là : {thing}.", "Le moment arrive : {lead}."),
            ("Après tout cela : {lead}, {setting}.", "Ce qui reste : {thing} et {lead}.", "Après tout cela : {lead}."),
            ("À la fin : {clause}.", "{lead}, {setting}, pour toujours.", "À la fin : {lead}."),
        ),
        Form.HOWTO: (
            ("Étape {n} : tout ce qu'il faut pour {core}.", "Étape {n} : {start}, prêt à commencer.",
             "Étape {n} : {core}."),
            ("Étape {n} : {thing}.", "Étape {n} : {clause}, tranquillement.", "Étape {n} : {lead}."),
            ("Étape {n} : {clause}, avec soin.", "Étape {n} : maintenant {lead}.", "Étape {n} : {lead}."),
            ("Étape {n} : vérifier {thing}.", "Étape {n} : {clause}, jusqu'à ce que ce soit juste.",
             "Étape {n} : {lead}."),
            ("Terminé : {end}.", "Terminé : {lead}, {setting}.", "Terminé : {core}."),
        ),
        Form.HISTORY: (
            ("{era} : {lead}, là où tout commence.", "{era} : {core}.", "{era} : {lead}."),
            ("{era} : {clause}.", "{era} : {lead} et {thing}.", "{era} : {lead}."),
            ("{era} : {lead} change tout.", "{era} : {thing}.", "{era} : {lead}."),
            ("{era} : {lead}, {setting}.", "{era} : {thing} et {lead}.", "{era} : {lead}."),
            ("{era} : {end}.", "{era} : {lead}, toujours avec nous.", "{era} : {lead}."),
        ),
        Form.PRODUCT: (
            ("Voici {product}.", "{product}."),
            ("{product} : {feature}.", "{product}, dans chaque détail."),
            ("Découvrez {product} : {feature}.", "Découvrez {product}."),
            ("{product}, {setting}, chaque jour.", "{product} : {feature}, chaque jour.", "{product}, chaque jour."),
            ("{product}. Disponible dès maintenant.",),
        ),
        Form.POEM: (
            ("{lead}, {setting} ; {core}.", "{core}."),
            ("{clause} ; et {thing}, et {lead}.", "{clause}, doucement.", "{lead}, doucement."),
            ("Ô {lead}, et {thing} !", "Ô {lead} : {clause} !", "Ô {lead} !"),
            ("{thing}, {setting}, lentement.", "{lead}, lentement.", "{lead}, lentement."),
            ("{lead}, encore : {clause}.", "{lead}, encore."),
        ),
        Form.MUSIC: (
            ("Les premières notes : {core}.", "Les premières notes : {lead}."),
            ("La chanson monte : {clause}.", "La chanson monte : {lead}.", "La chanson monte : {lead}."),
            ("À pleine voix : {lead}, {setting}.", "À pleine voix : {clause}.", "À pleine voix : {lead}."),
            ("La musique s'apaise : {lead} et {thing}.", "La musique s'apaise : {lead}."),
            ("Le dernier accord : {core}.", "Le dernier accord : {lead}."),
        ),
        Form.JOURNEY: (
            ("Le voyage commence : {core}.", "Le voyage commence : {lead}."),
            ("En chemin : {clause}.", "En chemin : {lead}, {setting}.", "En chemin : {lead}."),
            ("À mi-chemin : {lead} et {thing}.", "À mi-chemin : {clause}.", "À mi-chemin : {lead}."),
            ("Plus loin encore : {lead}, {setting}.", "Plus loin encore : {thing}.", "Plus loin encore : {lead}."),
            ("Enfin, {end} : {lead}.", "Le voyage accompli : {core}.", "Le voyage accompli : {lead}."),
        ),
    },
    era_fallback=("Au début", "Plus tard", "Puis", "Des décennies plus tard", "Aujourd'hui"),
    numbers=("un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix"),
)

IT = Phrasebook(
    beat_lines=(
        ("Qui comincia tutto.", "Tutto inizia qui."),
        ("Poi le cose cominciano a cambiare.", "A poco a poco, cresce."),
        ("Questo è il momento.", "Ora tutto dipende da questo."),
        ("Lentamente torna la calma.", "Ciò che resta è più chiaro."),
        ("E così finisce.", "La storia continua."),
    ),
    frames={
        Form.NARRATIVE: (
            ("{core}.", "{lead}, {setting}.", "{lead}."),
            ("{clause}, e niente è semplice.", "{lead} e {thing}: tutto comincia.", "{lead}: tutto comincia."),
            ("Arriva il momento: {clause}.", "Tutto dipende da questo: {thing}.", "Arriva il momento: {lead}."),
            ("Dopo tutto questo: {lead}, {setting}.", "Ciò che resta: {thing} e {lead}.", "Dopo tutto questo: {lead}."),
            ("Alla fine: {clause}.", "{lead}, {setting}, per sempre.", "Alla fine: {lead}."),
        ),
        Form.HOWTO: (
            ("Passo {n}: tutto il necessario per {core}.", "Passo {n}: {start}, pronto per iniziare.",
             "Passo {n}: {core}."),
            ("Passo {n}: {thing}.", "Passo {n}: {clause}, con calma.", "Passo {n}: {lead}."),
            ("Passo {n}: {clause}, con cura.", "Passo {n}: ora {lead}.", "Passo {n}: {lead}."),
            ("Passo {n}: controllare {thing}.", "Passo {n}: {clause}, finché è giusto.", "Passo {n}: {lead}."),
            ("Fatto: {end}.", "Fatto: {lead}, {setting}.", "Fatto: {core}."),
        ),
        Form.HISTORY: (
            ("{era}: {lead}, dove tutto comincia.", "{era}: {core}.", "{era}: {lead}."),
            ("{era}: {clause}.", "{era}: {lead} e {thing}.", "{era}: {lead}."),
            ("{era}: {lead} cambia tutto.", "{era}: {thing}.", "{era}: {lead}."),
            ("{era}: {lead}, {setting}.", "{era}: {thing} e {lead}.", "{era}: {lead}."),
            ("{era}: {end}.", "{era}: {lead}, ancora con noi.", "{era}: {lead}."),
        ),
        Form.PRODUCT: (
            ("Ecco {product}.", "{product}."),
            ("{product}: {feature}.", "{product}, in ogni dettaglio."),
            ("Presentiamo {product}: {feature}.", "Presentiamo {product}."),
            ("{product}, {setting}, ogni giorno.", "{product}: {feature}, ogni giorno.", "{product}, ogni giorno."),
            ("{product}. Disponibile ora.",),
        ),
        Form.POEM: (
            ("{lead}, {setting}; {core}.", "{core}."),
            ("{clause}; e {thing}, e {lead}.", "{clause}, piano.", "{lead}, piano."),
            ("O {lead}, e {thing}!", "O {lead}: {clause}!", "O {lead}!"),
            ("{thing}, {setting}, lentamente.", "{lead}, lentamente.", "{lead}, lentamente."),
            ("{lead}, ancora: {clause}.", "{lead}, ancora."),
        ),
    },
    era_fallback=("All'inizio", "Più tardi", "Poi", "Decenni dopo", "Oggi"),
    numbers=("uno", "due", "tre", "quattro", "cinque", "sei", "sette", "otto", "nove", "dieci"),
)

PT = Phrasebook(
    beat_lines=(
        ("Aqui tudo começa.", "Tudo começa aqui."),
        ("Depois as coisas começam a mudar.", "Pouco a pouco, cresce."),
        ("Este é o momento.", "Agora tudo depende disto."),
        ("Devagar, a calma volta.", "O que fica é mais claro."),
        ("E assim termina.", "A história continua."),
    ),
    frames={
        Form.NARRATIVE: (
            ("{core}.", "{lead}, {setting}.", "{lead}."),
            ("{clause}, e nada é simples.", "{lead} e {thing}: tudo começa.", "{lead}: tudo começa."),
            ("Chega o momento: {clause}.", "Tudo depende disto: {thing}.", "Chega o momento: {lead}."),
            ("Depois de tudo: {lead}, {setting}.", "O que fica: {thing} e {lead}.", "Depois de tudo: {lead}."),
            ("No fim: {clause}.", "{lead}, {setting}, para sempre.", "No fim: {lead}."),
        ),
        Form.HOWTO: (
            ("Passo {n}: tudo o que é preciso para {core}.", "Passo {n}: {start}, pronto para começar.",
             "Passo {n}: {core}."),
            ("Passo {n}: {thing}.", "Passo {n}: {clause}, com calma.", "Passo {n}: {lead}."),
            ("Passo {n}: {clause}, com cuidado.", "Passo {n}: agora {lead}.", "Passo {n}: {lead}."),
            ("Passo {n}: verificar {thing}.", "Passo {n}: {clause}, até ficar certo.", "Passo {n}: {lead}."),
            ("Pronto: {end}.", "Pronto: {lead}, {setting}.", "Pronto: {core}."),
        ),
        Form.HISTORY: (
            ("{era}: {lead}, onde tudo começa.", "{era}: {core}.", "{era}: {lead}."),
            ("{era}: {clause}.", "{era}: {lead} e {thing}.", "{era}: {lead}."),
            ("{era}: {lead} muda tudo.", "{era}: {thing}.", "{era}: {lead}."),
            ("{era}: {lead}, {setting}.", "{era}: {thing} e {lead}.", "{era}: {lead}."),
            ("{era}: {end}.", "{era}: {lead}, ainda connosco.", "{era}: {lead}."),
        ),
        Form.PRODUCT: (
            ("Conheça {product}.", "{product}."),
            ("{product}: {feature}.", "{product}, em cada detalhe."),
            ("Apresentamos {product}: {feature}.", "Apresentamos {product}."),
            ("{product}, {setting}, todos os dias.", "{product}: {feature}, todos os dias.",
             "{product}, todos os dias."),
            ("{product}. Já disponível.",),
        ),
        Form.POEM: (
            ("{lead}, {setting}; {core}.", "{core}."),
            ("{clause}; e {thing}, e {lead}.", "{clause}, devagar.", "{lead}, devagar."),
            ("Ó {lead}, e {thing}!", "Ó {lead}: {clause}!", "Ó {lead}!"),
            ("{thing}, {setting}, lentamente.", "{lead}, lentamente.", "{lead}, lentamente."),
            ("{lead}, ainda: {clause}.", "{lead}, ainda."),
        ),
    },
    era_fallback=("No início", "Mais tarde", "Depois", "Décadas depois", "Hoje"),
    numbers=("um", "dois", "três", "quatro", "cinco", "seis", "sete", "oito", "nove", "dez"),
)

# A language none of the above speaks: only the prompt's own words, joined by punctuation.
NEUTRAL = Phrasebook(
    beat_lines=((), (), (), (), ()),
    frames={
        Form.NARRATIVE: (
            ("{core}.", "{lead}."),
            ("{clause}.", "{lead}: {thing}.", "{lead}."),
            ("{lead}: {thing}!", "{clause}!", "{lead}!"),
            ("{lead}, {setting}.", "{thing}.", "{lead}."),
            ("{clause}.", "{core}."),
        ),
        Form.PRODUCT: (
            ("{product}.",), ("{product}: {feature}.", "{product}."), ("{product}!",),
            ("{product}: {feature}.", "{product}."), ("{product}.",),
        ),
    },
    era_fallback=("…", "…", "…", "…", "…"),
    numbers=("1", "2", "3", "4", "5", "6", "7", "8", "9", "10"),
)

PHRASEBOOKS: dict[str, Phrasebook] = {"en": EN, "de": DE, "es": ES, "fr": FR, "it": IT, "pt": PT}


def phrasebook(language: str) -> Phrasebook:
    return PHRASEBOOKS.get(language, NEUTRAL)


def frames_for(book: Phrasebook, form: Form, beat: int) -> tuple[str, ...]:
    return (book.frames.get(form) or book.frames[Form.NARRATIVE])[beat]
