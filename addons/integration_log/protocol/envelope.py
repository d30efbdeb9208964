# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""CloudEvents 1.0 structured-mode envelopes (protocol v1, section 1).

Partner input is parsed with :func:`parse_json`: values that JSON allows (or
that Python's parser accepts) but that the API can neither store nor use (a
NUL or a lone surrogate in a string, NaN, Infinity, numbers out of range,
nesting deeper than :data:`MAX_DEPTH`) come out as *unusable* markers that
are safe to store and serialise. :func:`envelope_errors` and
:func:`data_errors` report each marker with its JSON Pointer, so one bad
event of a batch is refused alone.
"""

import hashlib
import itertools
import json
import math
import re
from datetime import datetime, timezone
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker

MAX_EVENT_BYTES = 256 * 1024
MAX_BATCH_BYTES = 5 * 1024 * 1024
MAX_BATCH_EVENTS = 500
# Arrays and objects nested in an event (or a request body), the event itself
# being level 0: deeper input is refused before any recursive code sees it.
MAX_DEPTH = 32
# Integers longer than this (digits) are refused: no field of the protocol
# needs them, and Python refuses to parse much longer ones anyway.
MAX_INTEGER_DIGITS = 300
# What a refusal keeps of partner input: error messages quote at most
# QUOTE_CHARS of a value, and a problem lists at most MAX_ERRORS errors.
QUOTE_CHARS = 200
MESSAGE_CHARS = 400
MAX_ERRORS = 20

CONTENT_TYPE_SINGLE = "application/cloudevents+json"
CONTENT_TYPE_BATCH = "application/cloudevents-batch+json"

KNOWN_ATTRIBUTES = {
    "specversion",
    "id",
    "source",
    "type",
    "time",
    "subject",
    "datacontenttype",
    "sequence",
    "traceparent",
    "data",
    "dataschema",
}
# CloudEvents extension attribute names: lower-case letters and digits.
_EXTENSION_NAME_RE = re.compile(r"^[a-z0-9]{1,20}$")
_RFC3339_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)
_LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# Strings and brackets of a JSON text, to find where a value ends without
# parsing it (for values nested too deeply to parse).
_STRUCTURE_RE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_WHITESPACE_RE = re.compile(r"[ \t\n\r]*")


# ----------------------------------------------------------------------
# Values the API cannot use
# ----------------------------------------------------------------------
class UnusableText(str):
    """A string holding a NUL or a lone surrogate (PostgreSQL and UTF-8
    refuse both); its value is a storable copy with U+FFFD instead."""

    def __new__(cls, text, problem):
        clean = _LONE_SURROGATE_RE.sub("\ufffd", text.replace("\x00", "\ufffd"))
        value = super().__new__(cls, clean)
        value.problem = problem
        return value


class UnusableNumber(float):
    """NaN, Infinity or a number out of range; its value is NaN."""

    def __new__(cls, text, problem):
        value = super().__new__(cls, "nan")
        value.problem = problem
        return value


class TooDeep(str):
    """Stands for an array or object nested deeper than MAX_DEPTH."""

    def __new__(cls):
        value = super().__new__(cls, "...")
        value.problem = f"nests arrays and objects more than {MAX_DEPTH} levels deep"
        return value


_MARKERS = (UnusableText, UnusableNumber, TooDeep)


def text_problem(text):
    """Why ``text`` cannot be stored (a NUL, a lone surrogate), or None."""
    if "\x00" in text:
        return "contains a NUL character (\\u0000)"
    if not text.isascii() and _LONE_SURROGATE_RE.search(text):
        return "contains a lone UTF-16 surrogate, which is not a character"
    return None


def _number_constant(text):
    return UnusableNumber(text, f"{text} is not a JSON number")


def _number_int(text):
    if len(text) > MAX_INTEGER_DIGITS:
        return UnusableNumber(
            text, f"integers have at most {MAX_INTEGER_DIGITS} digits"
        )
    return int(text)


def _number_float(text):
    value = float(text)
    if math.isfinite(value):
        return value
    return UnusableNumber(text, f"{quote(text)} is out of the range of numbers")


_DECODER = json.JSONDecoder(
    parse_constant=_number_constant, parse_int=_number_int, parse_float=_number_float
)


def parse_json(body):
    """Parse a request body (bytes or str); ValueError if it is not JSON.

    Unusable values become markers (see the module's docstring). A top-level
    array whose items are nested too deeply for Python's parser still
    parses: such an item becomes a :class:`TooDeep` marker.
    """
    if isinstance(body, bytes | bytearray):
        body = bytes(body).decode(json.detect_encoding(body))
    try:
        value = _DECODER.decode(body)
    except RecursionError:
        value = _decode_deep_array(body)
    return _mark_unusable(value)


def _decode_deep_array(text):
    """The items of a JSON array, parsed one by one; an item too deep to
    parse becomes a TooDeep marker."""
    index = _skip_space(text, 0)
    if not text.startswith("[", index):
        raise ValueError(f"nested more than {MAX_DEPTH} levels deep")
    items = []
    index = _skip_space(text, index + 1)
    if text.startswith("]", index):
        return _end_of_text(text, index + 1, items)
    while True:
        try:
            item, index = _DECODER.raw_decode(text, index)
        except RecursionError:
            item, index = TooDeep(), _end_of_value(text, index)
        items.append(item)
        index = _skip_space(text, index)
        if text.startswith(",", index):
            index = _skip_space(text, index + 1)
        elif text.startswith("]", index):
            return _end_of_text(text, index + 1, items)
        else:
            raise ValueError(f"expected ',' or ']' at character {index}")


def _skip_space(text, index):
    return _WHITESPACE_RE.match(text, index).end()


def _end_of_text(text, index, value):
    if _skip_space(text, index) != len(text):
        raise ValueError(f"extra data at character {index}")
    return value


def _end_of_value(text, index):
    """Where the array or object starting at ``index`` ends."""
    depth = 0
    for match in _STRUCTURE_RE.finditer(text, index):
        token = match.group()
        if token in "[{":
            depth += 1
        elif token in "]}":
            depth -= 1
            if depth == 0:
                return match.end()
    raise ValueError(f"unterminated array or object at character {index}")


def _mark_unusable(root):
    """Replace unusable values of a parsed body by markers, in place
    (iteratively: the body may be deeper than Python's recursion limit)."""
    holder = [root]
    # The items of a top-level array (a batch) are each at level 0.
    start_depth = -1 if isinstance(root, list) else 0
    stack = [(holder, 0, start_depth)]
    while stack:
        container, key, depth = stack.pop()
        value = container[key]
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                container[key] = UnusableText(value, problem)
        elif isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                container[key] = TooDeep()
                continue
            if isinstance(value, dict):
                if any(text_problem(name) for name in value):
                    value = container[key] = _mark_names(value)
                stack.extend((value, name, depth + 1) for name in value)
            else:
                stack.extend((value, i, depth + 1) for i in range(len(value)))
    return holder[0]


def _mark_names(mapping):
    result = {}
    for name, value in mapping.items():
        problem = text_problem(name)
        result[UnusableText(name, problem) if problem else name] = value
    return result


def unusable_errors(value, base_path=()):
    """Pointer errors of the unusable markers in ``value``, in order."""
    errors = []
    stack = [(list(base_path), value)]
    while stack and len(errors) < MAX_ERRORS:
        path, node = stack.pop()
        if type(node) in _MARKERS:
            errors.append({"pointer": pointer(path), "message": node.problem})
        elif isinstance(node, dict):
            for name in reversed(list(node)):
                if type(name) is UnusableText:
                    errors.append(
                        {
                            "pointer": pointer([*path, name]),
                            "message": f"the member name {name.problem}",
                        }
                    )
                stack.append(([*path, name], node[name]))
        elif isinstance(node, list):
            stack.extend(
                ([*path, i], item) for i, item in reversed(list(enumerate(node)))
            )
    return [bounded_error(error) for error in errors[:MAX_ERRORS]]


# ----------------------------------------------------------------------
# Messages that quote partner input
# ----------------------------------------------------------------------
def quote(value, limit=QUOTE_CHARS):
    """``repr(value)``, cut to ``limit`` characters: what a message may
    quote of partner input."""
    if isinstance(value, str) and len(value) > limit:
        value = value[:limit]
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def bounded(text, limit=MESSAGE_CHARS):
    """``text`` cut to ``limit`` characters."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def bounded_error(error):
    """A pointer error whose texts are bounded; any other value it carries
    (the offending ``value``...) is quoted when it is long."""
    result = {}
    for key, value in error.items():
        if key in ("pointer", "message"):
            result[key] = bounded(value)
        elif isinstance(value, str | int | float | bool) or value is None:
            result[key] = (
                bounded(value, QUOTE_CHARS) if isinstance(value, str) else value
            )
        else:
            text = json.dumps(value, default=str)
            result[key] = value if len(text) <= QUOTE_CHARS else quote(text)
    return result


def pointer(path):
    """RFC 6901 JSON Pointer of a path given as a sequence of keys/indexes."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "".join("/" + p for p in parts)


# ----------------------------------------------------------------------
# Times
# ----------------------------------------------------------------------
def parse_time(value):
    """Parse an RFC 3339 timestamp with offset into a naive UTC datetime."""
    if not isinstance(value, str) or not _RFC3339_RE.match(value):
        raise ValueError(f"{quote(value)} is not an RFC 3339 timestamp with offset")
    text = value.replace("z", "Z").replace("t", "T")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as err:
        raise ValueError(f"{quote(value)} is not a valid date and time") from err
    try:
        return moment.astimezone(timezone.utc).replace(tzinfo=None)
    except OverflowError as err:
        raise ValueError(
            f"{quote(value)} is out of range once converted to UTC"
        ) from err


# ``format: date-time`` is enforced with the protocol's own RFC 3339 rule
# (an offset is required); other formats are annotations.
FORMAT_CHECKER = FormatChecker(formats=())


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_date_time(value):
    if isinstance(value, str):
        parse_time(value)
    return True


# The envelope schema is shipped as a file so partners can validate with it too.
ENVELOPE_SCHEMA = json.loads(
    (Path(__file__).resolve().parent.parent / "schemas" / "cloudevent.json").read_text()
)
_ENVELOPE_VALIDATOR = Draft202012Validator(
    ENVELOPE_SCHEMA, format_checker=FORMAT_CHECKER
)


# ----------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------
def _schema_errors(validator, instance, base_path):
    found = itertools.islice(validator.iter_errors(instance), MAX_ERRORS)
    return [
        bounded_error(
            {
                "pointer": pointer(list(base_path) + list(error.absolute_path)),
                "message": _schema_message(error),
            }
        )
        for error in sorted(found, key=_path_key)
    ]


def _path_key(error):
    # Indexes sort as numbers, names as text (never compared with each other).
    return [(isinstance(part, str), part) for part in error.path]


# Size keywords of JSON Schema: the error names the size and the limit.
_SIZE_WORDS = {
    "maxItems": ("items", "at most"),
    "minItems": ("items", "at least"),
    "maxLength": ("characters", "at most"),
    "minLength": ("characters", "at least"),
    "maxProperties": ("members", "at most"),
    "minProperties": ("members", "at least"),
}


def _schema_message(error):
    """jsonschema's message, quoting at most QUOTE_CHARS of the value."""
    if error.validator in _SIZE_WORDS and isinstance(error.instance, str | list | dict):
        unit, bound = _SIZE_WORDS[error.validator]
        return (
            f"has {len(error.instance)} {unit}; {bound} "
            f"{error.validator_value} are allowed"
        )
    if error.validator == "format" and error.cause is not None:
        return str(error.cause)
    value = error.instance
    if isinstance(value, str | list | dict) and len(repr(value)) > QUOTE_CHARS:
        return error.message.replace(repr(value), quote(value), 1)
    return error.message


def envelope_errors(event, base_path=()):
    """Validate the CloudEvents attributes; return a list of pointer errors."""
    if type(event) in _MARKERS:
        message = f"the event {event.problem}"
        return [{"pointer": pointer(base_path), "message": message}]
    if not isinstance(event, dict):
        return [{"pointer": pointer(base_path), "message": "an event is a JSON object"}]
    errors = unusable_errors(
        {name: value for name, value in event.items() if name != "data"}, base_path
    )
    if errors:
        return errors
    errors = _schema_errors(_ENVELOPE_VALIDATOR, event, base_path)
    for name, value in event.items():
        if name in KNOWN_ATTRIBUTES:
            continue
        if not _EXTENSION_NAME_RE.match(name):
            errors.append(
                {
                    "pointer": pointer([*base_path, name]),
                    "message": f"unknown attribute {quote(name)}: extension "
                    "attribute names are 1-20 lower-case letters or digits",
                }
            )
        elif not isinstance(value, str | int | bool):
            errors.append(
                {
                    "pointer": pointer([*base_path, name]),
                    "message": f"extension attribute {name!r} must be a string, "
                    "integer or boolean",
                }
            )
    return [bounded_error(error) for error in errors[:MAX_ERRORS]]


def data_errors(validator, event, base_path=()):
    """Validate ``event['data']`` with the type's compiled JSON Schema."""
    path = [*base_path, "data"]
    return unusable_errors(event.get("data"), path) or _schema_errors(
        validator, event.get("data"), path
    )


def compile_schema(schema):
    """Check a JSON Schema (Draft 2020-12) and return its validator, which
    enforces ``format: date-time``."""
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FORMAT_CHECKER)


def canonical_json(value):
    """Stable serialisation: the same event always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def payload_hash(event):
    """SHA-256 of the canonical event, used to tell duplicates from conflicts."""
    return hashlib.sha256(canonical_json(event).encode()).hexdigest()


def media_type(content_type_header):
    """The media type of a Content-Type header, lower-cased, without parameters."""
    return (content_type_header or "").split(";", 1)[0].strip().lower()


def summarize_errors(errors, limit=None):
    """``pointer: message`` of each error (the first ``limit``), on one line."""
    return "; ".join(f"{e['pointer']}: {e['message']}" for e in errors[:limit])
