"""What one audit finding is, and the severities in order: the shared shape of the audit's rules
(domain/audit_findings.py) and the access keys' rules (domain/key_findings.py), kept below both so neither
imports the other's module for it. Pure Python, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["info", "low", "medium", "high"]
SEVERITIES: tuple[Severity, ...] = ("info", "low", "medium", "high")  # least severe first


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing an auditor should look at, about one subject, said in one plain sentence."""

    kind: str  # one of audit_findings.KINDS
    severity: Severity
    subject_kind: Literal["user", "group", "organization", "key"]
    subject_id: str
    subject_name: str
    message: str  # one plain sentence
    role_ids: tuple[str, ...] = ()
