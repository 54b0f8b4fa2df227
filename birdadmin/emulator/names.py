"""Small, hand-picked name lists for the seeded demo organization (varied origins, some non-ASCII)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

FIRST_NAMES: tuple[str, ...] = (
    "Aaliyah", "Ahmed", "Aiko", "Alejandro", "Amara", "Ana", "Anders", "Aryan", "Astrid", "Beatriz",
    "Björn", "Camille", "Carlos", "Chen", "Chiara", "Chloé", "Daniel", "Dmitri", "Elena", "Emeka",
    "Emma", "Fatima", "Felix", "Freya", "Gabriel", "Hana", "Hannah", "Hiroshi", "Ingrid", "Isabela",
    "Ivan", "Jakub", "James", "Javier", "Jonas", "Kavya", "Kenji", "Laila", "Lars", "Leila",
    "Liam", "Lucía", "Luis", "Maja", "Malik", "Mateo", "Mei", "Mia", "Mohammed", "Nadia",
    "Noah", "Nora", "Olivia", "Omar", "Paulo", "Priya", "Rafael", "Renée", "Rohan", "Sakura",
    "Samuel", "Sara", "Sebastián", "Sofia", "Søren", "Tariq", "Thomas", "Valentina", "Wei", "Yusuf",
    "Zainab", "Zoltán",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Adeyemi", "Andersson", "Bakker", "Banerjee", "Bianchi", "Brown", "Castillo", "Chen", "Costa", "Dubois",
    "Eriksen", "Fernández", "Fischer", "García", "Haddad", "Hansen", "Hernández", "Ibrahim", "Ivanova", "Jansen",
    "Jensen", "Kim", "Kowalski", "Kumar", "Larsen", "Lefèvre", "Li", "López", "Martin", "Meyer",
    "Mohamed", "Moreau", "Müller", "Nakamura", "Nguyen", "Novák", "Okafor", "Olsen", "Park", "Patel",
    "Pereira", "Petrov", "Rossi", "Sato", "Schmidt", "Silva", "Singh", "Smith", "Suzuki", "Tanaka",
    "Van Dijk", "Virtanen", "Wagner", "Wang", "Williams", "Wójcik", "Yamamoto", "Yilmaz", "Zhang", "Ziegler",
)  # fmt: skip

TITLES: tuple[str, ...] = (
    "Support agent", "Senior support agent", "Team lead", "Customer success manager", "Data analyst",
    "Software engineer", "Marketing specialist", "Finance officer", "Sales representative", "Operations manager",
)  # fmt: skip

DEPARTMENTS: tuple[str, ...] = ("Support", "Sales", "Engineering", "Finance", "Marketing", "Operations")

_NOT_DECOMPOSED = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "đ": "d"})


@lru_cache(maxsize=8192)
def ascii_local_part(text: str) -> str:
    """``Łukasz Wiśniewski`` -> ``lukasz.wisniewski``: the address form a mail system would use."""
    folded = unicodedata.normalize("NFKD", text.translate(_NOT_DECOMPOSED))
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() or c in "'" else "." for c in plain.lower())
    return ".".join(part for part in cleaned.split(".") if part)
