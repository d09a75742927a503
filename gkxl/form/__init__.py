"""The form: the spec of each format version, its rules, A1 references, the canonical report model."""
