"""The planner's vocabulary: word lists for prompt analysis and the banks it stages scenes from.

Pure data. Templates use the slots {hero}, {other}, {thing}, {setting}, {detail}, {detail2}, {time}
and {action}; `planner.fill` formats them and tidies the punctuation a missing slot leaves behind.
Banks are keyed by genre, setting, mood and beat so that unlike prompts draw unlike words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.common import camera

STOPWORDS = frozenset(
    """
    a an the and or but nor so yet of in on at to for from by with without within into onto upon over
    under above below before after during until till since about around across through throughout
    against along among amid between beyond behind beneath beside besides near toward towards via per
    off out up down than then as if while when where whose who whom which what that this these those
    there here it its itself they them their theirs he him his she her hers we us our you your i me my
    mine is are was were be been being am do does did done have has had having will would shall should
    can could may might must not no yes very just only also too more most some any each every all both
    few many much such own same other another one ones s t don now ever never again once how why
    let lets like make makes made get gets got go goes going went come comes came show shows showing
    about tell tells told set sets story film movie video scene scenes short clip cinematic
    become becomes became alone slowly quickly together suddenly finally gently softly quietly almost
    """.split()
)

# Heads that name people (or person-like characters). Singular forms; plurals are stemmed.
PERSON_WORDS = frozenset(
    """
    man woman boy girl child kid baby teenager teen person people keeper fisherman fisher sailor captain
    pilot astronaut cosmonaut detective officer cop soldier knight samurai ninja warrior king queen prince
    princess wizard witch mage sorcerer sorceress monk nun priest farmer shepherd hunter chef cook baker
    grandmother grandfather grandma grandpa granny mother father mom mum dad sister brother daughter son
    aunt uncle wife husband bride groom lover couple friend stranger neighbor neighbour teacher student
    scientist doctor nurse surgeon engineer inventor artist painter poet writer musician singer dancer
    drummer guitarist pianist violinist band dj rapper actor actress athlete runner swimmer climber
    skater surfer boxer player coach driver racer rider biker courier messenger thief spy agent assassin
    hero heroine villain ghost robot android cyborg alien explorer traveler traveller wanderer pilgrim
    refugee immigrant commuter worker miner builder carpenter blacksmith tailor gardener florist
    librarian clerk waiter waitress barista bartender vendor merchant shopkeeper photographer
    journalist reporter ranger guard watchman janitor caretaker hermit orphan widow widower elder
    veteran general emperor empress pharaoh viking pirate cowboy sheriff outlaw gunslinger monster
    vampire zombie giant dwarf elf fairy mermaid customer user founder designer presenter host
    entrepreneur chemist biologist botanist archaeologist diver lifeguard firefighter paramedic figure pursuer
    guest rival champion squire mage caretaker chief rover drone probe vendor climber
    """.split()
)

ANIMAL_WORDS = frozenset(
    """
    whale dolphin shark octopus turtle seal otter penguin jellyfish fish salmon orca manta
    fox wolf bear deer elk moose rabbit hare squirrel owl eagle hawk falcon raven crow sparrow
    hummingbird heron crane flamingo swan duck goose parrot lion tiger leopard cheetah jaguar panther
    elephant giraffe zebra rhino hippo gorilla chimpanzee monkey lemur koala kangaroo panda
    horse pony donkey cow bull sheep goat pig dog puppy cat kitten mouse rat bat frog toad snake
    lizard chameleon crocodile alligator butterfly moth bee ant spider beetle firefly dragonfly
    dragon unicorn phoenix griffin bird birds camel bison buffalo hedgehog badger beaver lynx predator
    tortoise iguana crab lobster starfish seahorse walrus polar heron stork pelican albatross puffin
    meerkat hyena antelope gazelle wildebeest orangutan sloth armadillo raccoon mole weasel
    """.split()
)

# Words that are actions or abstractions even when they sit where a noun would.
ACTION_NOUNS = frozenset(
    """
    chase pursuit race escape launch journey search quest battle fight duel heist rescue
    migration hunt dance concert performance celebration party recipe documentary poem poetry
    feeling emotion memory dream wedding funeral birthday festival match game trip voyage return
    arrival departure reunion breakup revolution invasion discovery experiment expedition adventure
    gala debut ceremony premiere rush attempt harvest life
    """.split()
)

# Describing words that never name a subject on their own ("last night", "an abstract feeling").
GENERIC_ADJECTIVES = frozenset(
    """
    last final first new old empty abstract ancient sleek lonely sad happy dark bright little small big great
    tiny huge young quiet strange beautiful lost secret hidden long short whole next vast nature natural
    modern future late early deep high low wild single lone certain real true best worst own calm
    forever
    """.split()
)
IRREGULAR_PLURALS: dict[str, str] = {
    "leaves": "leaf", "wolves": "wolf", "knives": "knife", "lives": "life", "children": "child",
    "people": "person", "men": "man", "women": "woman", "mice": "mouse", "geese": "goose", "feet": "foot",
    "teeth": "tooth", "shelves": "shelf", "thieves": "thief", "elves": "elf", "dwarves": "dwarf",
    "calves": "calf", "halves": "half", "loaves": "loaf", "wives": "wife", "fish": "fish", "sheep": "sheep",
    "deer": "deer", "series": "series", "species": "species", "mars": "mars", "paris": "paris",
    "athens": "athens", "texas": "texas", "venus": "venus", "vegas": "vegas", "los": "los", "news": "news",
}

# Common verbs (base forms) so "-ing"/"-s" forms are recognised as actions.
VERB_WORDS = frozenset(
    """
    chase run race escape fly swim dive climb fall rise dance sing play cook bake paint draw write
    read fight search find lose wait watch learn build launch explore wander travel drive ride
    sail migrate hunt hide seek dream remember forget leave return open close burn grow bloom
    melt break save steal rescue discover unveil celebrate mourn walk hold carry protect
    attempt prepare practice practise try meet face cross reach enter become turn keep light
    sell buy bring take give send follow lead guard defend attack threaten destroy flee survive
    arrive depart wake sleep cry laugh smile whisper shout call answer ask wonder wish hope fear
    love hate kiss hug marry chase stalk track catch throw kick win lose train teach study invent
    create design repair fix grow harvest gather pick plant feed serve pour mix stir chop slice fry
    roast grill taste eat drink share celebrate film photograph record perform compose play shine
    glow fade vanish appear emerge collapse crash explode spin float drift sink rise soar glide
    hover orbit land jump leap roll slide skate surf row paddle sprint jog hike wander roam wade
    unfold transform evolve awaken haunt search investigate solve uncover reveal hide sneak
    """.split()
)
# Irregular past forms ("a smartwatch built for climbers").
IRREGULAR_PAST = frozenset(
    """
    built made found lost brought caught fought taught thought bought sold told held kept left
    met ran sang swam flew drew wrote rode drove grew threw shown seen given taken broken spoken
    stolen frozen chosen woken fallen risen hidden forgotten begun sung flown drawn written ridden
    driven grown thrown become came went
    """.split()
)
# Past participles that, followed by "as"/"by"/a preposition, end a phrase ("grief, shown as an ocean").
PARTICIPLES = frozenset(
    """
    shown seen given taken broken spoken stolen frozen chosen woken fallen risen hidden forgotten begun
    sung flown drawn written ridden driven grown thrown built made painted told
    """.split()
)
MATERIALS = frozenset("paper origami wooden wood stone glass metal clockwork toy porcelain cardboard clay tin".split())

# Words after a finite verb that show it is one ("discovers a", "practices alone").
VERB_FOLLOWERS = frozenset(
    """
    a an the his her their its my our your to across through into onto on in at over under alone
    up down away back out off together again slowly quickly home forward toward towards around
    along past beside with for from before after every each some
    """.split()
)
# "a patch of frost", "a team of art thieves": the head is what comes after "of".
PARTITIVES = frozenset(
    """
    patch piece cup bowl handful slice glass box bunch pile sea cloud flock herd pod team crew
    group band family pair couple swarm pack school fleet gang troupe army squad trio quartet
    """.split()
)
GROUP_WORDS = frozenset("team crew group band family pair couple gang troupe army squad trio quartet".split())
PERSON_SUFFIXES = ("keeper", "maker", "smith", "wright", "monger", "woman", "man", "ist", "ian")

# Words ending in -ing that are nouns, not actions.
ING_NOUNS = frozenset(
    """
    morning evening wedding building ceiling nothing something everything anything thing string spring
    king ring wing painting clothing meeting beginning feeling ending offering lightning pudding dumpling
    sibling darling railing landing earring ceiling during viking pudding icing frosting stuffing
    """.split()
)


@dataclass(frozen=True)
class TimeOfDay:
    phrase: str  # "at night"; empty for timeless
    light: str


TIMES: dict[str, TimeOfDay] = {
    "dawn": TimeOfDay("at dawn", "low rose-gold sunrise light raking across the scene"),
    "morning": TimeOfDay("in the morning", "fresh angled morning sun, crisp clear air"),
    "noon": TimeOfDay("at midday", "hard overhead sun with short, sharp shadows"),
    "afternoon": TimeOfDay("in the afternoon", "warm late-afternoon sun through the air"),
    "sunset": TimeOfDay("at sunset", "golden-hour backlight with a warm lens flare"),
    "dusk": TimeOfDay("at dusk", "blue-hour ambient light with the first lamps glowing"),
    "night": TimeOfDay("at night", "cool moonlight against warm practical lamps"),
    "midnight": TimeOfDay("at midnight", "sodium streetlight and neon spill in inky darkness"),
    "timeless": TimeOfDay("", "a diffuse, sourceless glow"),
}

TIME_NARRATION: dict[str, str] = {
    "dawn": "Dawn breaks over {setting}.",
    "morning": "Morning comes to {setting}.",
    "noon": "The sun stands high over {setting}.",
    "afternoon": "The afternoon stretches out across {setting}.",
    "sunset": "The sun sinks low behind {setting}.",
    "dusk": "Dusk settles over {setting}.",
    "night": "Night has settled over {setting}.",
    "midnight": "Midnight: {setting}, still wide awake.",
    "timeless": "Here, time does not quite move.",
}

TIME_WORDS: dict[str, str] = {
    "dawn": "dawn", "sunrise": "dawn", "daybreak": "dawn",
    "morning": "morning", "breakfast": "morning",
    "noon": "noon", "midday": "noon",
    "afternoon": "afternoon", "lunch": "afternoon",
    "sunset": "sunset", "sundown": "sunset", "golden": "sunset",
    "dusk": "dusk", "twilight": "dusk", "evening": "dusk", "dinner": "dusk",
    "night": "night", "nighttime": "night", "tonight": "night", "nocturnal": "night", "moonlight": "night",
    "moonlit": "night", "midnight": "midnight", "neon": "midnight",
}

SEASON_WORDS: dict[str, str] = {
    "spring": "spring", "summer": "summer", "autumn": "autumn", "winter": "winter",
    "snowy": "winter", "christmas": "winter",
}

SEASON_DETAILS: dict[str, tuple[str, ...]] = {
    "spring": ("blossom drifting on a light breeze", "new green buds on bare branches"),
    "summer": ("heat haze over sunlit ground", "cicada-loud trees heavy with leaves"),
    "autumn": ("russet leaves spiralling down", "a carpet of wet amber leaves"),
    "winter": ("breath fogging in the cold air", "frost creeping across the glass"),
}


@dataclass(frozen=True)
class Weather:
    phrase: str
    light: str
    mood: str


WEATHER: dict[str, Weather] = {
    "storm": Weather("a storm rolling in", "lightning flashes and bruised storm clouds", "tense"),
    "thunder": Weather("thunderheads overhead", "lightning flashes and bruised storm clouds", "tense"),
    "hurricane": Weather("a hurricane bearing down", "churning cloud and horizontal rain", "tense"),
    "rain": Weather("steady rain", "wet specular reflections and rain streaks", "melancholic"),
    "rainy": Weather("steady rain", "wet specular reflections and rain streaks", "melancholic"),
    "fog": Weather("thick fog", "volumetric haze swallowing the distance", "mysterious"),
    "foggy": Weather("thick fog", "volumetric haze swallowing the distance", "mysterious"),
    "mist": Weather("low mist", "soft volumetric mist", "mysterious"),
    "snow": Weather("falling snow", "soft snow-bounced light", "serene"),
    "wind": Weather("a hard wind", "racing cloud shadows", "tense"),
    "wildfire": Weather("a wildfire on the ridge", "orange firelight through drifting smoke", "tense"),
    "fire": Weather("fire on the hillside", "orange firelight through drifting smoke", "tense"),
    "frost": Weather("a hard frost", "cold crystalline light glinting off ice", "serene"),
    "blizzard": Weather("a blizzard", "white-out glare and driven snow", "tense"),
}


@dataclass(frozen=True)
class Setting:
    phrase: str  # default when the prompt names none
    triggers: frozenset[str]
    details: tuple[str, ...]
    wardrobe: tuple[str, ...]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


SETTINGS: dict[str, Setting] = {
    "coast": Setting(
        "a windswept stretch of coast",
        _words("lighthouse coast coastal cliff cliffs shore beach harbor harbour pier bay island dock port "
               "jetty seaside seawall sail boat fishing"),
        ("waves breaking over black rocks", "gulls wheeling above the cliffs", "a coil of wet rope on the jetty",
         "spray bursting against the seawall", "salt-streaked windows", "a weathered wooden boat pulled up on shingle",
         "kelp strewn along the tideline"),
        ("a navy oilskin coat over a cable-knit sweater", "a yellow sou'wester and rubber boots"),
    ),
    "ocean": Setting(
        "the open ocean",
        _words("ocean sea pacific atlantic reef underwater deep waves seabed lagoon coral sailing"),
        ("shafts of sunlight slanting through blue water", "a shimmering bait ball",
         "long swells rolling to the horizon",
         "drifting plankton catching the light", "a distant line of spouts", "white foam on a dark swell",
         "a coral wall alive with colour"),
        ("a faded wetsuit", "a salt-stained sailing jacket"),
    ),
    "city": Setting(
        "a rain-soaked city",
        _words("city street streets alley alleys downtown rooftop rooftops subway metro avenue traffic skyline "
               "crosswalk tokyo york london paris urban town skyscraper highrise neighborhood neighbourhood"),
        ("rain-slick asphalt mirroring neon signs", "a crowded crosswalk", "steam curling from a manhole",
         "flickering shop signs", "an elevated train rattling overhead", "rows of lit apartment windows",
         "taxi headlights streaking past", "a narrow alley strung with paper lanterns"),
        ("a charcoal bomber jacket and worn sneakers", "a long black raincoat"),
    ),
    "park": Setting(
        "a quiet city park",
        _words("park garden gardens meadow backyard yard lawn orchard playground picnic"),
        ("a wrought-iron bench", "string lights looped between trees", "a chequered picnic blanket",
         "a rusted swing set", "tall grass moving in the wind", "a winding gravel path", "a stone fountain"),
        ("a corduroy jacket and a knitted scarf", "a linen shirt with rolled sleeves"),
    ),
    "forest": Setting(
        "an old-growth forest",
        _words("forest forests woods wood jungle bamboo grove woodland rainforest trees treeline"),
        ("shafts of light through the canopy", "moss-covered roots", "mist drifting between the trunks",
         "a carpet of ferns", "tall stalks swaying and creaking", "a fallen log furred with lichen",
         "dew beaded on spider silk"),
        ("a moss-green waxed jacket", "a hooded wool cloak"),
    ),
    "mountain": Setting(
        "a high mountain pass",
        _words("mountain mountains peak peaks summit glacier alpine ridge arctic tundra iceberg himalaya alps"),
        ("wind-blown snow streaming off the ridge", "a line of prayer flags snapping", "a sheer blue ice wall",
         "a cairn of stacked stones", "clouds pouring over the col", "crampon tracks in hard snow"),
        ("a red down parka and glacier glasses", "a frost-rimmed fur-lined hood"),
    ),
    "desert": Setting(
        "a vast desert",
        _words("desert deserts dune dunes sahara canyon mesa wasteland badlands oasis"),
        ("rippled dunes to the horizon", "heat shimmer over cracked earth", "a bleached animal skull",
         "a lone acacia tree", "a dust devil spinning in the distance", "red canyon walls"),
        ("a sand-coloured scarf and a loose linen shirt", "a wide-brimmed hat and dusty boots"),
    ),
    "home": Setting(
        "a lived-in family home",
        _words("kitchen bakery home house apartment room bedroom cottage cabin attic farmhouse flat table"),
        ("a ticking wall clock", "sunlight across worn floorboards", "a stack of old photographs",
         "a chipped enamel kettle on the stove", "lace curtains stirring", "a cluttered bookshelf",
         "a bowl of fruit on an oak table"),
        ("a flour-dusted linen apron over a floral dress", "a soft cardigan with rolled cuffs"),
    ),
    "space": Setting(
        "an orbital space station",
        _words("space station spaceship starship orbit planet galaxy mars asteroid spacecraft rocket "
               "cosmos satellite nebula"),
        ("Earth turning slowly beyond the viewport", "banks of blinking status lights",
         "a tool drifting on its tether", "the long curve of a solar array", "frosted portholes",
         "a cramped module lined with cables"),
        ("a white flight suit with mission patches", "a scuffed EVA suit with a gold visor"),
    ),
    "stage": Setting(
        "a packed concert hall",
        _words("stage concert club arena theater theatre festival gig jazz nightclub ballroom venue"),
        ("a haze of stage smoke", "a sea of raised phones", "spotlights sweeping the crowd",
         "a tangle of cables across the boards", "a drum kit on a riser", "a heavy velvet curtain"),
        ("a sequined jacket and silver rings", "a black turtleneck and a vintage leather jacket"),
    ),
    "studio": Setting(
        "a minimalist design studio",
        _words("office lab laboratory workshop factory studio showroom warehouse startup"),
        ("a wall of glowing monitors", "a prototype resting on a workbench", "glass walls covered in sticky notes",
         "a seamless white cyclorama", "polished concrete floors", "exposed ceiling ducts"),
        ("a crisp white shirt and a minimalist watch", "a grey hoodie with rolled sleeves"),
    ),
    "castle": Setting(
        "an ancient stone citadel",
        _words("castle palace temple ruins kingdom fortress cathedral village medieval citadel shrine "
               "monastery courtyard"),
        ("torches guttering on stone walls", "a banner snapping in the wind", "crumbling stone arches",
         "a moss-grown courtyard well", "stained glass throwing colour on the floor", "a great iron-bound gate"),
        ("a travel-worn cloak over leather armour", "lacquered armour laced with silk cord"),
    ),
    "river": Setting(
        "a slow river valley",
        _words("river lake stream waterfall pond canal bridge riverbank marsh swamp"),
        ("mist lifting off the water", "a wooden rowboat tied to a post", "reeds bending in the current",
         "ripples spreading from a thrown stone", "an arched stone bridge", "water tumbling over smooth rocks"),
        ("a patched fishing vest", "a wool jumper and waders"),
    ),
    "road": Setting(
        "an empty highway",
        _words("road highway railway railroad station airport motorway freeway roadtrip platform"),
        ("a long empty highway to the vanishing point", "telegraph poles ticking past", "a flickering departure board",
         "rain beading on a windshield", "headlights growing in the distance", "a platform clock"),
        ("a scuffed leather riding jacket", "a denim jacket and a backpack"),
    ),
    "market": Setting(
        "a crowded night market",
        _words("market bazaar marketplace stall stalls souk"),
        ("stalls piled high with fruit", "strings of bare bulbs", "smoke rising from a grill",
         "crowds weaving between striped awnings", "baskets of bright spices"),
        ("a patterned headscarf and a canvas apron", "a rumpled linen suit"),
    ),
    "sky": Setting(
        "a vast open sky",
        _words("sky skies clouds cloud air flight balloon airplane plane aircraft"),
        ("towering cumulus clouds", "a contrail slicing the blue", "sunlight breaking through a cloud bank",
         "the patchwork land far below", "a flock wheeling in formation"),
        ("a leather flight jacket and goggles", "a windbreaker snapping in the gusts"),
    ),
    "arena": Setting(
        "a floodlit stadium",
        _words("stadium racetrack court pitch gym ring marathon"),
        ("floodlights blazing over the pitch", "a roaring wall of fans", "chalk lines on the track",
         "a scoreboard counting down", "confetti caught in the light"),
        ("a numbered race bib and running spikes", "a sweat-dark team jersey"),
    ),
    "farm": Setting(
        "a hillside farm",
        _words("farm farmhouse barn vineyard ranch orchard fields countryside pasture village hive apiary"),
        ("a weathered red barn", "fence posts leaning in long grass", "a rusted tractor by the shed",
         "wildflowers along the lane", "a dirt track between fields", "a windmill turning slowly"),
        ("a faded denim shirt and a straw hat", "a waxed jacket and muddy boots"),
    ),
    "gallery": Setting(
        "a marble-floored museum",
        _words("museum gallery ballroom mansion hotel library auction opera lobby"),
        ("gilded frames on deep red walls", "a sweeping marble staircase", "glass display cases lit from below",
         "guests in evening wear holding champagne", "a chandelier blazing overhead", "a red security laser grid"),
        ("a black velvet evening dress", "a crisp tuxedo with a loosened bow tie"),
    ),
    "void": Setting(
        "an endless pale dreamspace",
        _words("void dreamscape dreamspace limbo nowhere"),
        ("drifting motes of light", "a horizon that bends upward", "slow ribbons of colour unspooling",
         "a mirror-still floor", "floating shards of glass", "a single door standing alone"),
        ("a plain grey coat", "a loose white shirt"),
    ),
}

# Words that add their own specific details (on top of their setting's bank) and a key object.
KEYWORD_DETAILS: dict[str, tuple[str, ...]] = {
    "lighthouse": ("the great lamp's slow rotating beam", "an iron spiral staircase", "a brass barometer by the door"),
    "kitchen": ("flour dusting a wooden board", "steam rising from a copper pot", "a window above the sink"),
    "bakery": ("racks of cooling loaves", "a flour-dusted marble counter"),
    "bamboo": ("bamboo stalks creaking in the wind", "slanted light through bamboo leaves"),
    "neon": ("pink and cyan neon reflected in puddles", "a wall of glowing kanji signs"),
    "station": ("a long corridor of airlock hatches", "a zero-gravity water droplet"),
    "reef": ("a coral wall alive with colour", "a turtle drifting past a sea fan"),
    "backyard": ("a paddling pool glittering in the sun", "balloons tied to a fence"),
    "jazz": ("a saxophone gleaming under a pin spot", "cigarette-smoke haze over small tables"),
    "beekeeper": ("rows of white hives on the hillside", "bees drifting in the warm light",
                  "honeycomb frames dripping gold"),
    "mars": ("rust-red dunes under a butterscotch sky", "a tiny blue sunset on the horizon",
             "wheel tracks in fine red dust"),
    "wildfire": ("a wall of smoke rolling over the ridge", "embers swirling through the air",
                 "blackened tree trunks against an orange sky"),
}

# Key objects some words imply: (how scenes name it, its fixed look).
# Where a role usually works, when the prompt names no place.
ROLE_SETTINGS: dict[str, str] = {
    "fisherman": "coast", "fisher": "coast", "sailor": "ocean", "captain": "ocean", "pirate": "ocean",
    "diver": "ocean", "lifeguard": "coast", "farmer": "farm", "shepherd": "farm", "beekeeper": "farm",
    "astronaut": "space", "cosmonaut": "space", "chef": "home", "baker": "home", "cook": "home",
    "barista": "city", "commuter": "city", "detective": "city", "courier": "city", "climber": "mountain",
    "ranger": "forest", "hunter": "forest", "knight": "castle", "samurai": "forest", "musician": "stage",
    "singer": "stage", "dancer": "stage", "scientist": "studio", "inventor": "studio", "designer": "studio",
    "runner": "arena", "athlete": "arena", "monk": "castle", "miner": "mountain",
}

# A role's own key object ("the violin" for a violinist), used when the prompt names none.
ROLE_THINGS: dict[str, tuple[str, str]] = {
    "violinist": ("the violin", "a honey-varnished violin with a worn chinrest and a horsehair bow"),
    "pianist": ("the piano", "a black grand piano with its lid raised"),
    "guitarist": ("the guitar", "a sunburst electric guitar with a scuffed pickguard"),
    "drummer": ("the drum kit", "a battered drum kit with a cracked ride cymbal"),
    "painter": ("the canvas", "a half-finished canvas thick with oil paint"),
    "photographer": ("the camera", "a dented rangefinder camera on a leather strap"),
    "writer": ("the typewriter", "a mint-green typewriter with a half-typed page"),
    "beekeeper": ("the honey harvest", "glass jars of amber honey lined up in the light"),
    "firefighter": ("the fire line", "a freshly cut firebreak of bare earth along the ridge"),
    "thief": ("the painting", "a small gilt-framed oil painting of a woman in blue"),
    "astronaut": ("the airlock", "a round airlock hatch with a small frosted window"),
    "fisherman": ("the boat", "a small blue fishing boat with a patched red sail"),
}

# Where a genre happens when the prompt names no place: (phrase, keyword whose details it borrows).
GENRE_PLACES: dict[str, tuple[str, str]] = {
    "culinary": ("a sunlit farmhouse kitchen", "kitchen"),
    "commercial": ("a minimalist white studio", ""),
    "horror": ("a decaying Victorian house", ""),
    "celebration": ("a sunny backyard", "backyard"),
    "performance": ("a packed concert hall", "concert"),
}

KEYWORD_THINGS: dict[str, tuple[str, str]] = {
    "storm": ("the coming storm", "a wall of black storm clouds over a heaving sea, lit from within by lightning"),
    "lighthouse": ("the great lamp", "a great brass-framed lighthouse lamp inside a ring of glass prisms"),
    "station": ("the station's main console", "a curved console of glowing touch panels and worn switches"),
    "birthday": ("the birthday cake", "a lopsided three-layer birthday cake with rainbow sprinkles and candles"),
    "duel": ("the drawn blade", "a curved steel blade with a wave-pattern temper line and a black silk grip"),
    "concert": ("the microphone", "a vintage chrome microphone on a battered stand"),
    "wedding": ("the rings", "two plain gold rings on a scrap of white ribbon"),
    "heist": ("the vault", "a round steel vault door with a brass combination wheel"),
}


@dataclass(frozen=True)
class Mood:
    triggers: frozenset[str]
    beat_moods: tuple[str, str, str, str, str]  # one per arc beat
    palette: str
    accent: str
    lighting: str
    music: str
    tempo_bpm: float
    camera_scale: float
    keywords: tuple[str, ...]
    lines: tuple[str, ...]  # narration sentences in this mood


MOODS: dict[str, Mood] = {
    "melancholic": Mood(
        _words("last final lonely alone farewell goodbye lost loss grief sad sorrow empty fading memory "
               "memories forgotten leaving loneliness nostalgia nostalgic autumn old widow rain tears"),
        ("wistful", "uneasy", "desperate", "hollow", "bittersweet"),
        "desaturated teal and amber", "a single warm ember", "soft low-contrast key with gentle falloff",
        "melancholic", 70, 0.8, ("muted tones", "soft halation", "quiet negative space"),
        ("Everything feels borrowed, as if it might be taken back.", "Memory sits heavy in the quiet.",
         "Some things are only understood once they are gone."),
    ),
    "tense": Mood(
        _words("storm chase danger dangerous escape race threat hunt pursuit fear heist countdown run "
               "running fleeing trapped alarm pursued deadline"),
        ("watchful", "tense", "frantic", "shaken", "resolute"),
        "steel blue and sodium orange", "hazard red", "hard contrasty key with deep shadows",
        "tense", 132, 1.3, ("high contrast", "motion blur", "anamorphic streaks"),
        ("Every second is borrowed now.", "There is no room left for mistakes.",
         "The distance closes, one heartbeat at a time."),
    ),
    "joyful": Mood(
        _words("birthday party celebration celebrate festival happy joy joyful laugh laughter play playing "
               "friends fun carnival parade summer picnic"),
        ("bright", "giddy", "euphoric", "warm", "content"),
        "saturated candy primaries", "confetti gold", "bright high-key light with soft shadows",
        "joyful", 118, 1.0, ("vivid colour", "crisp detail", "sparkling highlights"),
        ("Laughter carries further than you expect.", "For a while, nothing else matters.",
         "Joy is loud, and it is contagious."),
    ),
    "serene": Mood(
        _words("calm quiet peaceful gentle meadow slow still stillness breeze meditation tranquil soft "
               "sleepy lazy drifting floating"),
        ("calm", "curious", "luminous", "restful", "serene"),
        "soft pastels and sage green", "pale gold", "soft diffused daylight, wrapped and even",
        "serene", 76, 0.6, ("gentle haze", "airy composition", "fine film grain"),
        ("Time moves slowly here, and that is the point.", "The world breathes in, and out.",
         "Nothing needs to hurry."),
    ),
    "mysterious": Mood(
        _words("secret secrets mystery mysterious hidden unknown strange ancient signal whisper whispers "
               "shadow shadows enigma riddle cipher lost relic"),
        ("curious", "uncertain", "revelatory", "haunted", "enigmatic"),
        "deep indigo and jade", "a thin sliver of gold", "low-key pools of light in darkness",
        "mysterious", 88, 0.9, ("chiaroscuro", "silhouettes", "glowing particulates"),
        ("Not everything wants to be found.", "The answer has been here all along, waiting.",
         "Some doors open only once."),
    ),
    "epic": Mood(
        _words("battle legend legendary vast empire journey quest war warrior hero heroic kingdom duel "
               "samurai army conquest destiny titan"),
        ("solemn", "building", "thunderous", "weary", "triumphant"),
        "bronze, slate and crimson", "blood red", "dramatic sculpted side light, towering scale",
        "epic", 100, 1.2, ("sweeping scale", "dramatic sky", "heroic low angles"),
        ("Legends are made of moments like this.", "The ground itself seems to hold its breath.",
         "History is watching."),
    ),
    "romantic": Mood(
        _words("love lovers romance romantic kiss heart date valentine wedding couple embrace"),
        ("hopeful", "fluttering", "tender", "glowing", "devoted"),
        "blush pink and candle gold", "rose", "warm flattering soft light with glowing backlight",
        "romantic", 84, 0.7, ("dreamy bokeh", "warm glow", "soft focus"),
        ("Some meetings feel like remembering.", "The world shrinks to the space between two people.",
         "It was always going to be you."),
    ),
    "eerie": Mood(
        _words("haunted ghost ghosts abandoned creepy cursed curse monster horror nightmare demon zombie "
               "spooky sinister dread"),
        ("uneasy", "creeping", "terrified", "numb", "unresolved"),
        "sickly green and bruise purple", "pale cyan", "underlit, flickering low-key light",
        "eerie", 66, 0.9, ("unsettling framing", "deep shadows", "grainy texture"),
        ("Something is wrong, and it has been for a long time.", "The silence has a shape.",
         "Whatever lives here remembers."),
    ),
    "triumphant": Mood(
        _words("launch launching victory win winning champion championship triumph success unveil unveiling "
               "new first record breakthrough announce introducing"),
        ("anticipatory", "energised", "triumphant", "confident", "proud"),
        "clean white and electric blue", "electric cyan", "crisp high-key light with bright rim lights",
        "uplifting", 124, 1.1, ("clean lines", "sleek reflections", "bold composition"),
        ("This is the moment everything pointed toward.", "Built for what comes next.",
         "The future arrives quietly, then all at once."),
    ),
    "whimsical": Mood(
        _words("magic magical fairy toy toys curious dream dreams wonder playful whimsical paint painting "
               "balloon balloons candy"),
        ("curious", "delighted", "wondrous", "cosy", "charmed"),
        "candy pastels and sky blue", "buttercup yellow", "soft storybook light with gentle glow",
        "whimsical", 108, 0.9, ("storybook charm", "soft glow", "playful composition"),
        ("Wonder is just curiosity that found something.", "Everything here is a little more alive.",
         "The ordinary turns out to be magic after all."),
    ),
    "contemplative": Mood(
        frozenset(),
        ("reflective", "searching", "intense", "quiet", "reflective"),
        "natural earth tones", "muted gold", "naturalistic motivated light",
        "reflective", 92, 1.0, ("naturalistic texture", "considered composition"),
        ("Look closer, and the story is already there.", "Every place keeps its own quiet record.",
         "There is more here than first appears."),
    ),
}


@dataclass(frozen=True)
class Genre:
    triggers: frozenset[str]
    hero: str  # default cast when the prompt names no character
    other: str
    thing: str
    setting: str  # default setting key
    time: str  # default time-of-day key
    mood: str  # default mood key
    music: str
    tempo_bpm: float
    style: str
    keywords: tuple[str, ...]
    negative: tuple[str, ...]
    logline: str
    action: str  # default "-ing" phrase
    staging: tuple[tuple[str, ...], ...]  # per beat: what happens
    narration: tuple[tuple[str, ...], ...]  # per beat: voice-over lines
    titles: tuple[tuple[str, ...], ...]  # per beat: scene titles
    shots: tuple[tuple[str, ...], ...] = field(default=((), (), (), (), ()))  # extra shot sizes per beat


GENRES: dict[str, Genre] = {
    "drama": Genre(
        frozenset(), "a lone traveller", "an old friend", "a faded photograph", "park", "dusk", "contemplative",
        "intimate piano and strings", 84, "cinematic photoreal",
        ("35mm film still", "anamorphic lens", "naturalistic drama"), ("melodramatic overacting",),
        "{hero} has one {time_word} at {setting} to face {thing}, and what happens there changes everything.",
        "keeping watch",
        (("{hero} moves through the familiar routine of {setting} {time}, beside {detail}.",
          "{setting} at rest {time}; {hero} pauses by {detail}, unaware of what is coming."),
         ("{hero} notices {detail} and senses that this time will be different.",
          "Pressure builds around {hero}: {detail}, and {thing} cannot be ignored any longer."),
         ("At the breaking point, {hero} confronts {thing} with {detail} filling the frame.",
          "Everything converges on {hero}: {detail}, one decision, no way back."),
         ("In the aftermath, {hero} takes stock of {setting}; {detail} shows what it cost.",
          "{hero} lets go, breath slowing, {detail} settling into stillness."),
         ("{hero} stands in {setting} {time}, changed, as {detail} carries the story on.",
          "A final image: {hero} and {thing}, {detail}, the world quiet again.")),
        (("{setting} keeps its own rhythm, and {hero} knows every beat of it.",
          "For {hero}, this place has always been enough."),
         ("But something in the air has changed.", "{hero} feels it before seeing it: nothing will stay the same."),
         ("There is no more waiting. This is the moment.", "{hero} holds on, because letting go is not an option."),
         ("When it passes, the silence is enormous.", "What remains is smaller, and somehow clearer."),
         ("When the light returns, {hero} is still here.", "Some endings are only the quiet start of something else.")),
        (("The Routine", "Before"), ("The Turn", "Gathering"), ("The Breaking Point", "No Way Back"),
         ("Aftermath", "Stillness"), ("First Light", "What Remains")),
    ),
    "action": Genre(
        _words("chase chased chasing pursuit pursued escape escaping getaway race racing fugitive "
               "motorcycle gunfight shootout explosion stunt"),
        "a courier", "the pursuer", "the stolen package", "city", "midnight", "tense",
        "driving hybrid orchestral percussion", 138, "high-octane action cinema",
        ("anamorphic lens flare", "motion blur", "dynamic low angle"), ("static pose", "frozen motion"),
        "{hero} races through {setting} {time} with {thing}, and {other} will not stop until it is taken back.",
        "racing against time",
        (("{setting} {time}: {hero} clutches {thing}, scanning {detail} for trouble.",
          "{hero} waits in the shadows of {setting}, {thing} hidden close, {detail} all around."),
         ("{other} appears; {hero} bolts, weaving past {detail} as the pursuit begins.",
          "Engines roar as {hero} tears through {setting}, {other} closing in past {detail}."),
         ("Full speed: {hero} and {other} collide in a blur of {detail}, everything on the line.",
          "A leap across {detail}; {hero} barely makes it, {other} inches behind."),
         ("{hero} slips away into {setting}, lungs burning, {detail} behind.",
          "Sirens fade; {hero} ducks beneath {detail} and finally stops."),
         ("Safe for now: {hero} opens a hand to reveal {thing}, {detail} glowing {time}.",
          "{hero} disappears into the crowd with {thing}, and {setting} swallows the trail.")),
        (("Keep your head down, keep moving.", "{hero} has done this a hundred times. Tonight is different."),
         ("Then the chase begins.", "Left, right, faster. Do not look back."),
         ("One mistake, and it is over.", "Everything narrows to speed and breath."),
         ("The noise falls away.", "Lost them. For now."),
         ("Delivered. Whatever it costs.", "Tomorrow there will be another run.")),
        (("The Drop", "Eyes Open"), ("Pursuit", "Full Throttle"), ("Collision Course", "The Leap"),
         ("Shaken Loose", "Breathing Room"), ("Delivered", "Into the Crowd")),
        (("wide shot",), ("tracking shot", "dashboard-mounted shot"), ("whip-pan close-up", "crash zoom"),
         ("handheld medium shot",), ()),
    ),
    "documentary": Genre(
        _words("documentary wildlife nature species migration migrating habitat ecosystem herd pod flock "
               "observational planet wild"),
        "a herd of wild horses", "a predator", "the season's first rains", "forest", "dawn", "serene",
        "sweeping orchestral nature score", 78, "natural-history documentary",
        ("telephoto lens", "8K nature documentary", "natural light"), ("cartoon", "CGI look", "anthropomorphic"),
        "A patient look at {hero} in {setting}, following one season of {action}.",
        "going about its day",
        (("{setting} {time}, seen from afar: a vast landscape where {hero} lives beside {detail}.",
          "Aerial sweep over {setting}; far below, {hero} moves through {detail}."),
         ("Close observation: {hero}, {action}, patient and deliberate, {detail} all around.",
          "The long journey: {hero} pushes on past {detail}, instinct leading the way."),
         ("The decisive moment of survival: {hero} faces {other} amid {detail}.",
          "A rare sight caught on camera: {hero} and {thing}, {detail} at its peak."),
         ("The danger passes; {hero} rests, {detail}.",
          "Calm returns to {setting}; {hero} regroups near {detail}."),
         ("Pulling back to the wide world: {hero} continues, one small life in {setting}.",
          "As the light fades, {hero} moves on, and {setting} closes behind.")),
        (("Here, life follows rules older than memory.", "Few have seen {hero} this close."),
         ("Every journey begins with a single decision.", "Instinct is a map written over millions of years."),
         ("In nature, there are no second chances.", "This is the moment everything depends on."),
         ("Survival, for today, is enough.", "The rhythm of the wild resumes."),
         ("And so the cycle turns again.", "The story of {hero} is the story of this place.")),
        (("A Wild Place", "First Sighting"), ("The Journey", "Instinct"), ("Survival", "The Encounter"),
         ("Respite", "Regrouping"), ("The Cycle Turns", "Onward")),
        (("aerial establishing shot", "telephoto wide shot"), ("telephoto medium shot",),
         ("long-lens close-up",), (), ("aerial wide shot",)),
    ),
    "commercial": Genre(
        _words("product launch launching unveil unveiling brand commercial advert advertisement ad smartphone "
               "phone sneaker sneakers gadget device app headphones watch bicycle bike laptop perfume "
               "introducing electric sleek"),
        "a young designer", "the first customer", "the product", "studio", "morning", "triumphant",
        "polished electronic pop with a rising build", 120, "premium product commercial",
        ("studio product photography", "macro detail", "clean reflections"),
        ("cluttered background", "fingerprints", "dust", "cheap plastic look"),
        "{thing} arrives: designed for {hero} and everyone who lives in {setting}.",
        "designing the future",
        (("A dark set; a single line of light traces the silhouette of {thing}, {detail}.",
          "Silence, then a glint: {thing} rests in shadow beside {detail}."),
         ("{hero} reaches for {thing}; its details revealed in quick macro passes against {detail}.",
          "Precision in motion: {thing} assembles piece by piece, {detail} behind."),
         ("The reveal: {thing} in full hero light, turning on its axis with {detail} coming alive.",
          "{thing} rises into a burst of light, every surface gleaming, {detail}."),
         ("{thing} in the real world: {hero} using it in {setting} {time}.",
          "Everyday life, upgraded: {hero} and {thing} beside {detail}."),
         ("End card: {thing} centred on a clean backdrop, the promise in one line.",
          "{hero} smiles; {thing} catches the light one last time, {detail}.")),
        (("Some things are worth the wait.", "Quiet, until now."),
         ("Every detail, considered.", "Designed around the way you actually live."),
         ("Introducing {thing}.", "This changes how you move."),
         ("Made for mornings, commutes and everything between.", "It just fits."),
         ("Available now.", "The next chapter starts today.")),
        (("Silhouette", "In the Dark"), ("Details", "Precision"), ("The Reveal", "Hero Light"),
         ("In the World", "Everyday"), ("End Card", "Available Now")),
        (("macro shot",), ("macro close-up", "slider shot"), ("hero product shot", "360-degree orbit shot"),
         ("lifestyle medium shot",), ("packshot",)),
    ),
    "poem": Genre(
        _words("poem poetry poetic verse verses sonnet haiku ode ballad elegy stanza lyric lyrical rhyme"),
        "a solitary figure", "a remembered voice", "a paper boat", "park", "dusk", "melancholic",
        "sparse solo piano with room reverb", 68, "painterly lyrical imagery",
        ("painterly light", "poetic composition", "soft film grain"), ("harsh digital look", "busy composition"),
        "A visual poem: {thing} and {hero} in {setting}, image by image, line by line.",
        "drifting through memory",
        (("An image opens like a first line: {thing} {time}, held against {detail}.",
          "{setting}, drawn in slow strokes: {detail}, and {thing} at its heart."),
         ("Images layer like stanzas: {thing}, {detail}, {hero} half-seen at the edge.",
          "The rhythm quickens; {detail} echoes {thing} in repeating shapes."),
         ("The poem's turn: {thing} in close detail, filling the frame, every texture a word.",
          "{hero} reaches out, and {thing} and {detail} become one image."),
         ("The lines loosen; {detail} drifts out of focus, {hero} watching.",
          "Colour drains slowly from {setting}; only {thing} keeps its hue."),
         ("The last stanza: {setting} emptied to a single image, {thing} and the light.",
          "{hero} walks out of frame; {detail} remains, like a rhyme left hanging.")),
        (("Begin with what the eye remembers.", "Here: {thing}, and the hush around it."),
         ("Each image answers the one before.", "Say it again, softer, and it becomes true."),
         ("Everything I meant is in this one detail.", "Hold it. Do not look away."),
         ("The words thin out like evening light.", "What was sharp grows gentle."),
         ("And then, only the light.", "The poem ends; the feeling does not.")),
        (("First Line", "An Image"), ("Stanzas", "Refrain"), ("The Turn", "The Heart of It"),
         ("Loosening", "Fading Ink"), ("Last Stanza", "Afterimage")),
        (("painterly wide shot",), ("slow-motion medium shot",), ("macro close-up",), ("soft-focus medium shot",),
         ()),
    ),
    "abstract": Genre(
        _words("feeling feelings emotion emotions abstract anxiety longing loneliness grief euphoria nostalgia "
               "despair solitude yearning serenity melancholy awe"),
        "a lone figure", "an echo of the figure", "a ribbon of light", "void", "timeless", "contemplative",
        "ambient textures and slow swelling pads", 70, "experimental art film",
        ("surreal composition", "abstract light sculpture", "long exposure"), ("literal clutter", "text overlays"),
        "An abstract passage through {thing}, felt rather than told, in {setting}.",
        "dissolving into colour",
        (("A pale space opens; {hero} stands alone, surrounded by {detail}: the shape of {thing} before it has a name.",
          "Silence made visible: {detail}, and {hero} small at the centre."),
         ("{thing} grows: {detail}, multiplying, pressing closer around {hero}.",
          "Forms fracture and repeat; {hero} walks through {detail} that will not stay still."),
         ("Overwhelm: the frame fills with {detail}, {hero} at the still centre of {thing}.",
          "Colour floods the space; {thing} is everywhere at once, {detail} spinning."),
         ("The pressure thins; colour drains back, {detail} slowing.",
          "{hero} kneels, {detail} settling like falling dust."),
         ("{hero} breathes; {thing} remains, but smaller now, a single point of light.",
          "The space resolves into one soft horizon; {hero} and {detail}, at peace.")),
        (("It begins as almost nothing.", "You cannot name it yet, but you know it."),
         ("It grows in the spaces you leave empty.", "Every thought becomes a mirror."),
         ("And then it is all there is.", "Too much, too bright, too close."),
         ("Slowly, the edges return.", "It loosens its grip, one breath at a time."),
         ("What remains is lighter.", "It will come back. That is all right.")),
        (("Almost Nothing", "Unnamed"), ("Multiplying", "Mirrors"), ("Overwhelm", "Flood"),
         ("Edges Return", "Settling"), ("Lighter", "One Point of Light")),
        (("symmetrical wide shot",), ("slow-motion medium shot",), ("extreme close-up",), (),
         ("symmetrical wide shot",)),
    ),
    "culinary": Genre(
        _words("recipe recipes cook cooking bake baking dish soup bread pasta cake pie stew kitchen ingredients "
               "chef meal dinner breakfast dessert cookies tart curry roast food noodle ramen sushi taco "
               "dumpling thai wok"),
        "the cook", "a hungry guest", "the finished dish", "home", "afternoon", "serene",
        "warm acoustic guitar and brushed percussion", 96, "food cinematography",
        ("overhead food photography", "macro food detail", "shallow depth of field"),
        ("unappetising", "messy plating", "plastic-looking food"),
        "Step by step, {hero} makes {thing} in {setting}, and shares it {time}.",
        "cooking from memory",
        (("Everything for {thing} laid out on the counter, {detail}, as {hero} ties an apron.",
          "Bowls, scales and fresh ingredients wait in {setting}; {hero} reads a stained recipe card."),
         ("{hero} measures, whisks and folds; {detail} as the mixture comes together.",
          "Chopping, zesting, stirring: {hero}'s hands move quickly, {detail} nearby."),
         ("Into the heat: {hero} watches {thing} transform, edges turning golden, {detail}.",
          "The crucial moment: {thing} comes out of the heat, steam rising, {hero} holding a breath."),
         ("{hero} plates {thing} with care, a final garnish, {detail}.",
          "A dusting, a drizzle, a last touch: {thing} rests beside {detail}."),
         ("The first taste at the table {time}: {thing} shared with {other}, {detail}.",
          "{hero} sets down {thing}; hands reach in, and {setting} fills with warmth.")),
        (("Start with good ingredients and a little patience.", "This recipe has been made here many times."),
         ("Fold gently; there is no need to rush.", "The smell tells you when it is right."),
         ("Now, the heat does its work.", "Watch for the colour. That is the moment."),
         ("A little care at the end makes all the difference.", "Let it rest, just for a minute."),
         ("The best part is always sharing it.", "Some recipes are really just love, written down.")),
        (("Mise en Place", "The Ingredients"), ("Mixing", "Hands at Work"), ("Into the Heat", "Golden"),
         ("Plating", "Final Touch"), ("First Taste", "Shared")),
        (("overhead top-down shot",), ("overhead top-down shot", "macro close-up"), ("macro close-up",),
         ("overhead top-down shot",), ()),
    ),
    "scifi": Genre(
        _words("space spaceship starship robot robots android cyborg alien aliens planet galaxy futuristic "
               "future cyberpunk orbit astronaut mars station sci scifi hologram ai"),
        "an engineer", "the station AI", "a strange signal", "space", "timeless", "mysterious",
        "pulsing analog synths and deep drones", 104, "hard science-fiction cinema",
        ("volumetric light", "retro-futurist production design", "IMAX science fiction"),
        ("fantasy medieval", "cartoonish spaceships"),
        "On {setting}, {hero} encounters {thing}, and nothing out there will be the same.",
        "running diagnostics",
        (("{setting} {time}: {hero} runs routine checks beside {detail}.",
          "{setting} hums quietly; {hero} moves past {detail}, logging the hours."),
         ("An anomaly: {thing} registers on every sensor, and {hero} moves in to investigate {detail}.",
          "{hero} traces {thing} across {setting}, {detail} in every readout."),
         ("Alarms scream; {hero} confronts {thing} with {detail} strobing red.",
          "Systems fail; {hero} and {other} fight to reach {thing} amid {detail}."),
         ("Power returns in stages; {hero} rests in the hush, {detail}.",
          "{hero} makes repairs by hand, {detail} flickering back to life."),
         ("{hero} before {thing}, understood at last, {detail} beyond.",
          "{setting} falls quiet; {hero} records a final log beside {detail}.")),
        (("Day four hundred and twelve. All systems nominal.", "Out here, routine is survival."),
         ("Then the signal came.", "Something out there is answering."),
         ("Warning. Warning. Hull integrity failing.", "There is no one else to do this."),
         ("Quiet again. Too quiet.", "We are still here. Barely."),
         ("We were never alone.", "End of log.")),
        (("Routine", "Nominal"), ("The Anomaly", "Signal"), ("Red Alert", "Zero-G"),
         ("Restart", "Hull Patch"), ("Viewport", "End of Log")),
        ((), ("over-the-shoulder shot",), ("dutch-angle close-up",), (), ()),
    ),
    "heist": Genre(
        _words("heist heists robbery thief thieve burglar vault steal stealing stolen caper con swindle"),
        "a master thief", "the night guard", "the vault", "gallery", "night", "tense",
        "cool jazz bass over ticking percussion", 112, "slick heist thriller",
        ("split-diopter shot", "high-contrast night photography", "glossy reflections"), ("daylight picnic",),
        "{hero} has one night inside {setting} to take {thing} from under the nose of {other}.",
        "slipping past security",
        (("{setting} {time}: {hero} arrives like any other guest, eyes on {detail}.",
          "A blueprint of {setting} spread on a table; {hero} taps the spot marked {thing}."),
         ("In position: {hero} loops the cameras while {other} passes {detail}.",
          "Gloved hands work fast; {hero} slips between {detail} without a sound."),
         ("The moment of the lift: {hero} reaches {thing} as {other} turns toward the light.",
          "An alarm shrieks; {hero} freezes inches from {thing}, {detail} all around."),
         ("{hero} walks calmly out through {setting}, {thing} hidden, {detail} behind.",
          "Doors, corridors, a service lift: {hero} vanishes past {detail}."),
         ("Dawn far away from {setting}: {hero} unwraps {thing} and finally smiles.",
          "{other} stares at an empty frame in {setting}; {hero} is already gone.")),
        (("Every job starts with a lie and a good suit.", "The plan is simple. That is what worries {hero}."),
         ("Ninety seconds. Not one more.", "Nobody looks twice at the help."),
         ("Now.", "One wrong move, and everything is over."),
         ("Walk. Do not run.", "Smile at the guard. Keep walking."),
         ("Clean. Almost too clean.", "They will be talking about this one for years.")),
        (("The Invitation", "The Plan"), ("In Position", "Ninety Seconds"), ("The Lift", "Alarm"),
         ("Walk Out", "Vanishing Act"), ("Clean", "The Empty Frame")),
        ((), ("split-diopter shot",), ("extreme close-up",), ("tracking shot",), ()),
    ),
    "rescue": Genre(
        _words("firefighter wildfire fire flood earthquake disaster rescue rescuer avalanche tsunami "
               "evacuation evacuate paramedic lifeguard hurricane blaze"),
        "a rescue worker", "the crew chief", "the last evacuation bus", "mountain", "dusk", "tense",
        "urgent strings over pounding drums", 126, "disaster drama",
        ("documentary realism", "smoke and ember particles", "long-lens heat haze"), ("calm blue sky",),
        "As disaster closes on {setting}, {hero} and {other} hold the line to protect {thing}.",
        "holding the line",
        (("{setting} {time}: {hero} scans the horizon, {detail}, the first warning on the radio.",
          "{hero} gears up with {other} as {detail} darkens the sky over {setting}."),
         ("{hero} and the crew dig in, cutting a line toward {thing} beside {detail}.",
          "Orders crackle over the radio; {hero} hauls equipment past {detail}."),
         ("The disaster hits the line: {hero} stands firm as {detail} closes in on {thing}.",
          "Everything at once: {other} shouts, {hero} pushes forward through {detail}."),
         ("The worst passes; {hero} sinks to the ground, soot-streaked, beside {detail}.",
          "{hero} and {other} share a bottle of water, {detail} behind them."),
         ("{setting} stands, scarred but safe; {hero} walks back down the road past {detail}.",
          "Morning light on {thing}, still standing; {hero} finally closes their eyes.")),
        (("The wind is changing.", "Everyone knows what today could bring."),
         ("Hold here. Whatever happens, hold here.", "Every metre matters now."),
         ("This is where it stops.", "Nobody leaves anyone behind."),
         ("It held. Somehow, it held.", "Breathe. Drink. Count heads."),
         ("The town will never know how close it came.", "Tomorrow, the next call.")),
        (("Warning", "Gearing Up"), ("Digging In", "Orders"), ("The Line", "Everything at Once"),
         ("It Held", "Water"), ("Still Standing", "The Road Back")),
        (("aerial establishing shot",), ("handheld medium shot",), ("handheld close-up",), (), ("aerial wide shot",)),
    ),
    "fantasy": Genre(
        _words("dragon dragons wizard witch castle kingdom magic magical enchanted knight elf elves sorcerer "
               "spell quest myth mythical fairy fairytale sword"),
        "a young mage", "the shadow sorcerer", "the ancient relic", "castle", "dusk", "whimsical",
        "soaring orchestral fantasy with choir", 96, "high-fantasy epic",
        ("epic matte painting", "magical particles", "painterly fantasy concept art"), ("modern objects", "cars"),
        "In {setting}, {hero} finds {thing} and must stand against {other} before the light fails.",
        "learning forbidden spells",
        (("{setting} {time}: {hero} walks beside {detail}, the old stories whispered everywhere.",
          "Lanterns flicker across {setting}; {hero} studies {detail} by candlelight."),
         ("{hero} discovers {thing}; {detail} stirring as ancient magic wakes.",
          "A summons: {hero} sets out across {setting} past {detail}, {thing} glowing in hand."),
         ("Light and shadow collide: {hero} wields {thing} against {other} amid {detail}.",
          "{other} rises; {hero} raises {thing}, {detail} erupting in runic fire."),
         ("Embers drift over {setting}; {hero} kneels, spent, {detail}.",
          "The spell breaks; {detail} falls silent and {hero} stands alone."),
         ("Dawn over the kingdom: {hero} carries {thing} home past {detail}.",
          "{hero} returns {thing} to its place; {setting} breathes again.")),
        (("Long ago, the old magic slept.", "Every stone here remembers a spell."),
         ("And then, it woke.", "The relic chose {hero}, not the other way around."),
         ("Now, or never.", "Light answers light."),
         ("The cost of magic is always paid.", "Silence falls like snow."),
         ("And the kingdom endured.", "Some stories end so others can begin.")),
        (("The Old Stories", "Candlelight"), ("Awakening", "The Summons"), ("Runic Fire", "Light and Shadow"),
         ("Embers", "The Spell Breaks"), ("Dawn Over the Kingdom", "Homecoming")),
    ),
    "horror": Genre(
        _words("haunted ghost ghosts horror monster monsters zombie zombies demon cursed curse creepy "
               "nightmare possessed asylum sinister"),
        "a lone caretaker", "the presence", "an old music box", "home", "midnight", "eerie",
        "dissonant strings and sub-bass drones", 64, "atmospheric horror",
        ("low-key lighting", "handheld dread", "grainy 16mm"), ("cheerful", "bright cartoon colours"),
        "{hero} spends one night in {setting}, and {thing} is not done with the living.",
        "hearing footsteps",
        (("{setting} {time}, too quiet; {hero} arrives, flashlight sweeping {detail}.",
          "{hero} sets down a bag in {setting}; something in {detail} seems to look back."),
         ("Something shifts in {detail}; {thing} is not where {hero} left it.",
          "A whisper from {detail}; {hero} follows the sound deeper into {setting}."),
         ("{other} emerges from the dark; {hero} recoils, {detail} in strobing light.",
          "The door slams; {hero} is face to face with {other} beside {detail}."),
         ("Silence again; {hero} backs away, {detail} dripping.",
          "{hero} crawls into the corridor, the light dying, {detail}."),
         ("{hero} escapes into the grey morning, but {thing} waits in {setting}.",
          "Daylight at last; behind {hero}, something in {detail} moves one final time.")),
        (("Nobody has lived here for years.", "The house settles. Or something does."),
         ("Did you hear that?", "It was not there before."),
         ("Run.", "It has been waiting for you."),
         ("Breathe. Do not make a sound.", "Maybe it is over."),
         ("It is never over.", "Some places keep what they take.")),
        (("Arrival", "Too Quiet"), ("Whispers", "Misplaced"), ("Face to Face", "The Door"),
         ("Hush", "The Corridor"), ("Grey Morning", "It Remains")),
        ((), ("dutch-angle medium shot",), ("handheld extreme close-up",), (), ()),
    ),
    "romance": Genre(
        _words("love lovers romance romantic kiss wedding couple valentine crush date proposal sweethearts"),
        "a florist", "a stranger", "a handwritten note", "city", "sunset", "romantic",
        "warm strings and felt piano", 80, "romantic drama",
        ("dreamy bokeh", "golden backlight", "soft diffusion filter"), ("harsh lighting", "grotesque"),
        "In {setting} {time}, {hero} meets {other} over {thing}, and neither can let go of the moment.",
        "falling in love",
        (("{hero} {time} in {setting}, beside {detail}, not looking for anyone.",
          "{setting} bustles; {hero} works alone beside {detail}."),
         ("A chance meeting: {other} and {hero} reach for {thing} at the same time.",
          "Glances across {detail}; {hero} finds {thing} left behind by {other}."),
         ("The confession: {hero} and {other} face to face, {detail} blurring behind them.",
          "Rain, a run, a choice: {hero} catches up with {other} beneath {detail}."),
         ("Walking side by side through {setting}, {detail}, nothing needing to be said.",
          "{hero} and {other} share a quiet laugh beside {detail}."),
         ("{hero} and {other} framed together {time}, {thing} between their hands.",
          "The camera drifts away; {hero} and {other} small and bright amid {detail}.")),
        (("Some days begin like any other.", "{hero} never expected anyone."),
         ("And then, a look.", "Sometimes fate is a small, clumsy thing."),
         ("Say it now, or never.", "Everything else goes quiet."),
         ("No words needed.", "The world slowly comes back."),
         ("Some stories are worth waiting for.", "Together, finally.")),
        (("Any Other Day", "Alone"), ("A Look", "Chance"), ("The Confession", "Now or Never"),
         ("Side by Side", "Quiet Laughter"), ("Together", "Golden Hour")),
    ),
    "comedy": Genre(
        _words("funny comedy comedic clumsy prank silly hilarious mishap chaos slapstick awkward goofy"),
        "a hapless waiter", "the critic", "the wobbly cake", "home", "afternoon", "joyful",
        "bouncy pizzicato and clarinet", 126, "bright comedy",
        ("bright saturated colour", "symmetrical framing", "crisp comic timing"), ("grim", "gory"),
        "{hero} has one job in {setting}: keep {thing} in one piece while {other} watches.",
        "trying not to panic",
        (("{hero} arrives at {setting} {time}, confident, straightening {thing}.",
          "{hero} rehearses in front of {detail}, {thing} balanced perfectly."),
         ("Small disasters pile up: {detail}, and {thing} wobbles dangerously.",
          "{other} arrives early; {hero} hides {thing} behind {detail}."),
         ("Total chaos: {thing} flies, {other} gasps, {detail} everywhere.",
          "In slow motion, {hero} dives for {thing} across {detail}."),
         ("{hero} surveys the wreckage, {detail}, and starts to laugh.",
          "A long beat of silence; {other} stares at {hero} and {detail}."),
         ("Against all odds, {other} applauds; {hero} takes a bow with {thing}.",
          "{hero} and {other} share what is left of {thing} beside {detail}.")),
        (("What could possibly go wrong?", "{hero} had a plan. A good one."),
         ("Stay calm. Stay very calm.", "Okay. Small problem."),
         ("Nooooo.", "And that was the plan."),
         ("Well. That happened.", "Nobody move."),
         ("Nailed it. Sort of.", "Same time next week?")),
        (("The Plan", "Confidence"), ("Small Problems", "Hide It"), ("Chaos", "The Dive"),
         ("The Wreckage", "A Long Beat"), ("Nailed It", "Applause")),
    ),
    "performance": Genre(
        _words("band concert gig singer sing singing song songs dance dancer dancers dancing music musician "
               "musicians rapper dj jazz choir orchestra rehearsal"),
        "the singer", "the band", "the microphone", "stage", "night", "joyful",
        "live band energy with punchy drums", 122, "concert film",
        ("concert photography", "stage haze", "beam lights"), ("empty stage", "silent crowd"),
        "{hero} takes the stage at {setting} {time}, and for one night the music is everything.",
        "performing live",
        (("{setting} before the show {time}: {hero} waits in the wings beside {detail}.",
          "Soundcheck in an empty {setting}; {hero} tests {thing} beside {detail}."),
         ("First notes: {hero} steps into the light, {other} locking into the groove, {detail}.",
          "The crowd swells; {hero} moves with the beat with {detail} pulsing."),
         ("The peak: {hero} at full voice, the crowd and {detail} exploding in light.",
          "Everything drops, then hits: {hero} and {other} in a storm of {detail}."),
         ("A quiet breakdown; {hero} alone with {thing}, {detail} dimmed.",
          "Hands in the air, {detail}; {hero} lets the crowd sing the line."),
         ("Final chord: {hero} bows, {detail}, the room roaring.",
          "After the show, {hero} sits on the empty stage, {thing} resting nearby.")),
        (("Every night, the same nerves.", "Listen. The room is waiting."),
         ("One, two, three, four.", "Feel it build."),
         ("This is what it is all for.", "Louder."),
         ("Now, just us.", "Sing it back to me."),
         ("Thank you, goodnight.", "The echo lasts all the way home.")),
        (("The Wings", "Soundcheck"), ("First Notes", "The Groove"), ("The Drop", "Full Voice"),
         ("Breakdown", "Sing It Back"), ("Final Chord", "Empty Stage")),
        (("wide shot from the back of the crowd",), ("handheld medium shot",), ("low-angle close-up",),
         ("silhouette medium shot",), ()),
    ),
    "historical": Genre(
        _words("ancient medieval empire emperor samurai viking roman knight knights war soldier soldiers "
               "duel siege legion dynasty pharaoh gladiator battle warlord shogun"),
        "a young squire", "the rival champion", "the ancestral blade", "castle", "dawn", "epic",
        "taiko drums and epic strings", 98, "historical epic",
        ("epic historical cinema", "practical smoke and dust", "period-accurate costume"),
        ("modern clothing", "anachronistic objects"),
        "At {setting} {time}, {hero} faces {other} with {thing}, and honour will decide the rest.",
        "preparing for the duel",
        (("{setting} {time}: {hero} prepares in silence, {detail}.",
          "{hero} kneels before {thing} in {setting}, {detail} all around."),
         ("{other} appears across the clearing; {hero} grips {thing} as {detail} stirring.",
          "The two circle each other; {detail} between {hero} and {other}."),
         ("Steel meets steel: {hero} and {other} clash amid {detail}.",
          "One strike, frozen in time: {hero} lunges through {detail}."),
         ("The dust settles; {hero} lowers {thing}, breathing hard, {detail}.",
          "{other} falls to one knee; {hero} stands over {detail}, silent."),
         ("{hero} walks away into {setting} {time}, {thing} at rest, {detail}.",
          "{hero} lays {thing} before the shrine; {setting} falls still.")),
        (("Honour is a quiet thing, until it is tested.", "{hero} has trained a lifetime for this day."),
         ("The rival waits.", "Neither will look away first."),
         ("One breath. One strike.", "There is only the blade."),
         ("It is done.", "The wind carries the dust away."),
         ("Legends are written by those who walk away.", "And the land remembers.")),
        (("Preparation", "Silence"), ("The Rival", "Circling"), ("The Strike", "Steel"),
         ("Settling Dust", "Stillness"), ("The Long Walk", "Remembered")),
    ),
    "celebration": Genre(
        _words("birthday party celebration celebrate festival carnival anniversary holiday christmas "
               "graduation reunion fireworks parade"),
        "the birthday child", "the guests", "the birthday cake", "park", "afternoon", "joyful",
        "upbeat ukulele and hand claps", 116, "warm family film",
        ("candid photography", "bright colour", "shallow depth of field"), ("gloomy", "empty rooms"),
        "In {setting} {time}, {hero} waits for {thing}, and the whole day builds to one wish.",
        "getting ready to celebrate",
        (("{setting} {time}, decorated with {detail}; {hero} peeks out, excited.",
          "{hero} helps decorate {setting}, counting the minutes; {detail}."),
         ("Guests arrive; {hero} and {other} dive into games beside {detail}.",
          "Running, laughing, tumbling: {hero} and {other} race past {detail}."),
         ("The big moment: {thing} arrives, candles blazing, {hero} making a wish.",
          "Everyone gathers; {hero} leans over {thing}, eyes squeezed shut, {detail}."),
         ("Frosting on faces, {detail}, everyone slowing down.",
          "Wrapping paper everywhere; {hero} hugs {other} beside {detail}."),
         ("The light fades on {setting}; {hero} asleep with {thing} nearby, {detail}.",
          "A last group photo: {hero} in the middle, {detail}, everyone grinning.")),
        (("Today is the day.", "{hero} has been waiting all year for this."),
         ("And the fun begins.", "Nobody can stop smiling."),
         ("Make a wish.", "Three, two, one, blow!"),
         ("Tired, sticky and happy.", "The best kind of mess."),
         ("Some days you keep forever.", "Same time next year.")),
        (("Getting Ready", "Decorations"), ("The Guests", "Games"), ("Make a Wish", "The Cake"),
         ("Sticky and Happy", "Hugs"), ("Sleepy", "The Photo")),
    ),
    "sports": Genre(
        _words("match game marathon goal team championship tournament athlete football soccer basketball "
               "tennis boxing surfing skate skateboard sprint olympic race"),
        "the runner", "the rival", "the finish line", "arena", "afternoon", "triumphant",
        "driving percussion and rising brass", 130, "sports documentary",
        ("high-speed photography", "long-lens sports coverage", "sweat and grit detail"), ("blurry faces",),
        "{hero} has trained for years for one afternoon in {setting}, with {other} and {thing} ahead.",
        "training for the final",
        (("{setting} {time}: {hero} laces up, eyes on {thing}, {detail}.",
          "Warm-ups in {setting}; {hero} shakes out the nerves beside {detail}."),
         ("The race is on: {hero} and {other} trade the lead past {detail}.",
          "{hero} falls behind, then digs in, {detail} blurring past."),
         ("The final push: {hero} strains toward {thing}, {detail} a blur.",
          "Shoulder to shoulder with {other}: {hero} throws everything at {thing}."),
         ("{hero} doubled over, breathing, {detail}.",
          "The result flashes up; {hero} and {other} embrace, {detail}."),
         ("{hero} lifts the trophy high {time}, {detail}.",
          "Alone in the empty {setting}, {hero} looks back at {thing}, {detail}.")),
        (("Years of work come down to this.", "Breathe. Focus."),
         ("Stay with them.", "Not yet. Not yet."),
         ("Now. Everything.", "This is what the early mornings were for."),
         ("It is over.", "Respect, whatever the scoreboard says."),
         ("Remember this feeling.", "Tomorrow, the work starts again.")),
        (("Lacing Up", "Warm-Up"), ("The Race Is On", "Digging In"), ("The Final Push", "Shoulder to Shoulder"),
         ("The Result", "Breathing"), ("Trophy", "Looking Back")),
    ),
}

# Extra roles the planner gives named people in the character bible, keyed by role word.
ROLE_WARDROBE: dict[str, str] = {
    "samurai": "lacquered black armour laced with crimson silk cord",
    "knight": "dented steel plate under a torn surcoat",
    "astronaut": "a white EVA suit with a mirrored gold visor",
    "chef": "a crisp double-breasted chef's jacket",
    "cook": "a flour-dusted linen apron",
    "baker": "a flour-dusted linen apron",
    "grandmother": "a flour-dusted floral apron over a cardigan",
    "grandfather": "a tweed waistcoat and reading glasses",
    "detective": "a rumpled trench coat and a loosened tie",
    "pirate": "a salt-stained captain's coat",
    "doctor": "surgical scrubs and a stethoscope",
    "nurse": "pale blue scrubs",
    "dancer": "a flowing rehearsal dress and worn pointe shoes",
    "singer": "a sequined jacket and a silver ear cuff",
    "robot": "a brushed-steel chassis with one amber optical sensor",
    "android": "seamless white polymer skin with faint circuit lines",
    "wizard": "a star-embroidered midnight-blue robe",
    "witch": "a patched black cloak and a crooked hat",
    "courier": "a scuffed black motorcycle jacket and a helmet under one arm",
    "keeper": "a navy oilskin coat over a cable-knit sweater",
    "runner": "a numbered race bib and carbon racing shoes",
    "ai": "a calm, pulsing ring of amber light on every screen",
    "rover": "a dust-caked six-wheeled chassis with a camera mast and a solar panel deck",
    "drone": "a matte-black quadcopter with a blinking red status light",
    "probe": "a gold-foiled probe with a dish antenna and a long sensor boom",
    "thief": "a tailored black suit and thin leather gloves",
    "vendor": "a sweat-stained t-shirt under a striped apron",
    "violinist": "a simple black concert dress",
    "climber": "a red shell jacket, harness and chalk-dusted hands",
    "firefighter": "a soot-streaked yellow turnout coat and helmet",
    "presence": "a tall smear of shadow with no clear edges",
    "commuter": "a waterproof shell jacket and a messenger bag",
    "child": "a paper party crown and a striped t-shirt",
    "designer": "a black turtleneck and round glasses",
    "viking": "a fur mantle over a ringmail shirt",
    "soldier": "mud-spattered fatigues",
}

YOUNG_ROLES = frozenset("boy girl child kid baby teenager teen orphan student".split())
OLD_ROLES = frozenset("grandmother grandfather grandma grandpa granny elder widow widower veteran hermit".split())
NONHUMAN_ROLES = frozenset(
    "robot android cyborg alien ghost monster zombie vampire giant dragon ai presence rover drone probe".split()
)
# Groups keep their plural name and get one look for the whole group.
GROUP_ROLES: dict[str, str] = {
    "guest": "a crowd of party guests in bright summer clothes",
    "band": "a four-piece band dressed in black, instruments gleaming",
    "crowd": "a dense crowd of faces lit by the stage",
    "friend": "a loose group of friends in mismatched jackets",
    "family": "a family of three generations in Sunday clothes",
    "team": "a team in matching kit, numbers on their backs",
    "herd": "a herd of wild horses, manes tangled by the wind",
}

GIVEN_NAMES = (
    "Elias", "Mara", "Tomas", "Ines", "Kenji", "Amara", "Soren", "Lucia", "Arjun", "Freya", "Mateo", "Noor",
    "Idris", "Yara", "Oskar", "Leila", "Ravi", "Hana", "Bastian", "Zofia", "Kofi", "Elin", "Dario", "Suki",
    "Anouk", "Teo", "Priya", "Wren", "Jonah", "Maelle",
)
FEMININE_NAMES = frozenset(
    "Mara Ines Amara Lucia Freya Noor Yara Leila Hana Zofia Elin Suki Anouk Priya Maelle".split()
)
MASCULINE_NAMES = frozenset("Elias Tomas Kenji Soren Arjun Mateo Idris Oskar Ravi Bastian Kofi Dario Teo Jonah".split())
ROBOT_NAMES = ("Unit K-7", "ARIA", "Bolt", "Servo-9", "Orin")

AGES = ("in their twenties", "in their thirties", "in their forties", "in their fifties", "in their sixties")
HAIR = (
    "close-cropped grey hair", "a long dark braid", "a shock of copper curls", "a shaved head",
    "silver hair tied back", "a tangle of black curls", "sun-bleached shoulder-length hair", "short auburn hair",
)
FEATURES = (
    "a weathered, lined face", "freckles and a chipped front tooth", "a thin scar through one eyebrow",
    "deep-set watchful eyes", "a warm, gap-toothed smile", "round wire spectacles", "a neatly trimmed beard",
    "high cheekbones and a steady gaze",
)
ANIMAL_MARKS = (
    "a pale notched scar along one flank", "a distinctive white blaze", "a torn left ear",
    "an unusually dark, glossy coat", "a speckled pattern across the back", "bright amber eyes",
)
OBJECT_FINISH: dict[str, tuple[str, ...]] = {
    "commercial": ("in matte graphite with a thin copper accent line", "in satin white with brushed aluminium edges"),
    "culinary": ("golden and glossy on a white ceramic plate", "rustic and steaming on a worn wooden board"),
    "default": ("in rich tactile detail", "catching a soft edge of light", "weathered and full of character"),
}

# Narration sentences that point at a detail of the place (one detail each).
DETAIL_LINES = (
    "Look closer: {detail}.", "{hero} takes in {detail}.", "Nearby, {detail}.", "In the half-light, {detail}.",
    "The eye catches {detail}.", "Somewhere close, {detail}.",
)

# Shot grammar: shot sizes per beat; the first scene establishes, the last closes.
SHOT_GRAMMAR: tuple[tuple[str, ...], ...] = (
    ("wide shot", "medium wide shot", "high-angle wide shot"),
    ("medium shot", "over-the-shoulder shot", "tracking medium shot", "medium close-up"),
    ("close-up", "extreme close-up", "low-angle medium shot", "handheld close-up"),
    ("medium wide shot", "medium shot", "high-angle wide shot"),
    ("wide shot", "medium wide shot"),
)
OPENING_SHOT = "establishing wide shot"
CLOSING_SHOT = "closing wide shot"

LENS_BY_SHOT: dict[str, str] = {
    "wide": "24mm wide lens, deep focus",
    "medium": "50mm lens, natural perspective",
    "close": "85mm portrait lens, shallow depth of field",
    "macro": "100mm macro lens, razor-thin focus",
    "overhead": "top-down 35mm lens, flat lay",
    "aerial": "drone camera, high vantage",
}

POSES: tuple[tuple[str, ...], ...] = (
    ("calm, absorbed in the routine", "at ease, quietly observing"),
    ("alert, leaning forward", "uneasy, glancing back"),
    ("straining, jaw set, every muscle committed", "wide-eyed, braced against the moment"),
    ("spent, shoulders dropped", "slowly exhaling, eyes lowered"),
    ("still, with a faint smile", "upright and calm, looking to the horizon"),
)
OBJECT_STATES: tuple[tuple[str, ...], ...] = (
    ("at rest, half in shadow",), ("partly revealed, catching the first light",),
    ("in full light, every detail sharp",),
    ("in use, part of the world",), ("centred, complete, glowing softly",),
)

RELATIONS: dict[str, tuple[str, ...]] = {
    "wide": ("{hero} small in the lower third, dwarfed by {setting}",
             "{hero} silhouetted against {detail}, deep negative space above"),
    "medium": ("{hero} framed from the waist up, {detail} over the shoulder",
               "{hero} on the left third, {thing} balancing the right of frame"),
    "close": ("{hero}'s face fills the frame, {detail} soft in the background",
              "tight on {hero} and {thing}, everything else falling out of focus"),
    "macro": ("{thing} fills the frame, {detail} melting into bokeh",),
    "overhead": ("top-down: {thing} centred, {hero}'s hands entering from the frame edge",),
    "aerial": ("{hero} a small moving point within the pattern of {setting}",),
}

# Contrast and exposure follow the arc: gentle at the start, hard at the climax, lifted at the end.
BEAT_LIGHTING: tuple[str, ...] = (
    "gentle contrast, wide dynamic range",
    "rising contrast, motivated side light",
    "hard key with HDR highlights and crushed blacks",
    "contrast easing into diffused fill",
    "soft, lifted shadows and a warm highlight roll-off",
)
# Colour follows the arc in the grade (shot lighting); the visual prompt carries the climax accent only.
BEAT_GRADE: tuple[str, ...] = (
    "neutral grade", "a cooler cast creeping in", "saturated accents", "desaturated grade", "warmer grade",
)
BEAT_TENSION: tuple[float, ...] = (0.3, 0.55, 0.9, 0.5, 0.25)
BEAT_DURATION_WEIGHT: tuple[float, ...] = (1.15, 1.0, 0.9, 1.0, 1.15)

# Named camera moves: (pan, tilt, zoom) at full intensity.
CAMERA_MOVES: dict[str, tuple[float, float, float]] = {
    name: move.ratios for name, move in camera.MOVES.items()  # one table with the compositor
}
BEAT_MOVES: tuple[tuple[str, ...], ...] = (
    ("crane-down", "pan-right", "dolly-in", "truck-right", "static"),
    ("dolly-in", "truck-left", "tracking", "pan-left", "tilt-up"),
    ("push-in", "handheld", "orbit", "dolly-in"),
    ("dolly-out", "tilt-down", "pan-left", "static"),
    ("crane-up", "pull-out", "dolly-out"),
)

# Free-text camera descriptions from language models -> named moves (first match wins).
MOVE_SYNONYMS: tuple[tuple[str, str], ...] = (
    ("push", "push-in"), ("zoom in", "push-in"), ("dolly in", "dolly-in"), ("dolly-in", "dolly-in"),
    ("dolly out", "dolly-out"), ("dolly-out", "dolly-out"), ("pull back", "pull-out"), ("pull out", "pull-out"),
    ("zoom out", "pull-out"), ("pan left", "pan-left"), ("pan right", "pan-right"), ("pan", "pan-right"),
    ("tilt up", "tilt-up"), ("tilt down", "tilt-down"), ("crane up", "crane-up"), ("rise", "crane-up"),
    ("crane down", "crane-down"), ("descend", "crane-down"), ("truck left", "truck-left"),
    ("truck right", "truck-right"), ("orbit", "orbit"), ("circle", "orbit"), ("arc", "orbit"),
    ("handheld", "handheld"), ("shaky", "handheld"), ("track", "tracking"), ("follow", "tracking"),
    ("steadicam", "tracking"), ("static", "static"), ("locked", "static"), ("still", "static"),
    ("dolly", "dolly-in"), ("zoom", "push-in"), ("crane", "crane-up"), ("aerial", "crane-up"),
)

NEGATIVE_BASE = (
    "blurry", "low resolution", "watermark", "text", "logo", "deformed hands", "extra limbs",
    "disfigured face", "jpeg artifacts", "overexposed",
)

STYLE_KEYWORDS: dict[str, tuple[str, ...]] = {
    "noir": ("black and white", "hard venetian-blind shadows", "film noir"),
    "anime": ("anime style", "cel shading", "hand-drawn backgrounds"),
    "watercolor": ("watercolour painting", "bleeding pigment", "paper texture"),
    "watercolour": ("watercolour painting", "bleeding pigment", "paper texture"),
    "pixar": ("3D animated feature", "soft subsurface shading", "expressive characters"),
    "animated": ("3D animated feature", "soft subsurface shading", "expressive characters"),
    "animation": ("2D animation", "clean line art", "flat colour"),
    "wes anderson": ("symmetrical composition", "pastel palette", "deadpan tableau"),
    "cyberpunk": ("cyberpunk", "neon haze", "rain-soaked megacity"),
    "vintage": ("vintage 1970s film stock", "faded colour", "halation"),
    "documentary": ("observational documentary", "available light", "handheld realism"),
    "photoreal": ("photorealistic", "natural skin texture", "high dynamic range"),
    "oil painting": ("oil painting", "impasto brushwork", "canvas texture"),
}
STYLE_NEGATIVE: dict[str, tuple[str, ...]] = {
    "anime": ("photorealistic", "3D render"),
    "noir": ("colour", "saturated"),
    "watercolor": ("photograph", "hard digital edges"),
    "photoreal": ("cartoon", "illustration", "painting"),
}

MV_TYPE_GENRE: dict[str, str] = {
    "live_performance": "performance",
    "lyric_video": "poem",
    "animation": "drama",
    "story_narrative": "drama",
    "artistic_abstract": "abstract",
    "dance_performance": "performance",
    "behind_the_scenes": "documentary",
    "nature_scenic": "documentary",
    "picture_montage": "poem",
    "cinematic_drama": "drama",
}
MV_TYPE_LABEL: dict[str, str] = {
    "live_performance": "live performance",
    "lyric_video": "lyric video",
    "animation": "animated",
    "story_narrative": "story-driven",
    "artistic_abstract": "artistic, abstract",
    "dance_performance": "dance performance",
    "behind_the_scenes": "behind-the-scenes",
    "nature_scenic": "nature and scenic",
    "picture_montage": "picture montage",
    "cinematic_drama": "cinematic drama",
    "": "cinematic",
}
MV_TYPE_ACTION: dict[str, str] = {
    "dance_performance": "dancing in perfect sync",
    "live_performance": "performing live",
    "lyric_video": "mouthing the words",
}
