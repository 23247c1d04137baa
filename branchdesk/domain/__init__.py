"""Pure domain rules: case kinds and states, transitions, validation, case numbers
and SLA arithmetic. Plain values in, plain values out; no I/O here."""
