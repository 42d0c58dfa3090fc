"""Before go-live: how the twin compares with the vendor's real UAT.

- `proxy`: the integrator's app talks to UAT through spotcheck, which validates every exchange
  against the schema, prints a line for it and records it (HAR 1.2, secrets masked).
- `diff`: the recorded requests replayed against a fresh in-process twin, answers compared and
  each difference classified: the twin is wrong, the schema is silent or wrong, or data.
- `seed`: the objects upstream showed (templates and their metadata, contract types,
  counterparties, users, entities) become the twin's workspace.

Modules: `rails` (production, writes, pacing), `scrub` (masking), `har` (recordings),
`checks` (schema checks of one exchange), `proxy`, `compare` (differences and their class),
`diff` (the replay), `reports` (Markdown, JSON, JUnit), `seed`, `cli`.
"""
