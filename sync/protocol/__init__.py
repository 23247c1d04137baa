"""The wire protocol between a branch and headquarters, shared by both sides.

Messages are pydantic models (`messages`), bodies are compressed JSON (`codec`).
Every request names its protocol version in the `BranchDesk-Protocol` header; HQ
accepts a range of versions and refuses anything outside it with a 426 naming the
range. Unknown fields are ignored in every message, so a newer peer may add fields
without breaking an older one.

Version history:
  1  batches of outbox events, instruction pages.
  2  adds a per-event digest (so a resent event can be checked against what HQ holds)
     and the branch's own sync status (pending events, parked instructions) in each batch.
"""

from __future__ import annotations

PROTOCOL_VERSION = 2
#: The oldest version this code still speaks (HQ accepts MIN..MAX).
MIN_PROTOCOL_VERSION = 1
PROTOCOL_HEADER = "BranchDesk-Protocol"

#: Upload bounds. A batch is cut by whichever limit it reaches first.
MAX_BATCH_EVENTS = 1000
MAX_COMPRESSED_BYTES = 4 * 1024 * 1024
MAX_DECOMPRESSED_BYTES = 32 * 1024 * 1024
#: An enrollment request is a few hundred bytes; HQ reads no more than this of one.
MAX_ENROLL_BYTES = 64 * 1024
