"""Is an event name a past-tense fact? Shared by the event, schema and topic rules.

The standard: "Use past tense for event names: `order.created`,
`payment.completed`, `stock.reserved`. Not `create_order` or
`process_payment`." A name is split into words (dots, underscores, hyphens,
camelCase); its last word must be a past participle: a regular ``-ed`` form
(``created``, ``shipped``, ``agreed``) or an irregular one (``sent``,
``paid``, ``built``). Teams add their own words (``extra``) and mark words
that name a state rather than an event (``state_words``, e.g. ``snapshot``).
"""

from __future__ import annotations

import re

IRREGULAR = frozenset(
    """
    arisen awoken been beaten become begun bent bet bid bitten bled blown born borne bound
    bred broadcast broken brought built burnt bought caught chosen clung come cost crept cut
    dealt dug done drawn dreamt driven drunk dwelt eaten fallen fed felt fought found fled flung
    flown forbidden forecast forgotten forgiven forsaken frozen got gotten given gone ground grown
    hung had heard hidden hit held hurt kept knelt known laid led leant leapt learnt left lent let
    lain lit lost made meant met mislaid misled mistaken misunderstood mown overcome overdone
    overdrawn overheard overpaid overridden overrun overseen overtaken overthrown paid proven put
    quit read rebuilt redone remade repaid reread resent reset resold retold rethought rewound
    rewritten rid ridden risen run said sawn seen sought sold sent set sewn shaken shed shone shod
    shot shown shrunk shut sung sunk sat slain slept slid slung slit smelt sown spoken sped spelt
    spent spilt spun spit split spoilt spread sprung stood stolen stuck stung stunk strewn stridden
    struck strung striven sworn swept swollen swum swung taken taught torn told thought thrown
    thrust trodden undergone understood undertaken undone unbound unwound upheld upset woken worn
    woven wed wept wet won wound withdrawn withheld withstood wrung written
    """.split()
)

# -ed words that are not past participles, and -eed base verbs
NOT_PAST = frozenset(
    """
    bed bleed breed embed exceed feed heed need proceed red seed shred sled speed succeed weed
    hundred kindred naked sacred wicked rugged ragged
    """.split()
)

# Imperative verbs that mark a command, for the suggestion (create_order -> order.created)
COMMAND_VERBS = {
    "add": "added", "approve": "approved", "book": "booked", "cancel": "cancelled", "charge": "charged",
    "check": "checked", "close": "closed", "complete": "completed", "confirm": "confirmed",
    "create": "created", "delete": "deleted", "do": "done", "fulfil": "fulfilled", "fulfill": "fulfilled",
    "handle": "handled", "make": "made", "notify": "notified", "open": "opened", "pay": "paid",
    "place": "placed", "process": "processed", "publish": "published", "refund": "refunded",
    "register": "registered", "reject": "rejected", "release": "released", "remove": "removed",
    "request": "requested", "reserve": "reserved", "send": "sent", "set": "set", "ship": "shipped",
    "start": "started", "stop": "stopped", "submit": "submitted", "update": "updated",
    "upsert": "upserted", "validate": "validated", "verify": "verified",
    "deploy": "deployed", "restart": "restarted", "terminate": "terminated", "provision": "provisioned",
    "execute": "executed", "launch": "launched", "assign": "assigned", "generate": "generated",
    "upload": "uploaded", "retry": "retried", "unregister": "unregistered", "subscribe": "subscribed",
    "restock": "restocked",
}  # (not schedule, trigger, sync, reset: as often the noun, topic_schedule)

_CAMEL = re.compile(r"[Vv]\d+\b|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def split_words(name: str) -> list[str]:
    """``OrderCreated`` / ``order_created`` / ``order.created-v1`` -> lower-case words."""
    words = []
    for part in re.split(r"[._\-\s/:]+", name):
        if re.fullmatch(r"[vV]\d+", part):
            words.append(part.lower())
            continue
        words.extend(w.lower() for w in _CAMEL.findall(part))
    return words


def is_past_tense(word: str, extra: frozenset[str] | set[str] = frozenset()) -> bool:
    w = word.lower()
    if w in extra or w in IRREGULAR:
        return True
    if w in NOT_PAST:
        return False
    return len(w) > 3 and w.endswith("ed")


_VERSION = re.compile(r"^v\d+$|^\d+$")


# Prepositions and particles that may follow the verb: TrackAddedToPlaylist, UserSignedUp, UserLoggedIn
PARTICLES = frozenset("""
    to from in into on onto for by with at of out up off over back down away via as after before within
    without between under through
    """.split())


CARRIER_WORDS = frozenset({"topic", "topics", "queue", "stream", "channel"})  # product_create_topic: the thing, not the event


def _named_words(name: str) -> list[str]:
    """The words of a name, without version suffixes (``v1``) and a trailing word that names the carrier
    (``product_create_topic``: ``product``, ``create``)."""
    words = [w for w in split_words(name) if not _VERSION.match(w)]
    while len(words) > 1 and words[-1] in CARRIER_WORDS:
        words.pop()
    return words


def event_word(name: str) -> str | None:
    """The word that must be past tense: the last, skipping version suffixes (``v1``) and a phrase
    after the verb (``TrackAddedToPlaylist``: ``added``; ``UserSignedUp``: ``signed``) or its object
    (``patient_left_room``: ``left``)."""
    words = _named_words(name)
    if words and words[-1] in ("event", "events") and len(words) > 1:
        words = words[:-1]  # OrderCreatedEvent
        if words[-1] == "cloud" and len(words) > 1:
            words = words[:-1]  # OrderCreatedCloudEvent
    if words and not is_past_tense(words[-1]):
        for i in range(len(words) - 2, -1, -1):
            if words[i + 1] in PARTICLES and is_past_tense(words[i]):
                return words[i]
        if len(words) >= 3 and is_past_tense(words[-2]):
            return words[-2]  # subject, verb, object: patient_left_room, UserJoinedGroup
    return words[-1] if words else None


def past_tense_problem(
    name: str,
    extra: frozenset[str] | set[str] = frozenset(),
    state_words: frozenset[str] | set[str] = frozenset(),
) -> str | None:
    """None when ``name`` reads as a past-tense fact, else why not."""
    word = event_word(name)
    if word is None:
        return "has no words"
    if word in state_words or is_past_tense(word, extra):
        return None
    command = _command(_named_words(name))
    if command is not None:
        return f"reads as a command ({command}), not a fact that happened"
    return f"ends in {word!r}, which is not a past-tense verb"


REQUEST_WORDS = frozenset({"request", "requests", "command", "commands", "cmd", "cmds"})


def _command(words: list[str]) -> str | None:
    """Why words read as a command: the verb first or last (``process_payment``, ``model_restart``), an
    action still to take (``drug_to_restock``), or a name for requests (``template_render_requests``)."""
    while len(words) > 1 and words[-1] in ("event", "events"):
        words = words[:-1]  # OrderCreateEvent
    if not words:
        return None
    if words[0] in COMMAND_VERBS:
        return f"{words[0]!r} is an imperative verb"
    if words[-1] in COMMAND_VERBS:
        return f"{words[-1]!r} is an imperative verb" if len(words) < 2 or words[-2] != "to" \
            else f"'to {words[-1]}' names an action still to take"
    if words[-1] in REQUEST_WORDS and len(words) > 1:
        return f"{words[-1]!r} names what should happen"
    return None


def reads_as_command(name: str) -> bool:
    """Whether a name reads as a command (``process_payment``, ``model_restart``, ``drug_to_restock``,
    ``render_requests``)."""
    return not is_past_tense(event_word(name) or "") and _command(_named_words(name)) is not None


def suggest(name: str) -> str | None:
    """A past-tense spelling for a command-like name: ``create_order`` -> ``order.created``."""
    words = _named_words(name)
    if not words:
        return None
    if words[0] in COMMAND_VERBS and len(words) > 1:
        return ".".join(words[1:] + [COMMAND_VERBS[words[0]]])
    if words[-1] in COMMAND_VERBS:
        return ".".join(words[:-1] + [COMMAND_VERBS[words[-1]]])
    return None


# ``CloudEvent``, ``DomainEvent``, ``IntegrationEvent``: an envelope or base type, not one event
GENERIC_EVENT_WORDS = frozenset("""cloud domain integration base abstract generic raw outbox inbox inbound outbound
    external internal system app application any wrapped wrapper typed""".split())


def generic_event_name(name: str) -> bool:
    """Whether ``name`` is ``Event`` with only generic words before it (``CloudEvent``, ``DomainEvent``,
    ``CloudEvent JSON Schema``)."""
    words = [w for w in split_words(name) if not _VERSION.match(w)]
    while words and words[-1] in ("schema", "json"):
        words.pop()
    if not words or words[-1] not in ("event", "events"):
        return False
    words.pop()
    return bool(words) and all(w in GENERIC_EVENT_WORDS for w in words)


def styled(dotted: str | None, like: str) -> str | None:
    """A suggestion (``order.created``) in the style of the name it replaces (``OrderCreated``,
    ``ORDER_CREATED``, ``order_created``, ``order-created``, ``Order Created``)."""
    if dotted is None or "." in like:
        return dotted
    words = dotted.split(".")
    if like.isupper():
        return "_".join(words).upper()
    if " " in like:
        return " ".join(w.capitalize() for w in words)
    if like[:1].isupper():
        return "".join(w.capitalize() for w in words)
    return "_".join(words) if "_" in like else "-".join(words) if "-" in like else dotted
