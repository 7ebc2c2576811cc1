"""Request bodies checked against Discord's official OpenAPI description, as Discord checks them.

`../shared/discord/openapi.json` (see its README) gives each operation's JSON schema: lengths, counts,
enums, URL formats, required fields. A body that breaks it gets what Discord answers: 400, code 50035
"Invalid Form Body", with an `errors` tree naming the field. The 6,000-character total of an embed is
not expressible there and is checked on its own.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.conftest import ROOT

SPEC = ROOT.parent / "shared" / "discord" / "openapi.json"
SPEC_URI = "urn:discord:openapi"
EMBED_TOTAL_LIMIT = 6000
_METHODS = ("get", "put", "post", "patch", "delete")
# Every length of an embed that counts towards Discord's 6,000-character total.
_EMBED_TEXTS = (("title",), ("description",), ("footer", "text"), ("author", "name"))


@cache
def _spec() -> dict:
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    # Discord returns snowflakes as strings but takes integers too, and discord.py sends a new upload's
    # attachment id as an integer (its index in files[n]); the spec only describes the string.
    schemas = spec["components"]["schemas"]
    schemas["SnowflakeType"] = {"anyOf": [schemas["SnowflakeType"], {"type": "integer", "minimum": 0}]}
    return spec


@cache
def _registry() -> Registry:
    return Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(_spec()))


@cache
def _operations() -> list[tuple[str, re.Pattern[str], str]]:
    """(method, path pattern, JSON pointer to the body's schema), the most specific paths first:
    `messages/@original` before `messages/{message_id}`."""
    found = []
    for path, operations in _spec()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\{[^/]+\\}", "[^/]+", re.escape(path)) + "$")
        for method, operation in operations.items():
            if method in _METHODS and "application/json" in (operation.get("requestBody") or {}).get("content", {}):
                pointer = "/".join(part.replace("~", "~0").replace("/", "~1") for part in
                                   ("paths", path, method, "requestBody", "content", "application/json", "schema"))
                found.append((method.upper(), pattern, pointer, path.count("{")))
    found.sort(key=lambda operation: operation[3])
    return [(method, pattern, pointer) for method, pattern, pointer, _ in found]


@cache
def _validator(pointer: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"{SPEC_URI}#/{pointer}"}, registry=_registry(),
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def body_schema(method: str, path: str) -> Draft202012Validator | None:
    """The validator for the body of `method path` (a path under /api/v10), None when it takes none."""
    for operation_method, pattern, pointer in _operations():
        if operation_method == method and pattern.match(path):
            return _validator(pointer)
    return None


def _meant(error: ValidationError) -> ValidationError:
    """Inside a union, the error of the branch the body meant: one of the right JSON type whose `type`
    field matched, with the fewest errors; there, the deepest error."""
    while error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for inner in error.context:
            branches.setdefault(inner.relative_schema_path[0], []).append(inner)
        typed = [errors for errors in branches.values() if not any(
            list(inner.relative_path) == ["type"] or (inner.validator == "type" and not inner.relative_path)
            for inner in errors)]
        branch = min(typed or branches.values(), key=len)
        error = max(branch, key=lambda inner: len(inner.absolute_path))
    return error


def _invalid(path: list[Any], code: str, message: str) -> dict:
    """Discord's answer to an invalid body, its `errors` tree leading to the field at fault."""
    tree: dict = {"_errors": [{"code": code, "message": message}]}
    for part in reversed(path):
        tree = {str(part): tree}
    return {"code": 50035, "message": "Invalid Form Body", "errors": tree}


def oversized_embed(message: Any) -> int | None:
    """The number of the first embed over Discord's 6,000 characters in all (title, description, footer
    text, author name, field names and values), else None."""
    embeds = message.get("embeds") if isinstance(message, dict) else None
    for number, embed in enumerate(embeds or []):
        total = sum(len(_text(embed, keys)) for keys in _EMBED_TEXTS) + sum(
            len(_text(field, ("name",))) + len(_text(field, ("value",))) for field in embed.get("fields") or [])
        if total > EMBED_TOTAL_LIMIT:
            return number
    return None


def _text(item: Any, keys: tuple[str, ...]) -> str:
    for key in keys:
        item = item.get(key) if isinstance(item, dict) else None
    return item if isinstance(item, str) else ""


def invalid_form_body(method: str, path: str, body: Any) -> dict | None:
    """Discord's 400 answer (code 50035) for a body its API would refuse, or None when it is valid."""
    validator = body_schema(method, path)
    if validator is not None:
        error = best_match(validator.iter_errors(body))
        if error is not None:
            error = _meant(error)
            return _invalid(list(error.absolute_path), f"SCHEMA_{error.validator}".upper(), error.message[:300])
    in_data = path.endswith("/callback")  # an interaction response carries its message as `data`
    message = body.get("data") if in_data and isinstance(body, dict) else body
    number = oversized_embed(message)
    if number is not None:
        return _invalid([*(["data"] if in_data else []), "embeds", number], "MAX_EMBED_SIZE_EXCEEDED",
                        f"Embed size exceeds maximum size of {EMBED_TOTAL_LIMIT}")
    return None
