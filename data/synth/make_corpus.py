#!/usr/bin/env python3
"""Synthetic multi-task English speech corpus in OSUM's raw jsonl format (dev tool, not shipped code).

What it is: a deterministic generator (espeak-ng via ctypes for speech + exact word times, sox for
resampling and vocal-event sound-alikes, flac for the compressed variant) that writes train/dev/test
data lists for the 8 OSUM tasks, a manifest and a generated DATA_CARD.md; with --fixtures it writes
small LibriSpeech- and IEMOCAP-layout trees instead.
What it is not: real speech or real affect. Every label is a documented synthesis setting (see
DATA_CARD.md and data/synth/README.md). Python 3 standard library only; one fresh worker process per
utterance, because libespeak-ng output depends on the call history inside a process.
"""
import argparse
import array
import ctypes as C
import hashlib
import json
import math
import multiprocessing
import operator
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import wave

SR = 16000                      # Hz, output sample rate (OSUM front end)
ESPEAK_SR = 22050               # Hz, libespeak-ng native rate
TRIM_AFTER_LAST_WORD_S = 0.05   # s kept after the last word end (espeak appends 100-300 ms of pause)
MAX_PLAN_TRIES = 600            # candidate sentences tried per dev/test item before giving up
TOOL_DIR = os.path.dirname(os.path.abspath(__file__))
VOICE_DIR = os.path.join(TOOL_DIR, "voices")

# --------------------------------------------------------------------------------------------------
# Task tags and label vocabularies (osum-spec.md §2.1/§2.2). Emotion "other" is not synthesized:
# there is no honest prosody proxy for "none of the above".
# --------------------------------------------------------------------------------------------------
TASKS = [
    ("ASR", "<TRANSCRIBE>"),
    ("SRWT", "<TRANSCRIBE> <ALIGN>"),
    ("SER", "<TRANSCRIBE> <EMOTION>"),
    ("SSR", "<TRANSCRIBE> <STYLE>"),
    ("VED", "<TRANSCRIBE> <CAPTION>"),
    ("SGC", "<TRANSCRIBE> <GENDER>"),
    ("SAP", "<TRANSCRIBE> <AGE>"),
    ("STTC", "<TRANSCRIBE> <S2TCHAT>"),
]
EMOTIONS = ["neutral", "happy", "sad", "anger", "surprise", "fear", "disgust"]
STYLES = ["新闻科普", "恐怖故事", "童话故事", "客服", "诗歌散文", "有声书", "日常口语", "其他"]
STYLE_EN = {"新闻科普": "news/science", "恐怖故事": "horror story", "童话故事": "fairy tale",
            "客服": "customer service", "诗歌散文": "poetry/prose", "有声书": "audiobook",
            "日常口语": "daily conversation", "其他": "other (jokes, mic tests)"}
EVENTS = ["laugh", "cough", "cry", "screaming", "sigh", "throat clearing", "sneeze", "other"]
AGES = ["child", "adult", "old"]
GENDERS = ["male", "female"]
STTC_SEP = "<开始回答>"

# Prosody proxies: (pitch delta on the 0..99 espeak scale, rate factor, pitch range 0..100, volume
# 0..200, word gap in 10 ms units). Emotion values are the ones measured in shared/synthdata.md §2.
EMOTION_PROSODY = {
    "neutral": (0, 1.00, 50, 100, 0),
    "happy": (12, 1.15, 85, 115, 0),
    "sad": (-12, 0.75, 12, 65, 0),
    "anger": (6, 1.20, 75, 135, 0),
    "surprise": (20, 1.05, 95, 115, 0),
    "fear": (15, 1.30, 25, 75, 0),
    "disgust": (-8, 0.85, 35, 95, 0),
}
STYLE_PROSODY = {
    "新闻科普": (0, 1.10, 40, 110, 0),     # brisk, steady, loud
    "恐怖故事": (-10, 0.80, 30, 75, 1),    # low, slow, soft, small gaps
    "童话故事": (8, 0.90, 85, 105, 0),     # sing-song wide range
    "客服": (10, 1.10, 60, 100, 0),        # bright and quick
    "诗歌散文": (0, 0.75, 70, 95, 3),      # slow with long word gaps
    "有声书": (-4, 0.95, 55, 100, 1),      # even narration
    "日常口语": (2, 1.20, 50, 100, 0),     # fast casual
    "其他": (0, 1.00, 5, 100, 0),          # monotone
}
OLD_RATE_FACTOR = 0.8   # "old" speakers talk ~20% slower (the main age cue besides voice jitter)

# --------------------------------------------------------------------------------------------------
# Lexicon and templates. Everything is spelled out in words so the transcript is what is spoken.
# --------------------------------------------------------------------------------------------------
SLOTS = {
    "adj": "red small old new green heavy round wooden blue empty large white".split(),
    "noun": "book chair lamp box cup table bag key clock coat bottle basket".split(),
    "nouns": "books chairs lamps boxes cups bags keys clocks coats bottles".split(),
    "place": "kitchen garden shelf window floor desk hallway car".split(),
    "time": ["today", "yesterday", "this morning", "on monday", "after lunch", "this evening",
             "last week", "on friday"],
    "name": "Anna Peter Maria John Lucy David Emma Tom Sarah Paul".split(),
    "vpast": "moved painted carried cleaned found opened bought fixed".split(),
    "verb": "move paint carry clean open check fix wash".split(),
    "relative": "brother sister friend neighbour uncle aunt cousin".split(),
    "num": "two three four five six seven eight nine".split(),
    "building": ["library", "museum", "station", "school", "market", "bakery", "post office"],
    "place2": ["river", "park", "bridge", "harbour", "old church", "main road"],
    "food": "soup bread cheese salad milk pasta rice sandwich".split(),
    "animal": "rabbit fox mouse bear duck frog owl cat".split(),
    "animals": "rabbits foxes mice bears ducks frogs owls cats".split(),
    "product": "phone internet laptop bank printer television".split(),
    "weekday": "monday tuesday wednesday thursday friday saturday sunday".split(),
    "water": "lake sea river pond".split(),
    "colour": "green blue golden purple".split(),
    "tree": "pine oak willow apple".split(),
    "weather": "cold warm dry windy cloudy".split(),
}
SLOTS["name2"] = SLOTS["name"]

NEUTRAL_TEMPLATES = [
    "the {adj} {noun} is on the {place}.",
    "{name} {vpast} the {adj} {noun} {time}.",
    "we will {verb} the {noun} {time}.",
    "please put the {noun} next to the {place}.",
    "my {relative} has a {adj} {noun}.",
    "{name} said that the {noun} was {adj}.",
    "there are {num} {nouns} in the {place}.",
    "{name} and {name2} {vpast} the {noun} {time}.",
    "the {noun} in the {place} is {adj}.",
    "can you {verb} the {adj} {noun} for me?",
    "{name} will visit the {building} {time}.",
    "the {building} is near the {place2}.",
]
EMOTION_TEMPLATES = {
    "happy": ["this is wonderful, we {vpast} the {noun} {time}!",
              "I am so happy that {name} came to the {building} {time}!",
              "hooray, {name} won the prize at the {building}!",
              "I love this {adj} {noun}, it makes me smile!"],
    "sad": ["I miss my {relative} so much, the {place} feels empty now.",
            "{name} left {time} and I feel so lonely.",
            "my old {noun} is broken and I cannot stop crying.",
            "nobody came to the {building} {time}, it was a sad day."],
    "anger": ["I told you not to touch my {noun}, this is unacceptable!",
              "who broke the {adj} {noun}? I am furious!",
              "stop it right now, {name}, I am sick of this!",
              "you are late again, I waited at the {building} for hours!"],
    "surprise": ["wow, I never expected to see {name} at the {building} {time}!",
                 "really? the {noun} was in the {place} all along?",
                 "oh my, {num} {nouns} appeared out of nowhere!",
                 "no way, {name} {vpast} the {noun} already?"],
    "fear": ["I heard a strange noise in the {place}, I am scared.",
             "please do not leave me alone in the dark {place}.",
             "something is moving behind the {noun}, help me!",
             "I am afraid that someone is following us to the {building}."],
    "disgust": ["ugh, this {food} smells awful and it is covered in mold.",
                "yuck, there is hair in my {food}, that is gross.",
                "this {place} is filthy, I feel sick just looking at it.",
                "eww, the {food} tastes rotten and sour."],
}
EMOTION_TEMPLATES["neutral"] = NEUTRAL_TEMPLATES
STYLE_TEMPLATES = {
    "新闻科普": ["in local news, the city opened a new {building} near the {place2} {time}.",
             "scientists report that {animals} can sleep for up to {num} hours a day.",
             "experts say the weather will stay {weather} for the next {num} days.",
             "the museum will show {num} new fossils from the ancient sea."],
    "恐怖故事": ["the door creaked open and a cold shadow crept across the {place}.",
             "at midnight, something was breathing behind the {noun} in the dark.",
             "the old house was silent, until the {noun} began to move by itself.",
             "a pale face stared at {name} through the {adj} window."],
    "童话故事": ["once upon a time, a little {animal} lived in a {adj} house in the forest.",
             "the kind fairy gave the princess a golden {noun}.",
             "the brave prince rode his horse to the {adj} castle.",
             "and the little {animal} lived happily ever after."],
    "客服": ["thank you for calling, how can I help you with your {product} today?",
           "your {product} order will arrive on {weekday}.",
           "I am sorry for the trouble, I will reset your {product} account now.",
           "please hold the line while I check your {product} order."],
    "诗歌散文": ["the silver moon sleeps upon the quiet {water}.",
             "soft rain falls on the {colour} hills at dawn.",
             "the wind whispers softly through the {tree} trees.",
             "autumn leaves drift slowly over the still {water}."],
    "有声书": ["chapter {num}. the captain walked slowly to the {place} and looked at the map.",
            "she closed the letter, took her {noun}, and left the {building} without a word.",
            "the journey to the northern {place2} took {num} long days.",
            "he remembered the {adj} {noun} his grandfather had given him."],
    "日常口语": ["hey, do you want to grab some {food} after work?",
             "I think I left my {noun} at your place.",
             "yeah, sure, let us meet at the {building} {time}.",
             "oh, by the way, {name} called about the {noun}."],
    "其他": ["knock knock, who is there? it is the {animal} again.",
           "why did the {animal} cross the road? to get to the other side.",
           "ha, my {relative} says the {noun} is smarter than me.",
           "testing, one, two, three, can everybody hear me?"],
}

# STTC: question templates per fact kind, and the fixed fact tables (answers are checkable).
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                "eighteen", "nineteen", "twenty"]
FRUIT_COLOUR = {"banana": "yellow", "lemon": "yellow", "apple": "red", "strawberry": "red",
                "cherry": "red", "orange": "orange", "grape": "purple", "plum": "purple",
                "lime": "green", "blueberry": "blue"}
ANIMAL_LEGS = {"cow": 4, "dog": 4, "horse": 4, "cat": 4, "bird": 2, "chicken": 2, "duck": 2,
               "spider": 8, "ant": 6, "bee": 6}
CAPITALS = {"france": "paris", "spain": "madrid", "italy": "rome", "germany": "berlin",
            "japan": "tokyo", "egypt": "cairo", "norway": "oslo", "peru": "lima"}
WEEKDAYS = SLOTS["weekday"]
STTC_QUESTIONS = {
    "add": ["what is {a} plus {b}?", "how much is {a} plus {b}?", "can you add {a} and {b}?"],
    "sub": ["what is {a} minus {b}?", "how much is {a} minus {b}?", "can you take {b} from {a}?"],
    "mul": ["what is {a} times {b}?", "how much is {a} times {b}?", "can you multiply {a} by {b}?"],
    "colour": ["what colour is {art} {x}?", "which colour does {art} {x} have?",
               "tell me the colour of {art} {x}."],
    "legs": ["how many legs does {art} {x} have?", "tell me how many legs {art} {x} has.",
             "count the legs of {art} {x} for me."],
    "capital": ["what is the capital of {x}?", "which city is the capital of {x}?",
                "tell me the capital of {x}."],
    "weekday": ["what day comes after {x}?", "which day follows {x}?",
                "if today is {x}, what day is tomorrow?"],
}

# --------------------------------------------------------------------------------------------------
# Speakers: a speaker = espeak voice variant + accent + base pitch + base rate. Variant files are
# partitioned so that test speakers use variants never heard in training; dev speakers use the
# custom voices childb/oldm/oldf and stock m7/f5/steph2 (also unseen in training).
# Gender of children is nominal (from the voice file); children are kept out of SGC.
# --------------------------------------------------------------------------------------------------
ACCENTS = ["en-us", "en", "en-029", "en-gb-scotland", "en-us-nyc"]
VARIANTS = {
    "train": [("m2", "male", "adult"), ("m3", "male", "adult"), ("m4", "male", "adult"),
              ("m5", "male", "adult"), ("m6", "male", "adult"),
              ("f2", "female", "adult"), ("f3", "female", "adult"), ("f4", "female", "adult"),
              ("Annie", "female", "adult"), ("linda", "female", "adult"), ("steph", "female", "adult"),
              ("zac", "male", "child"), ("childa", "female", "child"),
              ("m1", "male", "old"), ("grandpa", "male", "old"), ("f1", "female", "old")],
    "dev": [("m7", "male", "adult"), ("f5", "female", "adult"), ("steph2", "female", "adult"),
            ("childb", "male", "child"), ("oldm", "male", "old"), ("oldf", "female", "old")],
    "test": [("m8", "male", "adult"), ("belinda", "female", "adult"), ("Andrea", "female", "adult"),
             ("childc", "female", "child"), ("croak", "male", "old"), ("grandma", "female", "old")],
}
SPEAKERS_PER_VARIANT = {"train": 2, "dev": 1, "test": 2}
CUSTOM_VARIANTS = sorted(f for f in os.listdir(VOICE_DIR)) if os.path.isdir(VOICE_DIR) else []


class Rng:
    """Deterministic RNG (stdlib random seeded by a string; independent of PYTHONHASHSEED)."""

    def __init__(self, *parts):
        import random
        self._r = random.Random("/".join(str(p) for p in parts))

    def choice(self, xs):
        return xs[self._r.randrange(len(xs))]

    def uniform(self, a, b):
        return round(self._r.uniform(a, b), 4)

    def randint(self, a, b):
        return self._r.randint(a, b)

    def gauss(self):
        return self._r.gauss(0.0, 1.0)

    def random(self):
        return self._r.random()


def make_speakers(seed):
    """Speaker table per split: list of dicts (id, voice, variant, accent, gender, age, pitch, rate)."""
    out = {}
    for split, variants in VARIANTS.items():
        rng = Rng(seed, "speakers", split)
        spk = []
        for vi, (var, gender, age) in enumerate(variants):
            for j in range(SPEAKERS_PER_VARIANT[split]):
                accent = ACCENTS[(vi + 2 * j + (1 if split != "train" else 0)) % len(ACCENTS)]
                pitch = rng.randint(36, 52) if j == 0 else rng.randint(53, 68)
                rate = rng.randint(150, 185)
                if age == "old":
                    rate = int(round(rate * OLD_RATE_FACTOR))
                sid = "%s_%s_%s%d" % (split[:2], var.lower(), accent.replace("-", ""), j)
                spk.append({"id": sid, "voice": accent + "+" + var, "variant": var, "accent": accent,
                            "gender": gender, "age": age, "pitch": pitch, "rate": rate})
        out[split] = spk
    return out


# --------------------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------------------
def norm_words(text):
    """Transcript words: lower case, letters and apostrophes only."""
    return re.sub(r"[^a-z' ]+", " ", text.lower().replace("-", " ")).split()


def norm_text(text):
    return " ".join(norm_words(text))


def fix_articles(text):
    return re.sub(r"\b([Aa]) (?=[aeiouAEIOU])", lambda m: m.group(1) + "n ", text)


def spoken(text):
    text = fix_articles(text)
    return text[0].upper() + text[1:]


class Chooser:
    """Picks template/slot values; for dev/test it prefers values whose words were seen in training."""

    def __init__(self, rng, vocab=None, facts=None):
        self.rng, self.vocab, self.facts = rng, vocab, facts

    def pick(self, options):
        if self.vocab is not None:
            seen = [o for o in options if all(w in self.vocab for w in norm_words(fill_plain(o)))]
            if seen:
                options = seen
        return self.rng.choice(options)

    def pick_fact(self, kind, subjects):
        if self.facts is not None:
            seen = [s for s in subjects if (kind, s) in self.facts]
            if seen:
                subjects = seen
        return self.rng.choice(subjects)


def fill_plain(template):
    return re.sub(r"\{[a-z0-9]+\}", " ", template)


def fill(template, ch):
    def sub(m):
        return ch.pick(SLOTS[m.group(1)])
    return re.sub(r"\{([a-z0-9]+)\}", sub, template)


def article(x):
    return "an" if x[0] in "aeiou" else "a"


def make_question(ch, c):
    """STTC item number c: (spoken question, answer text, fact dict). Training cycles the fact kinds
    so every kind is covered even in small corpora; dev/test draw kinds at random."""
    kinds = sorted(STTC_QUESTIONS)
    kind = kinds[c % len(kinds)] if ch.vocab is None else ch.rng.choice(kinds)
    tmpl = ch.pick(STTC_QUESTIONS[kind])
    if kind in ("add", "sub", "mul"):
        pairs = [(a, b) for a in range(1, 11) for b in range(1, 11)
                 if (kind == "add" and a + b <= 20) or (kind == "sub" and a > b)
                 or (kind == "mul" and a * b <= 20 and a > 1 and b > 1)]
        if ch.vocab is not None:
            known = [p for p in pairs if all(NUMBER_WORDS[v] in ch.vocab for v in p + (op(kind, *p),))]
            pairs = known or pairs
        a, b = ch.rng.choice(pairs)
        value = op(kind, a, b)
        q = tmpl.format(a=NUMBER_WORDS[a], b=NUMBER_WORDS[b])
        word = {"add": "plus", "sub": "minus", "mul": "times"}[kind]
        ans = "%s %s %s is %s" % (NUMBER_WORDS[a], word, NUMBER_WORDS[b], NUMBER_WORDS[value])
        fact = {"kind": kind, "a": a, "b": b, "value": value}
    elif kind == "colour":
        x = ch.pick_fact(kind, sorted(FRUIT_COLOUR))
        q = tmpl.format(art=article(x), x=x)
        ans = "%s %s is %s" % (article(x), x, FRUIT_COLOUR[x])
        fact = {"kind": kind, "subject": x, "value": FRUIT_COLOUR[x]}
    elif kind == "legs":
        x = ch.pick_fact(kind, sorted(ANIMAL_LEGS))
        q = tmpl.format(art=article(x), x=x)
        ans = "%s %s has %s legs" % (article(x), x, NUMBER_WORDS[ANIMAL_LEGS[x]])
        fact = {"kind": kind, "subject": x, "value": ANIMAL_LEGS[x]}
    elif kind == "capital":
        x = ch.pick_fact(kind, sorted(CAPITALS))
        q = tmpl.format(x=x)
        ans = "the capital of %s is %s" % (x, CAPITALS[x])
        fact = {"kind": kind, "subject": x, "value": CAPITALS[x]}
    else:
        x = ch.pick_fact(kind, WEEKDAYS)
        nxt = WEEKDAYS[(WEEKDAYS.index(x) + 1) % 7]
        q = tmpl.format(x=x)
        ans = "the day after %s is %s" % (x, nxt)
        fact = {"kind": kind, "subject": x, "value": nxt}
    return q, ans, fact


def op(kind, a, b):
    return a + b if kind == "add" else a - b if kind == "sub" else a * b


def fact_ids(fact):
    """Facts a test STTC item relies on: table facts by subject, arithmetic by operation + operands."""
    if fact["kind"] in ("add", "sub", "mul"):
        return {(fact["kind"], "op")} | {("operand", fact["a"]), ("operand", fact["b"])}
    return {(fact["kind"], fact["subject"])}


# --------------------------------------------------------------------------------------------------
# Planning: everything random is decided here, in the parent, from (seed, split, index).
# --------------------------------------------------------------------------------------------------
def plan_text(task, label, cue, ch, c):
    """Returns (spoken text, answer or None, fact or None)."""
    if task == "STTC":
        q, a, f = make_question(ch, c)
        return spoken(q), a, f
    if task == "SER":
        pool = EMOTION_TEMPLATES[label] if cue else NEUTRAL_TEMPLATES
    elif task == "SSR":
        pool = STYLE_TEMPLATES[label] if cue else NEUTRAL_TEMPLATES
    elif task == "ASR":
        # ASR mixes all text pools so that every word of every pool is trained on.
        pools = [NEUTRAL_TEMPLATES] + [EMOTION_TEMPLATES[e] for e in EMOTIONS[1:]] + \
            [STYLE_TEMPLATES[s] for s in STYLES]
        pool = ch.rng.choice(pools)
    else:
        pool = NEUTRAL_TEMPLATES
    return spoken(fill(ch.pick(pool), ch)), None, None


def plan_split(split, n, seed, speakers, seen=None, fallbacks=None):
    """Plans n items. seen = None for train, else dict(vocab, facts, transcripts) to stay out of.
    Indices of dev/test items that had to drop their text cue are appended to fallbacks."""
    items, counters = [], {t: 0 for t, _ in TASKS}
    fallbacks = [] if fallbacks is None else fallbacks
    for i in range(n):
        task, tag = TASKS[i % len(TASKS)]
        c = counters[task]
        counters[task] += 1
        rng = Rng(seed, split, i)
        label, cue, event, event_pos = None, None, None, None
        emotion, style = "neutral", None
        pool = speakers
        if task == "SER":
            label = emotion = EMOTIONS[c % len(EMOTIONS)]
            cue = (c // len(EMOTIONS)) % 2 == 0           # half the items: neutral text
        elif task == "SSR":
            label = style = STYLES[c % len(STYLES)]
            emotion = None
            cue = (c // len(STYLES)) % 4 != 3              # a quarter: neutral text
        elif task == "VED":
            label = event = EVENTS[c % len(EVENTS)]
            event_pos = "before" if (c // len(EVENTS)) % 2 == 0 else "after"
        elif task == "SGC":
            label = GENDERS[c % 2]
            pool = [s for s in speakers if s["gender"] == label and s["age"] != "child"]
        elif task == "SAP":
            label = AGES[c % 3]
            pool = [s for s in speakers if s["age"] == label]
        elif task == "ASR" and rng.random() < 0.2:         # some ASR items carry an unlabelled event
            event = rng.choice(EVENTS)
            event_pos = rng.choice(["before", "after"])
        spk = rng.choice(pool)
        for attempt in range(MAX_PLAN_TRIES):
            if attempt == MAX_PLAN_TRIES // 2 and cue and task in ("SER", "SSR"):
                # Small corpora: the label's own sentences may have no unseen in-vocabulary variant
                # left; fall back to a neutral sentence (recorded as text_cue false, counted below).
                cue = False
                fallbacks.append(i)
            ch = Chooser(rng, None if seen is None else seen["vocab"],
                         None if seen is None else seen["facts"])
            text, answer, fact = plan_text(task, label, cue, ch, c)
            transcript = norm_text(text)
            if seen is None:
                break
            words = norm_words(text) + (norm_words(answer) if answer else [])
            ok = transcript not in seen["transcripts"] and all(w in seen["vocab"] for w in words)
            if fact is not None:
                ok = ok and fact_ids(fact) <= seen["facts"]
            if ok:
                seen["transcripts"].add(transcript)
                break
        else:
            raise SystemExit("make_corpus: could not plan %s item %d (%s) with all words and facts seen "
                             "in training and an unseen transcript after %d tries; use a larger --train"
                             % (split, i, task, MAX_PLAN_TRIES))
        prosody = EMOTION_PROSODY[emotion] if emotion else STYLE_PROSODY[style]
        dp, rf, rng_range, vol, gap = prosody
        item = {
            "key": "synth_%s_%05d" % (split, i), "split": split, "task": task, "tag": tag,
            "label": label, "text": text, "transcript": transcript, "answer": answer, "fact": fact,
            "speaker": spk, "emotion": emotion, "style": style, "text_cue": cue,
            "event": event, "event_pos": event_pos,
            "synth": {"voice": spk["voice"], "pitch": max(0, min(99, spk["pitch"] + dp)),
                      "rate": int(round(spk["rate"] * rf)), "range": rng_range, "volume": vol,
                      "wordgap": gap},
            "lead_s": rng.uniform(0.10, 0.30), "tail_s": rng.uniform(0.10, 0.30),
            "gap_s": rng.uniform(0.15, 0.40), "noise_db": rng.uniform(-62, -50),
            "noise_seed": "%s/%s/%d/noise" % (seed, split, i),
            "event_params": event_params(event, rng) if event else None,
        }
        items.append(item)
    return items


def seen_from(items):
    vocab, facts, transcripts = set(), set(), set()
    for it in items:
        vocab.update(norm_words(it["text"]))
        if it["answer"]:
            vocab.update(norm_words(it["answer"]))
        if it["fact"]:
            facts |= fact_ids(it["fact"])
        transcripts.add(it["transcript"])
    return {"vocab": vocab, "facts": facts, "transcripts": transcripts}


# --------------------------------------------------------------------------------------------------
# Vocal events (sox sound-alikes; shared/synthdata.md §2.1), randomized around the measured recipes.
# --------------------------------------------------------------------------------------------------
def event_params(event, rng):
    s = rng.uniform(0.8, 1.2)        # duration scale
    f = rng.uniform(0.85, 1.15)      # frequency scale
    return {"s": s, "f": f, "n": rng.randint(1, 3), "variant": rng.randint(0, 1)}


def event_parts(event, p):
    """List of (sox synth/effect args, pad after part in s) building one event."""
    s, f = p["s"], p["f"]

    def d(x):
        return "%.3f" % (x * s)

    def hz(x):
        return "%d" % round(x * f)
    if event == "cough":
        parts = []
        for k in range(p["n"]):
            dur = 0.22 - 0.03 * k
            parts.append((["synth", d(dur), "pinknoise", "gain", "-6", "fade", "q", "0.005", d(dur),
                           d(dur * 0.8), "bandpass", hz(900 - 150 * k), "0.8q", "gain", "-n",
                           str(-4 - 3 * k)], 0.12 * s))
        return parts
    if event == "laugh":
        return [(["synth", d(1.2), "sawtooth", "%s-%s" % (hz(300), hz(220)), "synth", "sine", "amod",
                  "%.2f" % (5 * f), "0", "gain", "-n", "-3", "bandpass", "1100", "1.2q", "lowpass",
                  "3500", "fade", "q", "0.02", d(1.2), "0.2", "gain", "-n", "-3"], 0)]
    if event == "cry":
        return [(["synth", d(1.6), "sawtooth", "%s-%s" % (hz(450), hz(330)), "synth", "sine", "fmod",
                  "6", "0", "synth", "sine", "amod", "1.5", "0", "bandpass", "1200", "1q", "fade", "q",
                  "0.1", d(1.6), "0.4", "gain", "-n", "-3"], 0)]
    if event == "screaming":
        return [(["synth", d(1.0), "sawtooth", "%s-%s" % (hz(950), hz(1100)), "synth", "sine", "fmod",
                  "8", "0", "gain", "-6", "bandpass", "2000", "0.7q", "overdrive", "10", "fade", "q",
                  "0.05", d(1.0), "0.2", "gain", "-n", "-1"], 0)]
    if event == "sigh":
        return [(["synth", d(1.1), "brownnoise", "synth", "pinknoise", "mix", "gain", "-6", "lowpass",
                  "1800", "fade", "h", d(0.35), d(1.1), d(0.6), "gain", "-n", "-12"], 0)]
    if event == "throat clearing":
        return [(["synth", d(0.5), "brownnoise", "synth", "sine", "amod", "%.1f" % (25 * f), "0",
                  "gain", "-6", "bandpass", "400", "1q", "fade", "q", "0.03", d(0.5), "0.15", "gain",
                  "-n", "-5"], 0)]
    if event == "sneeze":
        return [(["synth", d(0.35), "sawtooth", "%s-%s" % (hz(250), hz(400)), "bandpass", "800", "1q",
                  "fade", "q", "0.1", d(0.35), "0.05", "gain", "-n", "-8"], 0),
                (["synth", d(0.25), "whitenoise", "gain", "-6", "highpass", "2500", "fade", "q", "0.003",
                  d(0.25), d(0.2), "gain", "-n", "-2"], 0)]
    if event == "other":
        if p["variant"] == 0:   # beep
            return [(["synth", d(0.3), "sine", hz(1000), "fade", "q", "0.01", d(0.3), "0.01", "gain",
                      "-n", "-6"], 0)]
        return [(["synth", "0.012", "whitenoise", "gain", "-6", "bandpass", "2000", "0.5q", "fade", "q",
                  "0.001", "0.012", "0.01", "gain", "-n", "-3"], 0.23 * s)] * 4   # hand claps
    raise ValueError("unknown event class %r" % event)


SOX_RAW_OUT = ["-r", str(SR), "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", "-"]


def run_sox(args, stdin=None):
    r = subprocess.run(["sox", "-D", "-R"] + args, input=stdin, capture_output=True)
    if r.returncode != 0:
        raise RuntimeError("sox %s failed: %s" % (" ".join(args), r.stderr.decode(errors="replace")))
    a = array.array("h")
    a.frombytes(r.stdout)
    return a


def synth_event(event, params):
    out = array.array("h")
    for args, pad in event_parts(event, params):
        out.extend(run_sox(["-n"] + SOX_RAW_OUT + args))
        out.extend(array.array("h", bytes(2 * int(round(pad * SR)))))
    return out


# --------------------------------------------------------------------------------------------------
# libespeak-ng binding and exact word times (shared/synthdata.md §3.2). Runs in a fresh worker only.
# --------------------------------------------------------------------------------------------------
EV_WORD, EV_END, EV_PHONEME = 1, 5, 7
P_RATE, P_VOLUME, P_PITCH, P_RANGE, P_WORDGAP = 1, 2, 3, 4, 7


class _IdU(C.Union):
    _fields_ = [("number", C.c_int), ("name", C.c_char_p), ("string", C.c_char * 8)]


class _Event(C.Structure):
    _fields_ = [("type", C.c_int), ("unique_identifier", C.c_uint), ("text_position", C.c_int),
                ("length", C.c_int), ("audio_position", C.c_int), ("sample", C.c_int),
                ("user_data", C.c_void_p), ("id", _IdU)]


_CB = C.CFUNCTYPE(C.c_int, C.POINTER(C.c_short), C.c_int, C.POINTER(_Event))


def espeak_synth(text, synth, data_root):
    """Synthesizes text; returns (int16 samples at 22.05 kHz, events, lib). Call once per process."""
    lib = C.CDLL("libespeak-ng.so.1")
    if lib.espeak_Initialize(2, 0, data_root.encode(), 1) != ESPEAK_SR:
        raise RuntimeError("espeak_Initialize failed (data root %s)" % data_root)
    pcm, events = [], []

    def cb(wav, n, ev):
        if n > 0:
            pcm.append(C.string_at(wav, 2 * n))
        k = 0
        while ev[k].type != 0:
            e = ev[k]
            name = e.id.string.decode("ascii", "replace") if e.type == EV_PHONEME else ""
            events.append((e.type, e.text_position, e.length, e.audio_position, name))
            k += 1
        return 0
    cbf = _CB(cb)
    lib.espeak_SetSynthCallback(cbf)
    if lib.espeak_SetVoiceByName(synth["voice"].encode()) != 0:
        raise RuntimeError("espeak voice %r not available" % synth["voice"])
    for pid, key in ((P_RATE, "rate"), (P_VOLUME, "volume"), (P_PITCH, "pitch"), (P_RANGE, "range"),
                     (P_WORDGAP, "wordgap")):
        lib.espeak_SetParameter(pid, int(synth[key]), 0)
    b = text.encode("utf-8")
    lib.espeak_Synth(b, len(b) + 1, 0, 1, 0, 0, None, None)
    lib.espeak_Synchronize()
    samples = array.array("h")
    samples.frombytes(b"".join(pcm))
    return samples, events, lib


def phoneme_count(lib, word):
    lib.espeak_TextToPhonemes.restype = C.c_char_p
    buf = C.create_string_buffer(word.encode("utf-8"))
    ptr = C.c_void_p(C.addressof(buf))
    res = lib.espeak_TextToPhonemes(C.byref(ptr), 0, ord(" ") << 8) or b""
    return max(1, len(res.split()))


def word_times(text, events, lib, total_ms):
    """[(word, start_s, end_s, exact)] for the whitespace tokens of text, from WORD/PHONEME events."""
    b = text.encode("utf-8")
    toks = [(m.start(), m.group().decode("utf-8")) for m in re.finditer(rb"\S+", b)]
    wev = [e for e in events if e[0] == EV_WORD and e[2] > 0 and e[1] > 0]
    pauses = sorted(e[3] for e in events if e[0] == EV_PHONEME and e[4].startswith("_"))
    phones = [e[3] for e in events if e[0] == EV_PHONEME and not e[4].startswith("_") and e[4]]
    ends = sorted(e[3] for e in events if e[0] == EV_END)
    owner = []
    for start, _ in toks:
        k = next((j for j, e in enumerate(wev) if e[1] - 1 <= start < e[1] - 1 + e[2]), None)
        owner.append(k)
    for i in range(len(owner)):       # tokens without an event join their neighbour
        if owner[i] is None:
            owner[i] = owner[i - 1] if i > 0 else next((o for o in owner if o is not None), None)
    if any(o is None for o in owner):
        raise RuntimeError("no WORD events for %r" % text)
    used = sorted(set(owner))
    spans = {}
    for n, k in enumerate(used):
        a = wev[k][3]
        nxt = wev[used[n + 1]][3] if n + 1 < len(used) else total_ms
        cand = [nxt, total_ms] + [p for p in pauses if p > a][:1] + [e for e in ends if e > a][:1]
        spans[k] = (a, max(a + 1, min(cand)))
    out = []
    for k in used:
        idx = [i for i, o in enumerate(owner) if o == k]
        a, e = spans[k]
        words = [norm_text(toks[i][1]) for i in idx]
        if len(idx) == 1:
            out.append((words[0], a, e, True))
            continue
        # espeak merged several tokens into one WORD event: split at phoneme boundaries from the end.
        ph = [t for t in phones if a <= t < e]
        counts = [phoneme_count(lib, w) for w in words]
        starts, pos = [a] * len(words), len(ph)
        ok = True
        for j in range(len(words) - 1, 0, -1):
            pos -= counts[j]
            if pos < 1:
                ok = False
                break
            starts[j] = ph[pos]
        if not ok:        # fall back to character proportions
            total = sum(len(w) for w in words)
            acc = 0
            for j, w in enumerate(words):
                starts[j] = a + (e - a) * acc / total
                acc += len(w)
        for j, w in enumerate(words):
            out.append((w, starts[j], starts[j + 1] if j + 1 < len(words) else e, False))
    return [(w, s / 1000.0, t / 1000.0, x) for w, s, t, x in out if w]


def speech_16k(text, synth, data_root):
    """(16 kHz int16 speech, [(word, start, end, exact)]) with the trailing pause trimmed."""
    samples, events, lib = espeak_synth(text, synth, data_root)
    total_ms = 1000.0 * len(samples) / ESPEAK_SR
    words = word_times(text, events, lib, total_ms)
    keep = min(len(samples), int(round((words[-1][2] + TRIM_AFTER_LAST_WORD_S) * ESPEAK_SR)))
    raw = samples[:keep].tobytes()
    out = run_sox(["-t", "raw", "-r", str(ESPEAK_SR), "-e", "signed-integer", "-b", "16", "-c", "1",
                   "-"] + SOX_RAW_OUT + ["gain", "-1", "rate", "-h", str(SR)], stdin=raw)
    return out, words


# --------------------------------------------------------------------------------------------------
# Worker: one utterance, fresh process
# --------------------------------------------------------------------------------------------------
def silence(seconds):
    return array.array("h", bytes(2 * int(round(seconds * SR))))


def add_noise(pcm, db, seed):
    """Adds a low-passed Gaussian noise floor (RMS = db dBFS) so silence is not digital zero."""
    rng = Rng(seed)
    amp = 32768.0 * 10 ** (db / 20.0) * math.sqrt(1 - 0.9 ** 2)   # AR(1) pole 0.9 -> unit variance
    y, out = 0.0, array.array("h", pcm)
    for i in range(len(out)):
        y = 0.9 * y + rng.gauss()
        v = out[i] + int(round(amp * y))
        out[i] = 32767 if v > 32767 else -32768 if v < -32768 else v
    return out


def f0_median(pcm, spans):
    """Rough autocorrelation F0 (Hz) over frames inside word spans; None when nothing is voiced."""
    x = pcm[::2]                       # 8 kHz is enough for 70-500 Hz
    fs, win = SR // 2, 256
    lo, hi = fs // 500, fs // 70
    frames = []
    for s, e in spans:
        a, b = int(s * fs), int(e * fs) - win - hi
        frames.extend(range(a, b, 400) if b > a else [])
    f0s = []
    for st in frames[:: max(1, len(frames) // 24)]:
        seg = [float(v) for v in x[st:st + win + hi]]
        if len(seg) < win + hi:
            continue
        r0 = sum(map(operator.mul, seg[:win], seg[:win]))
        if r0 < win * 200.0 ** 2:     # too quiet to be voiced
            continue
        best, lag = 0.0, 0
        for L in range(lo, hi):
            r = sum(map(operator.mul, seg[:win], seg[L:L + win]))
            if r > best:
                best, lag = r, L
        if lag and best / r0 > 0.5:
            f0s.append(fs / lag)
    return round(sorted(f0s)[len(f0s) // 2], 1) if f0s else None


def write_audio(path, pcm, flac):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    if flac:
        r = subprocess.run(["flac", "-s", "--best", "--no-padding", "--force-raw-format",
                            "--endian=little", "--sign=signed", "--channels=1", "--bps=16",
                            "--sample-rate=%d" % SR, "-f", "-o", tmp, "-"], input=pcm.tobytes(),
                           capture_output=True)
        if r.returncode != 0:
            raise RuntimeError("flac failed for %s: %s" % (path, r.stderr.decode(errors="replace")))
    else:
        with wave.open(tmp, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(SR)
            w.writeframes(pcm.tobytes())
    os.replace(tmp, path)


def render_item(job):
    """Worker entry: synthesizes one planned item and writes its audio; returns its measured extras."""
    item, out_dir, data_root, flac, noise = job
    speech, words = speech_16k(item["text"], item["synth"], data_root)
    pcm = silence(item["lead_s"])
    ev_span = None
    ev = synth_event(item["event"], item["event_params"]) if item["event"] else None
    if ev is not None and item["event_pos"] == "before":
        ev_span = [len(pcm) / SR, (len(pcm) + len(ev)) / SR]
        pcm.extend(ev)
        pcm.extend(silence(item["gap_s"]))
    offset = len(pcm) / SR
    pcm.extend(speech)
    speech_span = [offset, len(pcm) / SR]
    if ev is not None and item["event_pos"] == "after":
        pcm.extend(silence(item["gap_s"]))
        ev_span = [len(pcm) / SR, (len(pcm) + len(ev)) / SR]
        pcm.extend(ev)
    pcm.extend(silence(item["tail_s"]))
    if noise:
        pcm = add_noise(pcm, item["noise_db"], item["noise_seed"])
    words = [[w, round(s + offset, 3), round(e + offset, 3), x] for w, s, e, x in words]
    a, b = int(speech_span[0] * SR), int(speech_span[1] * SR)
    seg = pcm[a:b]
    rms = math.sqrt(sum(v * v for v in seg) / max(1, len(seg))) / 32768.0
    ext = "flac" if flac else "wav"
    rel = "wav/%s/%s.%s" % (item["split"], item["key"], ext)
    write_audio(os.path.join(out_dir, rel), pcm, flac)
    return {"key": item["key"], "wav": rel, "words": words, "duration": round(len(pcm) / SR, 3),
            "speech_span": [round(v, 3) for v in speech_span],
            "event_span": [round(v, 3) for v in ev_span] if ev_span else None,
            "rms_dbfs": round(20 * math.log10(max(rms, 1e-9)), 2),
            "peak": round(max(abs(min(pcm)), max(pcm)) / 32768.0, 4),
            "f0_hz": f0_median(pcm, [(w[1], w[2]) for w in words])}


def render_speech(job):
    """Worker entry for fixtures: returns (16 kHz int16 bytes, words)."""
    text, synth, data_root = job
    pcm, words = speech_16k(text, synth, data_root)
    return pcm.tobytes(), words


def run_pool(fn, jobs, n_jobs):
    """One fresh process per job (maxtasksperchild=1) keeps libespeak-ng output byte-reproducible."""
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes=max(1, n_jobs), maxtasksperchild=1) as pool:
        return list(pool.imap(fn, jobs, chunksize=1))


# --------------------------------------------------------------------------------------------------
# espeak data root with our custom variant files (no root needed: symlinks into the system data)
# --------------------------------------------------------------------------------------------------
def system_espeak_data():
    try:
        out = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True).stdout
    except FileNotFoundError:
        raise SystemExit("make_corpus: espeak-ng not found (apt-get install espeak-ng sox flac)")
    m = re.search(r"Data at:\s*(\S+)", out)
    if not m or not os.path.isdir(m.group(1)):
        raise SystemExit("make_corpus: cannot locate espeak-ng-data from 'espeak-ng --version': %r" % out)
    return m.group(1)


def make_data_root(tmp):
    """tmp/espeak-ng-data = the system data with voices/!v extended by data/synth/voices/*."""
    src = system_espeak_data()
    dst = os.path.join(tmp, "espeak-ng-data")
    os.makedirs(os.path.join(dst, "voices", "!v"))
    for n in os.listdir(src):
        if n != "voices":
            os.symlink(os.path.join(src, n), os.path.join(dst, n))
    for n in os.listdir(os.path.join(src, "voices")):
        if n != "!v":
            os.symlink(os.path.join(src, "voices", n), os.path.join(dst, "voices", n))
    for n in os.listdir(os.path.join(src, "voices", "!v")):
        os.symlink(os.path.join(src, "voices", "!v", n), os.path.join(dst, "voices", "!v", n))
    for n in CUSTOM_VARIANTS:
        shutil.copyfile(os.path.join(VOICE_DIR, n), os.path.join(dst, "voices", "!v", n))
    return tmp


def check_tools():
    missing = [t for t in ("espeak-ng", "sox", "flac") if shutil.which(t) is None]
    try:
        C.CDLL("libespeak-ng.so.1")
    except OSError:
        missing.append("libespeak-ng.so.1")
    if missing:
        raise SystemExit("make_corpus: missing %s (apt-get install espeak-ng sox flac)" % ", ".join(missing))


def tool_versions():
    def first(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"
    return {"espeak-ng": first(["espeak-ng", "--version"]).split("  Data")[0],
            "sox": first(["sox", "--version"]).split()[-1], "flac": first(["flac", "--version"]),
            "python": "%d.%d" % sys.version_info[:2]}


# --------------------------------------------------------------------------------------------------
# Outputs: jsonl lists, manifest, data card
# --------------------------------------------------------------------------------------------------
def srwt_text(words):
    """`<s.s>word<e.e>` per word at 0.1 s resolution, single spaces between words."""
    def tenths(x):                      # half-up on integer milliseconds (no binary-float ties)
        return (int(round(x * 1000)) + 50) // 100
    parts, prev = [], 0
    for w, s, e, _ in words:
        a = max(tenths(s), prev)        # keep spans monotone after rounding
        b = max(tenths(e), a + 1)       # every word gets at least 0.1 s
        parts.append("<%d.%d>%s<%d.%d>" % (a // 10, a % 10, w, b // 10, b % 10))
        prev = b
    return " ".join(parts)


def target_text(item, res):
    t = item["transcript"]
    task = item["task"]
    if task == "ASR":
        return t
    if task == "SRWT":
        return srwt_text(res["words"])
    if task == "STTC":
        return t + STTC_SEP + item["answer"].lower()
    return t + "<%s>" % item["label"].lower()


def list_entry(item, res):
    spk = item["speaker"]
    extra = {
        "speaker": spk["id"], "gender": spk["gender"], "age": spk["age"],
        "emotion": item["emotion"], "style": item["style"], "event": item["event"],
        "event_pos": item["event_pos"], "event_span": res["event_span"],
        "text_cue": item["text_cue"], "transcript": item["transcript"],
        "words": res["words"], "speech_span": res["speech_span"], "duration": res["duration"],
        # not "question": OSUM treats extra.question as a prompt override at inference.
        "qa": {"question": item["transcript"], "answer": item["answer"], "fact": item["fact"]}
        if item["task"] == "STTC" else None,
        "synth": dict(item["synth"], accent=spk["accent"], variant=spk["variant"]),
        "measured": {"rms_dbfs": res["rms_dbfs"], "peak": res["peak"], "f0_hz": res["f0_hz"]},
        "label_kind": "synthetic-proxy",
    }
    return {"key": item["key"], "wav": res["wav"], "txt": target_text(item, res), "task": item["tag"],
            "extra": extra}


def atomic_write(path, text):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, path)


def md5(path):
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def mean(xs):
    xs = [x for x in xs if x is not None]
    return sum(xs) / len(xs) if xs else float("nan")


def data_card(args, lists, speakers, versions):
    L = []
    w = L.append
    total = sum(len(v) for v in lists.values())
    hours = sum(e["extra"]["duration"] for v in lists.values() for e in v) / 3600
    w("# Synthetic multi-task corpus (osum4j) -- data card (generated, do not edit)\n")
    w("Reproduce: `python3 data/synth/make_corpus.py --out DIR --seed %d --train %d --dev %d --test %d%s%s` "
      "(any --jobs). %d utterances, %.2f h of audio, 16 kHz 16-bit mono %s.\n"
      % (args.seed, args.train, args.dev, args.test, " --flac" if args.flac else "",
         " --no-noise" if args.no_noise else "", total, hours, "FLAC" if args.flac else "WAV"))
    w("Tools: %s. Byte-identical on rerun with the same seed and the same tool versions.\n"
      % ", ".join("%s = %s" % kv for kv in sorted(versions.items())))
    w("**This is synthetic formant speech (espeak-ng). Every label is a synthesis setting, not a human "
      "judgement; do not quote results on it as real-speech numbers.**\n")
    w("## Files\n")
    w("- `train.jsonl`, `dev.jsonl`, `test.jsonl`: OSUM raw data lists (one JSON object per line: `key`, "
      "`wav` (relative to this folder), `txt` (full target), `task` (tag), `extra`).")
    w("- `manifest.json`: seed, arguments, tool versions, speaker table, md5 of every file.")
    w("- `extra`: speaker, gender, age, emotion, style, event, event_pos, event_span, text_cue, transcript, "
      "words `[[word, start_s, end_s, exact]]`, speech_span, duration, qa (STTC: question, answer, fact), "
      "synth (voice, pitch, rate, range, volume, wordgap, accent, variant), measured (rms_dbfs, peak, "
      "f0_hz). STTC data sit in `extra.qa`, not `extra.question`, because OSUM reads `extra.question` "
      "as a prompt override.\n")
    w("## Target format\n")
    w("- ASR `<TRANSCRIBE>`: lower-case transcript (letters and apostrophes, single spaces).")
    w("- ASR+X (`<EMOTION>`, `<STYLE>`, `<CAPTION>`, `<GENDER>`, `<AGE>`): transcript immediately "
      "followed by `<label>`, e.g. `the red cup is on the shelf<happy>`.")
    w("- SRWT `<TRANSCRIBE> <ALIGN>`: `<s.s>word<e.e>` per word (0.1 s, rounded; end forced > start), "
      "single spaces, e.g. `<0.3>hello<0.7> <0.8>world<1.2>`.")
    w("- STTC `<TRANSCRIBE> <S2TCHAT>`: `transcript<开始回答>answer`.\n")
    w("## What each label means acoustically\n")
    w("| label set | how it is produced | measured here (speech span, means; F0 = rough autocorrelation) |")
    w("|---|---|---|")
    allx = [e for v in lists.values() for e in v]

    # Speaker means, so that emotion/style effects can be shown relative to the same voice.
    spk_f0, spk_db = {}, {}
    for e in allx:
        m = e["extra"]["measured"]
        if m["f0_hz"]:
            spk_f0.setdefault(e["extra"]["speaker"], []).append(m["f0_hz"])
        spk_db.setdefault(e["extra"]["speaker"], []).append(m["rms_dbfs"])

    def stats(sel, relative=False):
        es = [e for e in allx if sel(e)]
        if not es:
            return "n=0"
        wps = mean([len(e["extra"]["words"]) / max(0.1, e["extra"]["speech_span"][1]
                                                   - e["extra"]["speech_span"][0]) for e in es])
        out = "n=%d, F0 %.0f Hz, %.1f dBFS, %.2f words/s" % (
            len(es), mean([e["extra"]["measured"]["f0_hz"] for e in es]),
            mean([e["extra"]["measured"]["rms_dbfs"] for e in es]), wps)
        if relative:
            f0r = mean([e["extra"]["measured"]["f0_hz"] / mean(spk_f0[e["extra"]["speaker"]])
                        for e in es if e["extra"]["measured"]["f0_hz"]])
            dbr = mean([e["extra"]["measured"]["rms_dbfs"] - mean(spk_db[e["extra"]["speaker"]]) for e in es])
            out += "; vs own speaker mean: F0 x%.2f, %+.1f dB" % (f0r, dbr)
        return out
    for g in GENDERS:
        w("| gender %s | voice variant file (m*/klatt-like male, f*/Annie/linda/steph/belinda/Andrea "
          "female); children keep a nominal gender and are never used for `<GENDER>` | adults: %s |"
          % (g, stats(lambda e, g=g: e["extra"]["gender"] == g and e["extra"]["age"] != "child")))
    age_how = {"child": "variant zac or custom childa/b/c (F0 ~240-400 Hz, all formants x1.3-1.45)",
               "adult": "stock adult variants, rate 150-185 wpm",
               "old": "variants m1/grandpa/f1/croak/grandma or custom oldm/oldf (jitter, roughness) at "
                      "rate x%.1f; F0 is adult-like, so this cue is WEAK" % OLD_RATE_FACTOR}
    for a in AGES:
        w("| age %s | %s | %s |" % (a, age_how[a], stats(lambda e, a=a: e["extra"]["age"] == a)))
    for em in EMOTIONS:
        dp, rf, rg, vol, gap = EMOTION_PROSODY[em]
        w("| emotion %s | prosody: pitch %+d, rate x%.2f, range %d, volume %d%s | SER items: %s |"
          % (em, dp, rf, rg, vol, "" if em != "neutral" else " (also all ASR/SRWT/SGC/SAP/VED/STTC items)",
             stats(lambda e, em=em: e["task"] == "<TRANSCRIBE> <EMOTION>" and e["extra"]["emotion"] == em,
                   True)))
    for st in STYLES:
        dp, rf, rg, vol, gap = STYLE_PROSODY[st]
        w("| style %s (%s) | genre text + prosody: pitch %+d, rate x%.2f, range %d, volume %d, word gap "
          "%d ms | %s |" % (st, STYLE_EN[st], dp, rf, rg, vol, 10 * gap,
                             stats(lambda e, st=st: e["extra"]["style"] == st, True)))
    ev_how = {"laugh": "falling sawtooth ~300->220 Hz gated at ~5 Hz, band-passed (ha-ha pulses)",
              "cough": "1-3 band-passed pink-noise bursts with fast attack",
              "cry": "wailing sawtooth ~450->330 Hz with a 1.5 Hz swell",
              "screaming": "loud overdriven sawtooth ~950->1100 Hz",
              "sigh": "breathy low-passed brown+pink noise with slow fades",
              "throat clearing": "low band-passed noise pulsed at ~25 Hz",
              "sneeze": "rising voiced 'ah' then sharp high-passed noise 'choo'",
              "other": "a 1 kHz beep or four hand-clap-like noise clicks"}
    for ev in EVENTS:
        w("| event %s | sox sound-alike placed 0.15-0.4 s before or after the speech: %s | %d items |"
          % (ev, ev_how[ev], sum(1 for e in allx if e["extra"]["event"] == ev)))
    w("\nEmotion and style are prosody proxies (pitch, range, rate, loudness, word gaps), not real affect. "
      "Emotion `other` is not generated (no honest proxy). Half of the SER items (`text_cue: false`) use "
      "neutral sentences, so their label is only in the audio; for style a quarter use neutral "
      "sentences (style is mostly lexical, as in OSUM's own data). For `neutral` both halves draw from "
      "the same neutral sentences. Vocal events are synthetic sound-alikes; ~20%% of ASR items also "
      "carry an unlabelled event. A noise floor (AR(1) Gaussian, -62..-50 dBFS) is %s. F0 is a rough "
      "autocorrelation estimate (octave errors possible, whispery/rough voices under-detected).\n"
      % ("omitted (--no-noise)" if args.no_noise else "added"))
    w("## Splits and leakage checks\n")
    vocab_tr = set()
    facts_tr = set()
    for e in lists["train"]:
        vocab_tr.update(e["extra"]["transcript"].split())
        if e["extra"]["qa"]:
            vocab_tr.update(norm_words(e["extra"]["qa"]["answer"]))
            facts_tr |= fact_ids(e["extra"]["qa"]["fact"])
    tr_trans = {e["extra"]["transcript"] for e in lists["train"]}
    tr_spk = {e["extra"]["speaker"] for e in lists["train"]}
    w("| split | utts | hours | speakers | OOV tokens vs train | transcripts also in train | speakers "
      "also in train | STTC facts unseen in train | inexact words |")
    w("|---|---|---|---|---|---|---|---|---|")
    for split in ("train", "dev", "test"):
        es = lists[split]
        toks = [t for e in es for t in e["extra"]["transcript"].split()] + \
            [t for e in es if e["extra"]["qa"] for t in norm_words(e["extra"]["qa"]["answer"])]
        oov = sum(1 for t in toks if t not in vocab_tr)
        ws = [x for e in es for x in e["extra"]["words"]]
        unseen_f = sum(1 for e in es if e["extra"]["qa"] and not fact_ids(e["extra"]["qa"]["fact"]) <= facts_tr)
        w("| %s | %d | %.2f | %d | %s | %s | %s | %s | %.1f%% |" % (
            split, len(es), sum(e["extra"]["duration"] for e in es) / 3600,
            len({e["extra"]["speaker"] for e in es}),
            "-" if split == "train" else "%d / %d (%.2f%%)" % (oov, len(toks), 100.0 * oov / max(1, len(toks))),
            "-" if split == "train" else str(sum(1 for e in es if e["extra"]["transcript"] in tr_trans)),
            "-" if split == "train" else str(len({e["extra"]["speaker"] for e in es} & tr_spk)),
            "-" if split == "train" else str(unseen_f),
            100.0 * sum(1 for x in ws if not x[3]) / max(1, len(ws))))
    w("\nText-cue fallbacks (SER/SSR dev/test items whose label sentences had no unseen in-vocabulary "
      "variant, so a neutral sentence was used and `text_cue` is false): dev %d, test %d.\n"
      % (len(args.fallbacks["dev"]), len(args.fallbacks["test"])))
    w("\nDev/test speakers use voice variants never used in training (test: m8, belinda, Andrea, childc, "
      "croak, grandma; dev: m7, f5, steph2, childb, oldm, oldf). Dev/test transcripts are unseen in "
      "training (and in each other); every dev/test word, STTC table fact and arithmetic operand occurs "
      "in training. `exact: false` words were merged by espeak into one WORD event with a neighbour "
      "and split at a phoneme boundary.\n")
    w("## Counts per task and label\n")
    w("| task | label | train | dev | test |")
    w("|---|---|---|---|---|")
    for _, tag in TASKS:
        rows = {}
        for split in ("train", "dev", "test"):
            for e in lists[split]:
                if e["task"] != tag:
                    continue
                x = e["extra"]
                lab = {"<TRANSCRIBE> <EMOTION>": "%s (text_cue=%s)" % (x["emotion"], x["text_cue"]),
                       "<TRANSCRIBE> <STYLE>": "%s (text_cue=%s)" % (x["style"], x["text_cue"]),
                       "<TRANSCRIBE> <CAPTION>": x["event"], "<TRANSCRIBE> <GENDER>": x["gender"],
                       "<TRANSCRIBE> <AGE>": x["age"],
                       "<TRANSCRIBE> <S2TCHAT>": x["qa"]["fact"]["kind"] if x["qa"] else "-"}.get(tag, "-")
                rows.setdefault(lab, {"train": 0, "dev": 0, "test": 0})[split] += 1
        for lab in sorted(rows):
            r = rows[lab]
            w("| `%s` | %s | %d | %d | %d |" % (tag, lab, r["train"], r["dev"], r["test"]))
    w("\n## Speakers\n")
    w("| split | id | voice | gender | age | base pitch | base rate (wpm) |")
    w("|---|---|---|---|---|---|---|")
    for split in ("train", "dev", "test"):
        for s in speakers[split]:
            w("| %s | %s | %s | %s | %s | %d | %d |" % (split, s["id"], s["voice"], s["gender"], s["age"],
                                                      s["pitch"], s["rate"]))
    return "\n".join(L) + "\n"


def make_corpus(args):
    t0 = time.time()
    speakers = make_speakers(args.seed)
    train = plan_split("train", args.train, args.seed, speakers["train"])
    seen = seen_from(train)
    args.fallbacks = {"dev": [], "test": []}
    dev = plan_split("dev", args.dev, args.seed, speakers["dev"], seen, args.fallbacks["dev"])
    test = plan_split("test", args.test, args.seed, speakers["test"], seen, args.fallbacks["test"])
    os.makedirs(args.out, exist_ok=True)
    lists = {}
    with tempfile.TemporaryDirectory(prefix="osum-espeak-") as tmp:
        root = make_data_root(tmp)
        for split, items in (("train", train), ("dev", dev), ("test", test)):
            jobs = [(it, args.out, root, args.flac, not args.no_noise) for it in items]
            res = run_pool(render_item, jobs, args.jobs) if jobs else []
            lists[split] = [list_entry(it, r) for it, r in zip(items, res)]
            atomic_write(os.path.join(args.out, split + ".jsonl"),
                         "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in lists[split]))
    elapsed = time.time() - t0
    written = {e["wav"] for v in lists.values() for e in v}
    for d, _, fs in os.walk(os.path.join(args.out, "wav")):     # stale audio of an earlier run
        for f in fs:
            rel = os.path.relpath(os.path.join(d, f), args.out).replace(os.sep, "/")
            if rel not in written:
                os.remove(os.path.join(d, f))
    versions = tool_versions()
    files = sorted(os.path.relpath(os.path.join(d, f), args.out).replace(os.sep, "/")
                   for d, _, fs in os.walk(args.out) for f in fs)
    files = [f for f in files if f.startswith("wav/") or f.endswith(".jsonl")]
    manifest = {"generator": "data/synth/make_corpus.py", "seed": args.seed,
                "sizes": {"train": args.train, "dev": args.dev, "test": args.test},
                "flac": args.flac, "noise": not args.no_noise, "tools": versions,
                "speakers": speakers, "md5": {f: md5(os.path.join(args.out, f)) for f in files}}
    atomic_write(os.path.join(args.out, "manifest.json"),
                 json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    atomic_write(os.path.join(args.out, "DATA_CARD.md"), data_card(args, lists, speakers, versions))
    print("make_corpus: %d utterances in %.1f s -> %s" % (sum(map(len, lists.values())), elapsed, args.out))


# --------------------------------------------------------------------------------------------------
# Dataset-layout fixtures (shared/synthdata.md §4.2, §4.3)
# --------------------------------------------------------------------------------------------------
LS_SPEAKERS = [(9001, "F", "en-us+f3", 52, 165), (9002, "M", "en+m3", 45, 160), (9003, "F", "en-029+f4", 58, 170)]
IEMO_CODES = {  # code -> (prosody key or tuple, evaluator category word)
    "neu": ((0, 1.0, 50, 100, 0), "Neutral"), "hap": (EMOTION_PROSODY["happy"], "Happiness"),
    "exc": ((15, 1.25, 95, 125, 0), "Excited"), "sad": (EMOTION_PROSODY["sad"], "Sadness"),
    "ang": (EMOTION_PROSODY["anger"], "Anger"), "fru": ((-4, 0.95, 40, 115, 0), "Frustration"),
    "fea": (EMOTION_PROSODY["fear"], "Fear"), "sur": (EMOTION_PROSODY["surprise"], "Surprise"),
    "dis": (EMOTION_PROSODY["disgust"], "Disgust"), "xxx": ((0, 1.0, 50, 100, 0), None),
}
IEMO_VAD = {"neu": (3, 2, 2), "hap": (4, 3, 3), "exc": (4, 4, 3), "sad": (2, 2, 2), "ang": (1, 4, 4),
            "fru": (2, 3, 3), "fea": (2, 4, 2), "sur": (4, 4, 3), "dis": (2, 3, 3), "xxx": (3, 3, 3)}
IEMO_DIALOGS = [
    ("Ses01F_impro01", [("neu", "Excuse me."), ("neu", "Yes, what is it?"),
                        ("fru", "I have been waiting here for an hour."), ("ang", "That is not my problem!"),
                        ("xxx", "Well, somebody has to help me."), ("sad", "I just wanted to go home.")]),
    ("Ses01F_script01_1", [("hap", "I got the job!"), ("exc", "That is amazing, tell me everything!"),
                           ("sur", "Really? They called you today?"), ("neu", "Yes, this morning."),
                           ("fea", "What if I fail?"), ("dis", "Ugh, do not say that.")]),
]


def make_fixtures(args):
    t0 = time.time()
    out = args.fixtures
    rng = Rng(args.seed, "fixtures")
    jobs, meta = [], []
    ls_texts = []
    for spk, sex, voice, pitch, rate in LS_SPEAKERS:
        for chap in range(2):
            for utt in range(3):
                ch = Chooser(rng)
                text = spoken(fill(ch.pick(NEUTRAL_TEMPLATES + STYLE_TEMPLATES["有声书"]), ch))
                synth = {"voice": voice, "pitch": pitch, "rate": rate, "range": 50, "volume": 100, "wordgap": 0}
                jobs.append((text, synth, None))
                meta.append(("ls", spk, sex, 1000 + 10 * (spk % 100) + chap, utt, text))
                ls_texts.append(text)
    for dialog, turns in IEMO_DIALOGS:
        for k, (code, text) in enumerate(turns):
            gender = "F" if k % 2 == 0 else "M"
            dp, rf, rg, vol, gap = IEMO_CODES[code][0]
            base = (55, 170, "en-us+f3") if gender == "F" else (45, 160, "en-us+m3")
            synth = {"voice": base[2], "pitch": max(0, min(99, base[0] + dp)), "rate": int(round(base[1] * rf)),
                     "range": rg, "volume": vol, "wordgap": gap}
            jobs.append((text, synth, None))
            meta.append(("iemo", dialog, gender, k, code, text))
    with tempfile.TemporaryDirectory(prefix="osum-espeak-") as tmp:
        root = make_data_root(tmp)
        res = run_pool(render_speech, [(t, s, root) for t, s, _ in jobs], args.jobs)
    ls_root = os.path.join(out, "LibriSpeech")
    subset = "dev-clean"
    trans, minutes = {}, {}
    for m, (pcm_b, _) in zip(meta, res):
        if m[0] != "ls":
            continue
        _, spk, sex, chap, utt, text = m
        pcm = array.array("h")
        pcm.frombytes(pcm_b)
        pcm = silence(0.15) + pcm + silence(0.15)
        uid = "%d-%d-%04d" % (spk, chap, utt)
        write_audio(os.path.join(ls_root, subset, str(spk), str(chap), uid + ".flac"), pcm, True)
        trans.setdefault((spk, chap), []).append("%s %s" % (uid, norm_text(text).upper()))
        minutes[spk] = minutes.get(spk, 0.0) + len(pcm) / SR / 60
    for (spk, chap), lines in trans.items():
        atomic_write(os.path.join(ls_root, subset, str(spk), str(chap), "%d-%d.trans.txt" % (spk, chap)),
                     "\n".join(lines) + "\n")
    sp = ["; Synthetic LibriSpeech-layout fixture (osum4j data/synth/make_corpus.py --fixtures).",
          "; Speakers are espeak-ng voices; ids 9001-9003 are not real LibriVox readers.",
          ";ID  |SEX| SUBSET           |MINUTES| NAME"]
    for spk, sex, voice, _, _ in LS_SPEAKERS:
        sp.append("%-5d| %s | %-17s| %5.2f | Synthetic %s" % (spk, sex, subset, minutes[spk], voice))
    atomic_write(os.path.join(ls_root, "SPEAKERS.TXT"), "\n".join(sp) + "\n")
    # IEMOCAP Session1
    sess = os.path.join(out, "IEMOCAP_full_release", "Session1")
    by_dialog = {}
    for m, (pcm_b, _) in zip(meta, res):
        if m[0] == "iemo":
            by_dialog.setdefault(m[1], []).append((m, pcm_b))
    for dialog, turns in by_dialog.items():
        drng = Rng(args.seed, dialog)
        full = silence(0.5)
        counters = {"F": 0, "M": 0}
        rows = []
        for (m, pcm_b) in turns:
            _, _, gender, k, code, text = m
            pcm = array.array("h")
            pcm.frombytes(pcm_b)
            turn = "%s_%s%03d" % (dialog, gender, counters[gender])
            counters[gender] += 1
            start = len(full) / SR
            full.extend(pcm)
            end = len(full) / SR
            full.extend(silence(drng.uniform(0.3, 0.6)))
            write_audio(os.path.join(sess, "sentences", "wav", dialog, turn + ".wav"), pcm, False)
            rows.append((turn, gender, code, text, start, end))
        # the whole-dialog WAV: the turns concatenated with gaps, as in IEMOCAP's dialog/wav
        write_audio(os.path.join(sess, "dialog", "wav", dialog + ".wav"), full, False)
        tr = []
        for turn, gender, code, text, s, e in rows:
            shown = text + (" [LAUGHTER]" if code == "xxx" else "")   # marker in transcript only
            tr.append("%s [%08.4f-%08.4f]: %s" % (turn, s, e, shown))
        atomic_write(os.path.join(sess, "dialog", "transcriptions", dialog + ".txt"), "\n".join(tr) + "\n")
        ev = ["% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]", ""]
        for turn, gender, code, text, s, e in rows:
            v, a, d = IEMO_VAD[code]
            evals = []
            for who in ("E3", "E4"):
                evals.append((who, max(1, min(5, v + drng.randint(-1, 1))), max(1, min(5, a + drng.randint(-1, 1))),
                              max(1, min(5, d + drng.randint(-1, 1)))))
            me = [sum(x[i] for x in evals) / len(evals) for i in (1, 2, 3)]
            ev.append("[%.4f - %.4f]\t%s\t%s\t[%.4f, %.4f, %.4f]" % (s, e, turn, code, me[0], me[1], me[2]))
            word = IEMO_CODES[code][1]
            if code == "xxx":
                cats = ["Anger;", "Frustration;", "Neutral;", "Other;"]
            elif code == "fru":
                cats = ["Frustration; Anger;", "Frustration;", "Frustration;", "Frustration;"]
            else:
                cats = [word + ";"] * 4
            for who, c in zip(("C-E2", "C-E3", "C-E4", "C-%s1" % gender), cats):
                ev.append("%s:\t%s\t()" % (who, c))
            self_v = ("A-%s1" % gender, v, a, d)   # self-evaluation by the turn's speaker
            for who, vv, aa, dd in [("A-" + x[0], x[1], x[2], x[3]) for x in evals] + [self_v]:
                ev.append("%s:\tval %d; act %d; dom  %d;\t()" % (who, vv, aa, dd))
            ev.append("")
        atomic_write(os.path.join(sess, "dialog", "EmoEvaluation", dialog + ".txt"), "\n".join(ev))
    print("make_corpus: fixtures in %.1f s -> %s" % (time.time() - t0, out))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="output folder for the corpus")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--train", type=int, default=2000)
    ap.add_argument("--dev", type=int, default=150)
    ap.add_argument("--test", type=int, default=300)
    ap.add_argument("--flac", action="store_true", help="write FLAC instead of WAV")
    ap.add_argument("--no-noise", action="store_true", help="no noise floor (smaller FLAC files)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (output does not depend on it)")
    ap.add_argument("--fixtures", help="instead of a corpus: write LibriSpeech/IEMOCAP-layout fixtures here")
    args = ap.parse_args(argv)
    if not args.out and not args.fixtures:
        ap.error("one of --out or --fixtures is required")
    for name in ("train", "dev", "test"):
        if getattr(args, name) < 0:
            ap.error("--%s must be >= 0" % name)
    check_tools()
    if args.fixtures:
        make_fixtures(args)
    else:
        make_corpus(args)


if __name__ == "__main__":
    main()
