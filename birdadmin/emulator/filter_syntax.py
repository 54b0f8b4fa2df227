"""SCIM filter expressions (RFC 7644 3.4.2.2) and PATCH paths (3.5.2): tokenizer, syntax tree and parser.

A hand-written tokenizer and recursive-descent parser, because filter values are JSON strings with escapes
(a ``"`` or ``)`` inside a quoted userName must not end anything) and precedence matters (``not`` binds
tighter than ``and``, which binds tighter than ``or``). Keywords and attribute names are case-insensitive.
Parsing is independent of any schema: ``filters.compile_filter`` resolves the names against one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

COMPARE_OPS = frozenset({"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"})
_SINGLE = "()[]"
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-$")
MAX_FILTER_LENGTH = 4096
MAX_DEPTH = 64


class FilterError(ValueError):
    """An expression that is not a valid SCIM filter or path; the message says where."""


# -- tokens ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # "(" ")" "[" "]" "word" "string"
    text: str
    pos: int
    value: Any = None  # decoded string for "string" tokens


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterError(f"filter longer than {MAX_FILTER_LENGTH} characters")
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in _SINGLE:
            tokens.append(Token(ch, ch, i))
            i += 1
        elif ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise FilterError(f"unterminated string starting at position {i + 1}")
            raw = text[i : j + 1]
            try:
                value = json.loads(raw)
            except ValueError:
                raise FilterError(f"invalid escape in string at position {i + 1}") from None
            tokens.append(Token("string", raw, i, value))
            i = j + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in _SINGLE and text[j] != '"':
                j += 1
            tokens.append(Token("word", text[i:j], i))
            i = j
    return tokens


# -- syntax tree -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Compare:
    path: str
    op: str
    value: Any


@dataclass(frozen=True)
class Present:
    path: str


@dataclass(frozen=True)
class And:
    left: Node
    right: Node


@dataclass(frozen=True)
class Or:
    left: Node
    right: Node


@dataclass(frozen=True)
class Not:
    inner: Node


@dataclass(frozen=True)
class ValuePath:
    path: str
    inner: Node


Node = Compare | Present | And | Or | Not | ValuePath


@dataclass(frozen=True)
class PatchPath:
    """``attr``, ``attr.sub``, ``attr[filter]`` or ``attr[filter].sub`` (any of them URN-prefixed)."""

    attr: str
    value_filter: Node | None = None
    sub: str | None = None


def check_attr_path(word: str, pos: int) -> str:
    """An attribute path is ``[URN:]name[.sub]``; anything else is refused before it reaches the schema."""
    local = word
    if word.lower().startswith("urn:"):
        local = word.rsplit(":", 1)[1]
    parts = local.split(".")
    if not local or len(parts) > 2 or any(not p or not set(p) <= _NAME_CHARS for p in parts):
        raise FilterError(f"'{word}' at position {pos + 1} is not an attribute path")
    if not (parts[0][0].isalpha() or parts[0][0] == "$"):
        raise FilterError(f"'{word}' at position {pos + 1} is not an attribute path")
    return word


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    def peek(self, offset: int = 0) -> Token | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise FilterError("unexpected end of filter")
        self.i += 1
        return tok

    def expect(self, kind: str) -> Token:
        tok = self.peek()
        if tok is None:
            raise FilterError(f"expected '{kind}' at the end of the filter")
        if tok.kind != kind:
            raise FilterError(f"expected '{kind}' at position {tok.pos + 1}, found '{tok.text}'")
        self.i += 1
        return tok

    def at_keyword(self, word: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == "word" and tok.text.lower() == word

    def parse_or(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FilterError("filter nested too deeply")
        node = self.parse_and()
        while self.at_keyword("or"):
            self.i += 1
            node = Or(node, self.parse_and())
        self.depth -= 1
        return node

    def parse_and(self) -> Node:
        node = self.parse_not()
        while self.at_keyword("and"):
            self.i += 1
            node = And(node, self.parse_not())
        return node

    def parse_not(self) -> Node:
        nxt = self.peek(1)
        if self.at_keyword("not") and nxt is not None and nxt.kind == "(":
            self.i += 1
            return Not(self.parse_atom())
        return self.parse_atom()

    def parse_atom(self) -> Node:
        tok = self.take()
        if tok.kind == "(":
            node = self.parse_or()
            self.expect(")")
            return node
        if tok.kind != "word":
            raise FilterError(f"expected an attribute at position {tok.pos + 1}, found '{tok.text}'")
        path = check_attr_path(tok.text, tok.pos)
        nxt = self.peek()
        if nxt is not None and nxt.kind == "[":
            self.i += 1
            inner = self.parse_or()
            self.expect("]")
            return ValuePath(path, inner)
        op_tok = self.peek()
        if op_tok is None or op_tok.kind != "word":
            where = f"position {op_tok.pos + 1}" if op_tok else "the end of the filter"
            raise FilterError(f"expected an operator after '{path}' at {where}")
        op = op_tok.text.lower()
        self.i += 1
        if op == "pr":
            return Present(path)
        if op not in COMPARE_OPS:
            raise FilterError(f"unknown operator '{op_tok.text}' at position {op_tok.pos + 1}")
        return Compare(path, op, self.parse_value())

    def parse_value(self) -> Any:
        tok = self.take()
        if tok.kind == "string":
            return tok.value
        if tok.kind == "word":
            lowered = tok.text.lower()
            if lowered == "true":
                return True
            if lowered == "false":
                return False
            if lowered == "null":
                return None
            try:
                return int(tok.text)
            except ValueError:
                pass
            try:
                number = float(tok.text)
            except ValueError:
                pass
            else:
                if number == number and number not in (float("inf"), float("-inf")):
                    return number
        raise FilterError(f"expected a value at position {tok.pos + 1}, found '{tok.text}'")

    def done(self) -> None:
        tok = self.peek()
        if tok is not None:
            raise FilterError(f"unexpected '{tok.text}' at position {tok.pos + 1}")


def parse_filter(text: str) -> Node:
    """The syntax tree of a filter; raises FilterError with a one-sentence reason."""
    if not text or not text.strip():
        raise FilterError("empty filter")
    parser = _Parser(text)
    node = parser.parse_or()
    parser.done()
    return node


def parse_path(text: str) -> PatchPath:
    """A PATCH ``path``; raises FilterError."""
    parser = _Parser(text)
    tok = parser.take()
    if tok.kind != "word":
        raise FilterError(f"'{text}' is not an attribute path")
    attr = check_attr_path(tok.text, tok.pos)
    value_filter: Node | None = None
    sub: str | None = None
    if parser.peek() is not None and parser.peek().kind == "[":  # type: ignore[union-attr]
        parser.i += 1
        value_filter = parser.parse_or()
        parser.expect("]")
        tail = parser.peek()
        if tail is not None:
            if tail.kind != "word" or not tail.text.startswith(".") or "." in tail.text[1:]:
                raise FilterError(f"unexpected '{tail.text}' at position {tail.pos + 1}")
            sub = tail.text[1:]
            if not sub or not set(sub) <= _NAME_CHARS:
                raise FilterError(f"'{tail.text}' is not a sub-attribute")
            parser.i += 1
        if "." in attr.rsplit(":", 1)[-1]:
            raise FilterError(f"'{attr}' cannot take a value filter")
    parser.done()
    return PatchPath(attr, value_filter, sub)


def attribute_names(node: Node) -> Iterator[str]:
    """Every attribute path a filter mentions (lower-cased), so callers can tell what data it needs."""
    if isinstance(node, (And, Or)):
        yield from attribute_names(node.left)
        yield from attribute_names(node.right)
    elif isinstance(node, Not):
        yield from attribute_names(node.inner)
    else:
        yield node.path.lower()
