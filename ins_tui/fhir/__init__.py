"""FHIR output: a stored identity as an FR Core Patient, exported or pushed (issue 10).

An adapter like `insi/` and `card/`: it reads `store.records` types and the domain, never
the desk or the UI. `patient` builds the resource, `checks` holds the FR Core rules the
model library does not know, `bundle` writes exports, `push` sends conditional updates.
"""
