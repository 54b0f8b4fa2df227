"""The window's pages, in the order of its page stack (the empty state first)."""

(PAGE_EMPTY, PAGE_USERS, PAGE_GROUPS, PAGE_ROLES, PAGE_JOURNAL, PAGE_MATRIX, PAGE_FINDINGS, PAGE_SNAPSHOTS,
 PAGE_KEYS) = range(9)
