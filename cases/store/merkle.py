"""Merkle trees over the decision log as RFC 6962 (Certificate Transparency) defines them.

Pure functions over leaf hashes (bytes): a leaf is sha256(0x00 || data), a node
sha256(0x01 || left || right), and the tree of n leaves splits at the largest power of two
below n. Inclusion and consistency proofs follow RFC 6962 section 2.1; their checks follow
RFC 9162 sections 2.1.3.2 and 2.1.4.2, so a proof made here verifies with any CT verifier.
"""

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH over the leaf hashes, level by level: a last node without a sibling moves up
    unchanged, which gives the same tree as RFC 6962's split at the largest power of two."""
    if not leaves:
        return EMPTY_ROOT
    level = list(leaves)
    sha = hashlib.sha256
    while len(level) > 1:
        paired = [sha(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def prefix_roots(leaves: Sequence[bytes], sizes: Sequence[int]) -> dict[int, bytes]:
    """The roots of the first m leaves for every m in sizes, in one pass over the leaves.

    A tree of m leaves is the perfect subtrees of m's binary digits, largest first, folded from
    the right; a stack of those subtrees grows one leaf at a time (as CT logs append).
    """
    wanted = sorted({m for m in sizes if 0 <= m <= len(leaves)})
    roots: dict[int, bytes] = {}
    stack: list[tuple[int, bytes]] = []  # (subtree size, subtree root), sizes strictly decreasing
    position = 0
    for m in wanted:
        while position < m:
            size, node = 1, leaves[position]
            while stack and stack[-1][0] == size:
                node = node_hash(stack.pop()[1], node)
                size *= 2
            stack.append((size, node))
            position += 1
        if not stack:
            roots[m] = EMPTY_ROOT
            continue
        top = stack[-1][1]
        for _, node in reversed(stack[:-1]):
            top = node_hash(node, top)
        roots[m] = top
    return roots


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, leaves): the sibling hashes from the leaf up to the root."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf {index} is not in a tree of {len(leaves)} leaves")
    path: list[bytes] = []
    lo, hi = 0, len(leaves)
    # walk down from the root, keeping the sibling of each subtree the leaf lies in
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            path.append(root(leaves[lo + k : hi]))
            hi = lo + k
        else:
            path.append(root(leaves[lo : lo + k]))
            lo += k
    path.reverse()
    return path


def inclusion_proofs(leaves: Sequence[bytes], indices: Sequence[int]) -> dict[int, list[bytes]]:
    """The inclusion proofs of many leaves from one build of the tree (levels kept in memory):
    each proof is the siblings from the leaf up, a level without a sibling skipped."""
    for index in indices:
        if not 0 <= index < len(leaves):
            raise ValueError(f"leaf {index} is not in a tree of {len(leaves)} leaves")
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        below = levels[-1]
        above = [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        if len(below) % 2:
            above.append(below[-1])
        levels.append(above)
    proofs: dict[int, list[bytes]] = {}
    for index in indices:
        path, position = [], index
        for level in levels[:-1]:
            sibling = position ^ 1
            if sibling < len(level):
                path.append(level[sibling])
            position //= 2
        proofs[index] = path
    return proofs


def root_from_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes | None:
    """The root a leaf and its proof lead to (RFC 9162 2.1.3.2), or None if the proof cannot fit."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], top: bytes) -> bool:
    return root_from_inclusion(leaf, index, size, proof) == top


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """PROOF(old_size, leaves): shows the tree of the first old_size leaves is a prefix of this one."""
    if not 0 <= old_size <= len(leaves):
        raise ValueError(f"a tree of {old_size} leaves is not a prefix of a tree of {len(leaves)}")
    if old_size in (0, len(leaves)):
        return []
    return _subproof(old_size, leaves, complete=True)


def _subproof(m: int, leaves: Sequence[bytes], *, complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [root(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete=complete), root(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], complete=False), root(leaves[:k])]


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: does the proof show the old tree is a prefix of the new one?"""
    if old_size < 0 or old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is itself the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root
