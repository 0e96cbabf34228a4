"""The offline planner: a deterministic storyboard writer and the repair source for language models.

What each scene is about comes from the prompt itself (`premise` reads it in its own language,
`grounding` words each scene: subject first, narration stating the premise in the prompt's words).
The planner decides how it is shot: it casts the film (hero, second character, key object, each with
a fixed visual description), stretches a five-beat arc over the scenes, and picks shot size (shot
grammar), camera move, lighting and palette from banks chosen by genre, mood and beat. All choices
come from one `random.Random(seed)`, so a seed gives the same storyboard.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from dataclasses import dataclass, field

from services.storyboard import lexicon, text
from services.storyboard.analysis import PromptAnalysis, Subject, SubjectKind, analyse, singular_form, with_article
from services.storyboard.cast_traits import CastTraits, age_phrase, cast_traits, gendered, person_word, possessive
from services.storyboard.domain import (
    BEATS,
    Brief,
    CameraPose,
    Character,
    MusicBrief,
    MvDescription,
    MvSegment,
    Notice,
    Scene,
    ShotDomains,
    Storyboard,
    Transition,
)
from services.storyboard.grounding import ground_scene
from services.storyboard.premise import Form, Premise, bare, inline, read_premise
from services.storyboard.timing import (
    distribute_lyrics,
    durations_from_boundaries,
    mean_energy,
    music_cuts,
    no_beat_notice,
    split_duration,
    start_times,
)

_VEHICLES = frozenset("motorcycle motorbike car bike bicycle truck van scooter skateboard horse boat jeep".split())
_ABSTRACT_SUFFIXES = ("ness", "ity", "dom", "hood", "ism", "ment", "ence", "ance", "tude")
_ENERGY_WORDS = ((0.33, "quiet"), (0.66, "building"), (1.01, "intense"))


@dataclass(frozen=True)
class PlannerConfig:
    words_per_second: float = 2.5
    max_narration_words: int = 600
    max_scene_count: int = 60


@dataclass(frozen=True)
class Role:
    """A part in the film: how scenes refer to it, and its fixed look."""

    text: str  # "Elias", "the humpback whale", "the lemon cake"
    kind: SubjectKind
    visual: str  # "a lighthouse keeper in their sixties, close-cropped grey hair, ..."
    character: Character


@dataclass
class SceneContext:
    """What finishing needs to enrich one scene: who is in it and its look."""

    cast: list[Character]
    palette: str
    lens: str
    narration_pool: list[str] = field(default_factory=list)


@dataclass
class Timeline:
    durations: list[float]
    starts: list[float]
    beats: list[int]  # index into BEATS per scene
    intensities: list[float] | None = None  # music energy per scene (music-video mode)
    sections: list[int] | None = None
    notices: list[Notice] = field(default_factory=list)


@dataclass
class Plan:
    storyboard: Storyboard
    contexts: list[SceneContext]
    keywords: list[str]
    analysis: PromptAnalysis


def derive_seed(prompt: str) -> int:
    """A stable seed from the prompt (not Python's salted hash)."""
    return int.from_bytes(hashlib.sha256(prompt.encode("utf-8")).digest()[:8], "big") & (2**63 - 1)


def arc_beats(count: int) -> list[int]:
    """The five-beat arc stretched or compressed to `count` scenes (indices into BEATS)."""
    short = {1: [2], 2: [0, 4], 3: [0, 2, 4], 4: [0, 1, 2, 4]}
    if count in short:
        return short[count]
    weights = (0.15, 0.35, 0.2, 0.15, 0.15)
    spare = count - 5
    ideal = [spare * w for w in weights]
    extra = [math.floor(x) for x in ideal]
    for i in sorted(range(5), key=lambda i: (-(ideal[i] - extra[i]), i))[: spare - sum(extra)]:
        extra[i] += 1
    return [beat for beat in range(5) for _ in range(1 + extra[beat])]


def mv_prompt(brief: Brief) -> str:
    """The theme a music video is written from when the caller gave no prompt."""
    music = brief.music
    assert music is not None
    label = lexicon.MV_TYPE_LABEL.get(music.mv_type.value, "cinematic")
    tags = ", ".join(music.genre_tags) or "instrumental"
    return f"a {label} music video for a {tags} track"


class Planner:
    """Writes a complete storyboard offline. Same brief and seed, same storyboard."""

    def __init__(self, config: PlannerConfig | None = None) -> None:
        self.config = config or PlannerConfig()

    # --- timeline -------------------------------------------------------------------------------
    def timeline(self, brief: Brief, rng: random.Random) -> Timeline:
        if brief.music is not None:
            return self._music_timeline(brief)
        beats = arc_beats(brief.scene_count)
        weights = [lexicon.BEAT_DURATION_WEIGHT[b] * rng.uniform(0.92, 1.08) for b in beats]
        if len(weights) > 2:
            weights[0] *= 1.1  # the establishing shot breathes
            weights[-1] *= 1.1
        durations = split_duration(brief.duration_s, weights)
        return Timeline(durations, start_times(durations), beats)

    def _music_timeline(self, brief: Brief) -> Timeline:
        assert brief.music is not None
        analysis = brief.music.analysis
        cuts = music_cuts(analysis, brief.scene_count or None, self.config.max_scene_count)
        edges = [0.0, *cuts.boundaries_s]
        durations = durations_from_boundaries(cuts.boundaries_s, brief.duration_s)
        count = len(durations)
        notices = []
        if cuts.scene_count_raised:
            notices.append(Notice(
                "storyboard_scene_count_raised",
                f"scene count raised from {brief.scene_count} to {count} so that each of the "
                f"{len(analysis.section_boundaries_s)} section changes is a cut",
            ))
        if (no_beat := no_beat_notice(analysis, cuts)) is not None:
            notices.append(Notice(*no_beat))
        intensities = []
        for start, duration in zip(edges, durations, strict=True):
            energy = mean_energy(analysis, start, start + duration)
            intensities.append(energy if energy is not None else -1.0)
        return Timeline(
            durations, start_times(durations), arc_beats(count),
            intensities=intensities, sections=cuts.section_of_scene, notices=notices,
        )

    # --- plan -----------------------------------------------------------------------------------
    def plan(self, brief: Brief) -> Plan:
        rng = random.Random(brief.seed)
        if brief.prompt or brief.music is None:
            analysis = analyse(brief.prompt)
        else:
            # A music video without a prompt: mood from the genre tags, cast and place from the MV type.
            analysis = analyse(" ".join(brief.music.genre_tags))
            analysis.subjects, analysis.setting_key, analysis.setting_phrase = [], "", ""
            analysis.text = mv_prompt(brief)
        premise = read_premise(analysis.text)
        genre_key = _genre_for(premise.form, analysis.genre)
        if brief.music is not None and brief.music.mv_type.value in lexicon.MV_TYPE_GENRE:
            genre_key = lexicon.MV_TYPE_GENRE[brief.music.mv_type.value]
        genre = lexicon.GENRES[genre_key]
        mood = lexicon.MOODS[analysis.mood]
        timeline = self.timeline(brief, rng)
        setting_key = analysis.setting_key or genre.setting
        setting = lexicon.SETTINGS[setting_key]
        setting_phrase = analysis.setting_phrase or setting.phrase
        place_keyword = ""
        if not analysis.setting_phrase and genre_key in lexicon.GENRE_PLACES:
            setting_phrase, place_keyword = lexicon.GENRE_PLACES[genre_key]
        time_key = analysis.time_key or genre.time
        time = lexicon.TIMES[time_key]
        weather = lexicon.WEATHER.get(analysis.weather)

        if premise.language == "en":
            # A verb the word lists do not know ("how to repot an orchid") is no one in the cast.
            verbs = {v.casefold() for v in premise.verbs}
            analysis.subjects = [s for s in analysis.subjects if s.phrase.casefold() not in verbs]
            hero, other, thing = self._cast(analysis, genre_key, genre, setting, rng)
        else:
            hero, other, thing = _premise_cast(premise)
        details = self._details(analysis, setting, place_keyword, rng)
        # Where the prompt says it happens, in its words; a place the planner would invent is left out.
        place = premise.setting or (analysis.setting_phrase if premise.language == "en" else "") or premise.lead.text
        action = analysis.action or (
            lexicon.MV_TYPE_ACTION.get(brief.music.mv_type.value, genre.action) if brief.music else genre.action
        )
        style = brief.style or genre.style
        keywords = self._keywords(genre, mood, style, rng)
        slots_base = {
            "hero": hero.text, "other": other.text, "thing": thing.text,
            "setting": setting_phrase if analysis.setting_phrase else "",
            "time": time.phrase, "action": action,
        }
        negative = ", ".join(dict.fromkeys([*lexicon.NEGATIVE_BASE, *genre.negative, *_style_negative(style)]))

        scenes: list[Scene] = []
        contexts: list[SceneContext] = []
        used_titles: set[str] = set()
        spoken: set[str] = set()  # narration lines already used: fresh ones first, repeats only if needed
        previous_move = ""
        count = len(timeline.durations)
        offset = rng.randrange(2)
        for i in range(count):
            beat = timeline.beats[i]
            # The k-th scene of a beat takes the next staging and lines, so that beats do not repeat.
            occurrence = timeline.beats[:i].count(beat) + offset
            slots = dict(
                slots_base, detail=details[(2 * i) % len(details)], detail2=details[(2 * i + 1) % len(details)]
            )
            grounded = ground_scene(premise, beat, i, count, occurrence)
            shot_type = self._shot_type(i, count, beat, genre, rng)
            intensity = self._intensity(timeline, i, beat, mood)
            move = rng.choice([m for m in lexicon.BEAT_MOVES[beat] if m != previous_move] or ["static"])
            previous_move = move
            present = [hero] + [r for r in (other, thing) if r is not hero and _named_in(r, grounded.subject)]
            if thing.kind == SubjectKind.OBJECT and thing not in present and shot_type.startswith(("macro", "hero")):
                present.append(thing)
            pose = rng.choice(lexicon.POSES[beat] if hero.kind != SubjectKind.OBJECT else lexicon.OBJECT_STATES[beat])
            family = _shot_family(shot_type)
            relation = text.fill(rng.choice(lexicon.RELATIONS[family]), slots)
            lighting = "; ".join(p for p in (
                time.light, weather.light if weather else "", mood.lighting, lexicon.BEAT_LIGHTING[beat],
                lexicon.BEAT_GRADE[beat]) if p)
            palette = mood.palette + (f" with {mood.accent} accents" if BEATS[beat] == "climax" else "")
            background = text.fill("{place} {time}" + (f", {weather.phrase}" if weather else ""),
                                   dict(slots, place=place))
            title = _unique_title(grounded.title, used_titles)
            narration_pool = grounded.narration
            if premise.language == "en":
                # A long scene says the premise first, then what any scene of its genre and mood may say.
                narration_pool = [*narration_pool, *self._filler(genre, mood, beat, occurrence, i, slots)]
            narration_pool = [s for s in narration_pool if s not in spoken] + [s for s in narration_pool if s in spoken]
            target = text.narration_target(
                timeline.durations[i], self.config.words_per_second, self.config.max_narration_words)
            narration = text.fit_words(narration_pool, target)
            spoken.update(text.sentences(narration))
            scene = Scene(
                index=i,
                title=title,
                # The title names what this scene looks at (unique in the film), the subject what happens.
                description=text.tidy(f"{title}: {grounded.subject}."),
                visual_prompt=f"{grounded.subject}, {shot_type}",
                negative_prompt=negative,
                narration=narration,
                duration_s=timeline.durations[i],
                shot=ShotDomains(
                    character=f"{hero.character.name} ({hero.visual}), {pose}",
                    background=background,
                    relation=relation,
                    camera_pose=self._camera(move, mood.camera_scale, rng),
                    lighting=lighting,
                ),
                mood=mood.beat_moods[beat],
                shot_type=shot_type,
                start_s=timeline.starts[i],
                beat=BEATS[beat],
                motion_intensity=round(intensity, 3),
            )
            scenes.append(scene)
            contexts.append(SceneContext(
                cast=[r.character for r in present], palette=palette, lens=lexicon.LENS_BY_SHOT[family],
                narration_pool=narration_pool,
            ))
        self._transitions(scenes, genre_key, brief, timeline)

        storyboard = Storyboard(
            title=_film_title(analysis, premise, brief),
            logline=text.fill("{core}.", {"core": premise.core}),
            style=style,
            characters=_bible(hero, other, thing, scenes, contexts),
            music=self._music(genre, mood, analysis, brief, rng),
            scenes=scenes,
            total_duration_s=brief.duration_s,
            seed=brief.seed,
            prompt=brief.prompt or analysis.text,
        )
        storyboard.provenance.warnings.extend(timeline.notices)
        if brief.music is not None:
            storyboard.mv_description = self._mv_description(brief, storyboard, timeline, genre_key)
            lines = distribute_lyrics(brief.music.lyrics, timeline.starts, timeline.durations, brief.music.analysis)
            for scene, line in zip(scenes, lines, strict=True):
                scene.lyrics = line
        return Plan(storyboard, contexts, keywords, analysis)

    # --- casting --------------------------------------------------------------------------------
    def _cast(
        self, analysis: PromptAnalysis, genre_key: str, genre: lexicon.Genre, setting: lexicon.Setting,
        rng: random.Random,
    ) -> tuple[Role, Role, Role]:
        living = analysis.characters
        objects = analysis.objects
        names = list(lexicon.GIVEN_NAMES)
        rng.shuffle(names)
        wardrobe = rng.choice(setting.wardrobe)
        if living:
            traits = cast_traits(analysis.text, living[0].phrase)
            hero = self._living_role(living[0], _take_name(names, traits.gender), wardrobe, rng, traits)
        elif genre_key == "action" and objects and objects[0].head in _VEHICLES:
            rider = Subject(f"{objects[0].singular} rider", "rider", SubjectKind.PERSON)
            objects = objects[1:]
            hero = self._living_role(rider, names.pop(), wardrobe, rng)
        elif objects:
            # No person or animal in the prompt: its first thing leads ("the printing press"), none is invented.
            hero = self._living_role(objects[0], names.pop(), wardrobe, rng)
            objects = objects[1:]
        else:
            hero = self._living_role(_default_subject(genre.hero), names.pop(), wardrobe, rng)
        other_subject = living[1] if len(living) > 1 else _default_subject(genre.other)
        other_traits = cast_traits("", other_subject.phrase)  # its own words only: the pronouns are the hero's
        other = self._living_role(
            other_subject, _take_name(names, other_traits.gender), rng.choice(setting.wardrobe), rng, other_traits
        )
        keyword_thing = next((t for k, t in lexicon.KEYWORD_THINGS.items() if k in analysis.keywords), None)
        role_thing = next((lexicon.ROLE_THINGS[s.head] for s in living if s.head in lexicon.ROLE_THINGS), None)
        finish = lexicon.OBJECT_FINISH.get(genre_key, lexicon.OBJECT_FINISH["default"])
        weak_object = not objects or (len(objects[0].phrase.split()) == 1 and not _is_abstract(objects[0].phrase))
        if role_thing and weak_object:
            thing_text, visual = role_thing  # "the violin" says more than a bare "line"
        elif objects and _is_abstract(objects[0].phrase):
            thing_text = _refer(objects[0].phrase)
            visual = f"{objects[0].phrase} made visible as a slow-shifting sculpture of light and shadow"
        elif objects:
            thing_text = _refer(objects[0].phrase)
            visual = f"{_indefinite(objects[0].phrase)}, {rng.choice(finish)}"
        elif keyword_thing:
            thing_text, visual = keyword_thing
        else:
            thing_text = _refer(_default_subject(genre.thing).phrase)
            visual = f"{_indefinite(_default_subject(genre.thing).phrase)}, {rng.choice(finish)}"
        thing = Role(thing_text, SubjectKind.OBJECT, visual, Character(_capitalise(thing_text), visual))
        return hero, other, thing

    def _living_role(
        self, subject: Subject, name: str, wardrobe: str, rng: random.Random, traits: CastTraits | None = None
    ) -> Role:
        def unnamed(referred: str, kind: SubjectKind, visual: str) -> Role:
            return Role(referred, kind, visual, Character(_capitalise(referred), visual))

        phrase, head = subject.phrase, subject.head
        group = singular_form(phrase.split(" of ")[0].split()[-1]).lower() if phrase else ""
        if " of " in phrase and group in lexicon.GROUP_ROLES and subject.kind == SubjectKind.PERSON:
            # "a team of art thieves": one look for the whole group, from what its members are.
            outfit = lexicon.ROLE_WARDROBE.get(head, wardrobe)
            return unnamed(_refer(phrase), subject.kind, f"{_indefinite(phrase)}, each in {outfit}")
        if group in lexicon.GROUP_ROLES or head in lexicon.GROUP_ROLES:
            visual = lexicon.GROUP_ROLES.get(group) or lexicon.GROUP_ROLES[head]
            return unnamed(_refer(phrase), subject.kind, visual)
        if subject.kind == SubjectKind.ANIMAL and phrase.split()[0].lower() in lexicon.MATERIALS:
            finish = rng.choice(lexicon.OBJECT_FINISH["default"])  # "a paper crane" that comes to life
            visual = f"{_indefinite(subject.singular)}, folded by hand, {finish}"
            return unnamed(_refer(subject.singular), subject.kind, visual)
        if subject.kind == SubjectKind.ANIMAL:
            visual = f"{_indefinite(subject.singular)}, a large adult with {rng.choice(lexicon.ANIMAL_MARKS)}"
            return unnamed(_refer(subject.singular), subject.kind, visual)
        if subject.kind == SubjectKind.OBJECT:  # a default cast line such as "a ribbon of light"
            finish = rng.choice(lexicon.OBJECT_FINISH["default"])
            return unnamed(_refer(phrase), subject.kind, f"{_indefinite(phrase)}, {finish}")
        role = subject.singular
        if head in lexicon.NONHUMAN_ROLES:
            machine = head in ("robot", "android", "cyborg", "rover", "drone", "probe", "ai")
            name = rng.choice(lexicon.ROBOT_NAMES) if machine else name
            look = lexicon.ROLE_WARDROBE.get(head, "an uncanny, faintly luminous form")
            quirk = rng.choice(("scuffed and patched", "softly glowing seams", "a slightly tilted head"))
            visual = f"{_indefinite(role)}, {look}, {quirk}"
        else:
            traits = traits or CastTraits()
            if traits.age is not None:  # the prompt says it ("in his eighties", "eight-year-old", "retired")
                age = age_phrase(traits.age, traits.gender)
            elif head in lexicon.YOUNG_ROLES:
                age = rng.choice(("about eight years old", "about ten years old", "a small child"))
            elif head in lexicon.OLD_ROLES:
                age = rng.choice(("in their seventies", "in their eighties"))
            else:
                age = "an adult"  # the prompt says no age: none is invented
            age = age.replace(" their ", f" {possessive(traits.gender)} ")
            # A neutral role says the gender the prompt gives it: "a ferry captain, a woman in her fifties".
            person = person_word(traits.gender, traits.age) if not gendered(role) else ""
            if age == "an adult":
                age = f", an adult {person}" if person else ", an adult"
            elif person:
                age = f", {_indefinite(person)} {age}"
            else:
                age = f" {age}"
            outfit = lexicon.ROLE_WARDROBE.get(head, wardrobe)
            visual = f"{_indefinite(role)}{age}, {rng.choice(lexicon.HAIR)}, wearing {outfit}"
        return Role(name, SubjectKind.PERSON, visual, Character(name, visual))

    def _details(
        self, analysis: PromptAnalysis, setting: lexicon.Setting, place_keyword: str, rng: random.Random
    ) -> list[str]:
        keywords = [*analysis.keywords, place_keyword]
        specific = [d for k, ds in lexicon.KEYWORD_DETAILS.items() if k in keywords for d in ds]
        seasonal = list(lexicon.SEASON_DETAILS.get(analysis.season, ()))
        general = list(setting.details)
        rng.shuffle(general)
        rng.shuffle(specific)
        # Specific details first so that the prompt's own place shows in the first scenes.
        merged: list[str] = []
        for group in zip(specific + seasonal, general, strict=False):
            merged.extend(group)
        merged += [d for d in specific + seasonal + general if d not in merged]
        return merged

    # --- shots ----------------------------------------------------------------------------------
    def _shot_type(self, index: int, count: int, beat: int, genre: lexicon.Genre, rng: random.Random) -> str:
        if index == 0 and count > 1:
            return genre.shots[0][0] if genre.shots[0] and "establishing" in genre.shots[0][0] else lexicon.OPENING_SHOT
        if index == count - 1 and count > 2:
            return lexicon.CLOSING_SHOT
        return rng.choice(lexicon.SHOT_GRAMMAR[beat] + genre.shots[beat])

    def _intensity(self, timeline: Timeline, index: int, beat: int, mood: lexicon.Mood) -> float:
        if timeline.intensities is not None and timeline.intensities[index] >= 0:
            return min(1.0, max(0.05, timeline.intensities[index]))
        return min(1.0, max(0.1, lexicon.BEAT_TENSION[beat] * mood.camera_scale))

    def _camera(self, move: str, mood_scale: float, rng: random.Random) -> CameraPose:
        """The move at full strength for the mood. The compositor scales it by the scene's
        motion_intensity (pan/tilt linearly, zoom as zoom**intensity), so it is not applied here."""
        pan, tilt, zoom = lexicon.CAMERA_MOVES[move]
        scale = mood_scale
        # A little drift keeps even a locked-off frame alive (and every ratio meaningful).
        drift_pan = rng.choice((-1, 1)) * rng.uniform(0.005, 0.02)
        drift_tilt = rng.choice((-1, 1)) * rng.uniform(0.005, 0.015)
        return CameraPose(
            pan=round(max(-0.8, min(0.8, pan * scale + drift_pan)), 4),
            tilt=round(max(-0.8, min(0.8, tilt * scale + drift_tilt)), 4),
            zoom=round(max(0.6, min(1.6, 1 + (zoom - 1) * scale)), 4),
            move=move,
        )

    def _transitions(self, scenes: list[Scene], genre_key: str, brief: Brief, timeline: Timeline) -> None:
        soft = Transition.FLOW_MORPH if genre_key in ("poem", "abstract") else Transition.CROSSFADE
        beat_s = 60.0 / brief.music.analysis.tempo_bpm if brief.music and brief.music.analysis.tempo_bpm else 0.0
        for i, scene in enumerate(scenes):
            if i == len(scenes) - 1:
                scene.transition = Transition.DIP_TO_BLACK
                scene.transition_s = round(min(1.5, 0.3 * scene.duration_s), 3)
                continue
            nxt = scenes[i + 1]
            if timeline.sections is not None:
                # Music video: hard cuts on the downbeat; a new section that drops in energy dissolves.
                section_change = timeline.sections[i] != timeline.sections[i + 1]
                calmer = nxt.motion_intensity < scene.motion_intensity
                scene.transition = soft if section_change and calmer else Transition.CUT
            elif scene.beat == nxt.beat and genre_key in ("action", "sports", "performance"):
                scene.transition = Transition.CUT
            elif nxt.beat == "climax" and scene.beat != "climax":
                scene.transition = Transition.CUT
            else:
                scene.transition = soft
            if scene.transition == Transition.CUT:
                scene.transition_s = 0.0
            else:
                wanted = beat_s or (1.2 if soft == Transition.FLOW_MORPH else 1.0)
                scene.transition_s = round(min(wanted, 0.25 * min(scene.duration_s, nxt.duration_s)), 3)

    def _filler(
        self, genre: lexicon.Genre, mood: lexicon.Mood, beat: int, occurrence: int, index: int, slots: dict[str, str],
    ) -> list[str]:
        # Only lines whose slots the prompt filled: a place it did not name is not invented.
        lines = [text.fill(line, slots) for line in _rotate(genre.narration[beat], occurrence)
                 if all(slots.get(name) for name in re.findall(r"{(\w+)}", line))]
        return [line for line in dict.fromkeys([*lines, *_rotate(mood.lines, index)]) if line]

    def _keywords(self, genre: lexicon.Genre, mood: lexicon.Mood, style: str, rng: random.Random) -> list[str]:
        return list(dict.fromkeys([*genre.keywords, *rng.sample(mood.keywords, k=min(2, len(mood.keywords))),
                                   *style_keywords(style)]))

    def _music(
        self, genre: lexicon.Genre, mood: lexicon.Mood, analysis: PromptAnalysis, brief: Brief, rng: random.Random
    ) -> MusicBrief:
        if brief.music is not None:
            tags = brief.music.genre_tags
            tempo = brief.music.analysis.tempo_bpm or round((mood.tempo_bpm + genre.tempo_bpm) / 2)
            music_genre = ", ".join(tags) if tags else genre.music
            return MusicBrief(mood.music, music_genre, float(tempo), f"{mood.music} {music_genre}")
        tempo = round((mood.tempo_bpm + genre.tempo_bpm) / 2 + rng.uniform(-4, 4))
        subject = analysis.keywords[0] if analysis.keywords and analysis.keywords[0].isascii() else ""
        query = text.tidy(f"{mood.music} {genre.music} instrumental {subject}".lower()).lower()
        return MusicBrief(mood.music, genre.music, float(tempo), query)

    # --- music video ----------------------------------------------------------------------------
    def _mv_description(
        self, brief: Brief, storyboard: Storyboard, timeline: Timeline, genre_key: str
    ) -> MvDescription:
        assert brief.music is not None
        music = brief.music
        analysis = music.analysis
        label = lexicon.MV_TYPE_LABEL.get(music.mv_type.value, "cinematic")
        sections = (timeline.sections or [0])[-1] + 1
        energy_text = ""
        if analysis.energy and analysis.energy_hop_s > 0:
            peak = max(range(len(analysis.energy)), key=lambda i: analysis.energy[i])
            start_level = _energy_word(sum(analysis.energy[:4]) / len(analysis.energy[:4]))
            energy_text = f" Energy starts {start_level} and peaks at {peak * analysis.energy_hop_s:.1f} s."
        details = ", ".join(p for p in (
            f"{analysis.tempo_bpm:.0f} BPM" if analysis.tempo_bpm else "",
            analysis.key, ", ".join(music.genre_tags)) if p)
        overview = (
            f"A {label} music video ({details or 'untagged track'}), {analysis.duration_s:.1f} s in {sections} "
            f"section{'s' if sections != 1 else ''} and {len(storyboard.scenes)} scenes cut on downbeats, "
            f"a section change always a cut. {storyboard.logline}{energy_text}"
        )
        breakdown: list[MvSegment] = []
        starts = timeline.starts
        beat_times = sorted(analysis.beat_times_s)
        t = 0.0
        while t < analysis.duration_s - 1e-9:
            end = min(t + 2.0, analysis.duration_s)
            index = max(i for i, s in enumerate(starts) if s <= t + 1e-9)
            scene = storyboard.scenes[index]
            section = (timeline.sections or [0] * len(starts))[index]
            energy = mean_energy(analysis, t, end)
            beats_in = sum(1 for b in beat_times if t <= b < end)
            into = t - starts[index]
            parts = [
                f"Section {section + 1}, scene {index + 1} \u201c{scene.title}\u201d "
                f"({into:.1f}-{min(end - starts[index], scene.duration_s):.1f} s of {scene.duration_s:.1f} s): "
                f"{scene.shot_type}, {scene.shot.camera_pose.move}"
            ]
            if energy is not None:
                parts.append(f"energy {_energy_word(energy)} ({energy:.2f})")
            parts.append(f"{beats_in} beat{'s' if beats_in != 1 else ''}")
            cuts = [s for s in starts[1:] if t < s < end]
            if cuts:
                parts.append(f"cut at {cuts[0]:.2f} s")
            if scene.lyrics:
                parts.append(f"lyrics \u201c{text.clip(scene.lyrics, 80)}\u201d")
            breakdown.append(MvSegment(round(t, 3), round(end, 3), "; ".join(parts)))
            t = round(t + 2.0, 6)
        return MvDescription(overview, breakdown)


# --- helpers ------------------------------------------------------------------------------------
def _take_name(names: list[str], gender: str) -> str:
    """The next name of the shuffled pool (from its end) that fits `gender`; any name when unknown."""
    pool = {"female": lexicon.FEMININE_NAMES, "male": lexicon.MASCULINE_NAMES}.get(gender)
    for i in range(len(names) - 1, -1, -1):
        if pool is None or names[i] in pool:
            return names.pop(i)
    return names.pop()


def _default_subject(phrase: str) -> Subject:
    words = phrase.split()
    if words and words[0].lower() in ("a", "an", "the"):
        words = words[1:]
    core = " ".join(words)
    head_word = core.split(" of ")[-1].split()[-1] if " of " in core else words[-1]
    head = singular_form(head_word).lower()
    kind = (
        SubjectKind.PERSON if head in lexicon.PERSON_WORDS or head in lexicon.NONHUMAN_ROLES
        else SubjectKind.ANIMAL if head in lexicon.ANIMAL_WORDS else SubjectKind.OBJECT
    )
    return Subject(core, head, kind)


def _is_abstract(phrase: str) -> bool:
    last = phrase.split()[-1].lower() if phrase.split() else ""
    return last.endswith(_ABSTRACT_SUFFIXES) or last in lexicon.GENRES["abstract"].triggers


def _refer(phrase: str) -> str:
    """How a scene names a thing: 'the lemon cake', 'loneliness', 'Tokyo'."""
    return phrase if _is_abstract(phrase) else with_article(phrase)


def _indefinite(phrase: str) -> str:
    words = phrase.split()
    if not words:
        return phrase
    if words[0].lower() in ("a", "an", "the", "my", "our"):
        words = words[1:]
        phrase = " ".join(words)
    first = words[0] if words else ""
    last = phrase.split(" of ")[0].split()[-1].lower() if words else ""  # "team of thieves": a team
    if not first[:1].isalpha() or not first.isascii() or first[:1].isupper() or (
        last.endswith("s") and not last.endswith("ss") and singular_form(last) != last
    ) or last.endswith(_ABSTRACT_SUFFIXES):
        return phrase
    return ("an " if first[0].lower() in "aeiou" else "a ") + phrase


def _capitalise(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def _shot_family(shot_type: str) -> str:
    lower = shot_type.lower()
    for word, family in (("macro", "macro"), ("packshot", "macro"), ("hero product", "macro"),
                         ("overhead", "overhead"), ("top-down", "overhead"), ("aerial", "aerial"),
                         ("close", "close"), ("zoom", "close"), ("wide", "wide"), ("medium", "medium")):
        if word in lower:
            return family
    return "medium"


def _style_negative(style: str) -> list[str]:
    lower = style.lower()
    return [n for key, values in lexicon.STYLE_NEGATIVE.items() if key in lower for n in values]


def style_keywords(style: str) -> list[str]:
    lower = style.lower()
    found = [k for key, values in lexicon.STYLE_KEYWORDS.items() if key in lower for k in values]
    return found or ([text.clip(style, 80)] if style.strip() else [])


def _bible(hero: Role, other: Role, thing: Role, scenes: list[Scene], contexts: list[SceneContext]) -> list[Character]:
    """Every role that appears in a scene, hero first."""
    appearing = {c.name for ctx in contexts for c in ctx.cast}
    roles = [r for r in (hero, other, thing) if r.character.name in appearing or r is hero]
    return list({r.character.name: r.character for r in roles}.values())


def _film_title(analysis: PromptAnalysis, premise: Premise, brief: Brief) -> str:
    if brief.music is not None and not brief.prompt:
        label = lexicon.MV_TYPE_LABEL.get(brief.music.mv_type.value, "cinematic")
        tags = ", ".join(brief.music.genre_tags[:3])
        return text.title_case(f"{tags} — a {label} music video" if tags else f"a {label} music video")
    words = analysis.text.split()
    if 0 < len(words) <= 9 and brief.prompt:
        if words[0].lower() in ("a", "an"):
            words = words[1:] or words
        title = " ".join(words).rstrip(".,;:!?")
        title = text.title_case(title) if premise.language == "en" else _capitalise(title)
        return title or text.clip(analysis.text, 80)
    # Long prompts: what the prompt is about, in its words.
    lead = text.clip(bare(premise.product or premise.lead.text, premise.language) or premise.core, 120)
    return text.title_case(lead) if premise.language == "en" else _capitalise(lead)


def _genre_for(form: Form, analysed: str) -> str:
    """The genre that shoots a form (style, shot grammar, music) when the words named no other."""
    if form == Form.PRODUCT:
        return "commercial"
    if analysed == "drama" and form in _FORM_GENRES:
        return _FORM_GENRES[form]
    return analysed


_FORM_GENRES = {Form.POEM: "poem", Form.ABSTRACT: "abstract", Form.HISTORY: "historical", Form.MUSIC: "performance"}


def _premise_cast(premise: Premise) -> tuple[Role, Role, Role]:
    """The cast of a prompt in a language the English analysis does not read: the prompt's own noun
    phrases, unnamed, each looking as the prompt describes it (its age words included)."""
    def role(phrase: str, kind: SubjectKind) -> Role:
        return Role(inline(phrase), kind, phrase, Character(_capitalise(phrase), phrase))

    hero = role(premise.product or premise.lead.text or premise.core, SubjectKind.PERSON)
    if premise.product:
        return hero, hero, hero  # a product film's other phrases are its features, not a cast
    things = [t.text for t in premise.things if t.text != premise.lead.text]
    other = role(things[0], SubjectKind.OBJECT) if things else hero
    thing = role(things[1], SubjectKind.OBJECT) if len(things) > 1 else other
    return hero, other, thing


def _named_in(role: Role, subject: str) -> bool:
    words = [w for w in role.text.casefold().split() if len(w) > 3]
    return any(w in subject.casefold() for w in words)


def _unique_title(title: str, used: set[str]) -> str:
    if title not in used:
        used.add(title)
        return title
    n = 2
    while f"{title} {_roman(n)}" in used:
        n += 1
    used.add(f"{title} {_roman(n)}")
    return f"{title} {_roman(n)}"


def _rotate(items: tuple[str, ...] | list[str], by: int) -> list[str]:
    items = list(items)
    shift = by % len(items) if items else 0
    return items[shift:] + items[:shift]


def _energy_word(value: float) -> str:
    return next(word for limit, word in _ENERGY_WORDS if value < limit)


def _roman(n: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, numeral in numerals:
        while n >= value:
            out += numeral
            n -= value
    return out
