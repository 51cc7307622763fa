"""RFC 6962 Merkle trees: roots, inclusion and consistency proofs for many sizes; forged proofs fail."""

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from cases.store.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    inclusion_proofs,
    leaf_hash,
    node_hash,
    prefix_roots,
    root,
    verify_consistency,
    verify_inclusion,
)


def reference_mth(data: list[bytes]) -> bytes:
    """MTH exactly as RFC 6962 2.1 writes it, recursively over the leaf inputs."""
    n = len(data)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + reference_mth(data[:k]) + reference_mth(data[k:])).digest()


def leaves_of(n: int) -> tuple[list[bytes], list[bytes]]:
    data = [f"record {i}".encode() for i in range(n)]
    return data, [leaf_hash(d) for d in data]


def flipped(value: bytes) -> bytes:
    return bytes([value[0] ^ 1]) + value[1:]


def test_leaf_and_node_hashes_carry_the_rfc_6962_prefixes() -> None:
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert node_hash(b"l", b"r") == hashlib.sha256(b"\x01lr").digest()
    assert root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()


def test_the_root_equals_the_rfc_definition_for_every_size_up_to_70() -> None:
    for n in range(71):
        data, leaves = leaves_of(n)
        assert root(leaves) == reference_mth(data), n


def test_the_roots_of_every_prefix_come_from_one_pass() -> None:
    _, leaves = leaves_of(130)
    roots = prefix_roots(leaves, range(131))
    assert roots == {m: root(leaves[:m]) for m in range(131)}
    assert prefix_roots(leaves, [200, 7]) == {7: root(leaves[:7])}


def test_proofs_built_together_equal_the_rfc_path_of_each_leaf() -> None:
    for n in range(1, 41):
        _, leaves = leaves_of(n)
        assert inclusion_proofs(leaves, range(n)) == {i: inclusion_proof(leaves, i) for i in range(n)}, n


def test_every_inclusion_proof_verifies_for_sizes_up_to_40_and_a_forged_one_does_not() -> None:
    for n in range(1, 41):
        _, leaves = leaves_of(n)
        top = root(leaves)
        for index in range(n):
            proof = inclusion_proof(leaves, index)
            assert verify_inclusion(leaves[index], index, n, proof, top), (n, index)
            assert not verify_inclusion(flipped(leaves[index]), index, n, proof, top)
            if n > 1:
                assert not verify_inclusion(leaves[index], (index + 1) % n, n, proof, top)
                assert not verify_inclusion(leaves[index], index, n, [flipped(proof[0]), *proof[1:]], top)
                assert not verify_inclusion(leaves[index], index, n, proof[:-1], top)


def test_every_consistency_proof_verifies_for_sizes_up_to_33_and_a_forged_one_does_not() -> None:
    for n in range(1, 34):
        _, leaves = leaves_of(n)
        new_root = root(leaves)
        for m in range(1, n + 1):
            old_root = root(leaves[:m])
            proof = consistency_proof(leaves, m)
            assert verify_consistency(m, n, old_root, new_root, proof), (m, n)
            assert not verify_consistency(m, n, flipped(old_root), new_root, proof)
            if m < n:
                assert not verify_consistency(m, n, old_root, flipped(new_root), proof)
                assert not verify_consistency(m, n, old_root, new_root, [flipped(proof[0]), *proof[1:]])


def test_a_rewritten_prefix_fails_consistency_with_the_old_root() -> None:
    _, leaves = leaves_of(20)
    old_root = root(leaves[:8])
    rebuilt = [*leaves[:3], leaf_hash(b"rewritten"), *leaves[4:]]
    proof = consistency_proof(rebuilt, 8)
    assert not verify_consistency(8, 20, old_root, root(rebuilt), proof)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(min_value=1, max_value=3000), data=st.data())
def test_proofs_verify_for_random_sizes_and_positions(n: int, data: st.DataObject) -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]
    top = root(leaves)
    index = data.draw(st.integers(min_value=0, max_value=n - 1))
    proof = inclusion_proof(leaves, index)
    assert len(proof) <= max(1, (n - 1).bit_length())
    assert verify_inclusion(leaves[index], index, n, proof, top)
    m = data.draw(st.integers(min_value=1, max_value=n))
    assert verify_consistency(m, n, root(leaves[:m]), top, consistency_proof(leaves, m))
