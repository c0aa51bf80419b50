"""Identifiers: a short prefix says what a thing is; the rest is random."""

import secrets
import uuid

# No 0/O, 1/I/L, 5/S: a reference a producer types on a basic phone must survive being read aloud.
REF_ALPHABET = "ABCDEFGHJKMNPQRTUVWXYZ2346789"


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


def short_ref(length: int = 6) -> str:
    return "".join(secrets.choice(REF_ALPHABET) for _ in range(length))
