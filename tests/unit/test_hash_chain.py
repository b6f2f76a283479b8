"""R-AUDIT-1's hash chain, one link at a time (ledger/adapters/audit.py `link`), no I/O.

A link hashes the previous digest and the event's fields. The fields are length-prefixed: without
the prefixes two different events whose fields concatenate to the same bytes would get the same
digest, and an edit that moves a boundary between two fields would go unseen by `jixiao verify`.
"""

from __future__ import annotations

import hashlib
import uuid

import pytest

from ledger.adapters.audit import GENESIS, link

ORIGINATOR = uuid.UUID("00000000-0000-0000-0000-0000000000aa")
TOPIC = "ledger.domain.sheet:Sheet.DeductionRecorded"

# Pairs of links (previous, position, originator_id, originator_version, topic, state) whose fields,
# written one after another without lengths, are the very same bytes.
BOUNDARY_SHIFTS = {
    # topic "…ab" + state "c"  vs  topic "…a" + state "bc"
    "topic|state": ((GENESIS, 7, ORIGINATOR, 2, TOPIC + "ab", b"c"), (GENESIS, 7, ORIGINATOR, 2, TOPIC + "a", b"bc")),
    # version 1 + topic "2…"  vs  version 12 + topic "…"
    "version|topic": ((GENESIS, 7, ORIGINATOR, 1, "2" + TOPIC, b"{}"), (GENESIS, 7, ORIGINATOR, 12, TOPIC, b"{}")),
    # position 1 + originator "23…"  vs  position 12 + originator "3…"
    "position|originator": ((GENESIS, 1, "23" + str(ORIGINATOR), 1, TOPIC, b"{}"), (GENESIS, 12, "3" + str(ORIGINATOR), 1, TOPIC, b"{}")),
}


def _unprefixed(previous: bytes, position: int, originator_id: object, version: int, topic: str, state: bytes) -> bytes:
    """What the fields would be without length prefixes: a plain concatenation."""
    return previous + str(position).encode() + str(originator_id).encode() + str(version).encode() + topic.encode() + state


@pytest.mark.parametrize("boundary", sorted(BOUNDARY_SHIFTS))
def test_fields_that_concatenate_alike_get_different_links__R_AUDIT_1(boundary: str) -> None:
    """Given two different events whose fields run together into the same bytes, when each is
    linked, then the digests differ: the length prefixes keep the field boundaries."""
    first, second = BOUNDARY_SHIFTS[boundary]
    assert first != second
    assert _unprefixed(*first) == _unprefixed(*second)  # the collision the prefixes exist to prevent

    assert link(*first) != link(*second)


def test_a_link_is_a_sha256_digest_that_depends_on_every_input__R_AUDIT_1() -> None:
    """Same inputs, same 32-byte digest (so `verify` can recompute it); change any one input,
    including the previous link, and the digest changes."""
    base = (GENESIS, 7, ORIGINATOR, 2, TOPIC, b'{"points":"1.50"}')
    digest = link(*base)
    assert digest == link(*base) and len(digest) == hashlib.sha256().digest_size
    variants = [
        (hashlib.sha256(b"other").digest(), *base[1:]),
        (GENESIS, 8, *base[2:]),
        (*base[:2], uuid.UUID(int=1), *base[3:]),
        (*base[:3], 3, *base[4:]),
        (*base[:4], TOPIC.replace("Recorded", "Reversed"), base[5]),
        (*base[:5], b'{"points":"1.05"}'),
    ]
    assert len({link(*v) for v in variants} | {digest}) == len(variants) + 1


def test_a_state_read_back_as_text_does_not_match_its_bytes__R_AUDIT_1() -> None:
    """A state edited by hand may come back as text: it is hashed as what it now is, so its link
    no longer matches the one written for the original bytes."""
    stored = (GENESIS, 7, ORIGINATOR, 2, TOPIC)
    assert link(*stored, b'{"points":"1.50"}') != link(*stored, '{"points":"1.50"}')  # type: ignore[arg-type]
