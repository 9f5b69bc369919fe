"""Hashed character n-grams of many texts at once, computed with NumPy.

Character n-grams work in every language without a tokeniser (Chinese and Thai do not put
spaces between words; Finnish and Russian glue endings onto stems), which is why the sentiment
model and the themes use them. scikit-learn's ``HashingVectorizer(analyzer="char_wb")`` builds
them one text at a time in Python: about 11k short texts a second on this machine, slower than
VADER itself. Here a batch of texts is joined into one string, decoded into an array of code
points, and every n-gram of every text is hashed by a few whole-array operations.

Features of a text (the same for fitting and predicting): lower-cased, padded with a space on
both sides; each n-gram that stays inside the text is hashed into one of ``n_features``
columns (column 0 is reserved for "nothing" and always weighs 0). A linear model over them
needs no matrix at prediction time: :func:`linear_scores` sums a weight table over the
occurrences, in text order, with one ``reduceat``.

The hash is a polynomial over code points (mod 2**32), spread by Fibonacci hashing (multiply
by 2**32/φ, keep the top bits); collisions are what any hashing vectorizer accepts in exchange
for holding no vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import scipy.sparse as sp

__all__ = ["DEFAULT_FEATURES", "DEFAULT_NGRAMS", "hashed_ngrams", "linear_scores"]

DEFAULT_NGRAMS = (1, 4)
DEFAULT_FEATURES = 2**18
BATCH = 50_000  # texts per block: bounds the memory of the n-gram arrays

_PRIME = np.uint32(16_777_619)
_GOLDEN = np.uint32(2_654_435_769)


def hashed_ngrams(
    texts: Sequence[str | None],
    ngrams: tuple[int, int] = DEFAULT_NGRAMS,
    n_features: int = DEFAULT_FEATURES,
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Counts of each text's character n-grams (``ngrams`` = shortest, longest), hashed into
    ``n_features`` columns (a power of two), and each text's number of n-grams. Missing texts
    (None) give empty rows."""
    _check(n_features)
    blocks, counts = [], []
    for block in _blocks(texts, ngrams, n_features):
        counts.append(_counts(block.lengths, ngrams))
        doc = np.concatenate(
            [np.repeat(np.arange(len(block.starts)), np.diff(np.append(block.starts, len(col)))) for col in block.cols]
        )
        col = np.concatenate(block.cols)
        keep = col != 0
        blocks.append(
            sp.csr_matrix(
                (np.ones(int(keep.sum()), np.float32), (doc[keep], col[keep])),
                shape=(len(block.starts), n_features),
            )
        )
    if not blocks:
        return sp.csr_matrix((0, n_features), dtype=np.float32), np.zeros(0)
    matrix = blocks[0] if len(blocks) == 1 else sp.vstack(blocks, format="csr")
    matrix.sum_duplicates()
    return matrix, np.concatenate(counts)


def linear_scores(
    texts: Sequence[str | None],
    weights: np.ndarray,
    ngrams: tuple[int, int] = DEFAULT_NGRAMS,
) -> tuple[np.ndarray, np.ndarray]:
    """Per text, the sum of ``weights`` (k × n_features) over its n-gram occurrences, and its
    number of n-grams (as :func:`hashed_ngrams` counts them).

    That is ``hashed_ngrams(texts)[0] @ weights.T`` without building the matrix: no sort, no
    duplicate merge, per n-gram length and output one ``take`` and one ``reduceat`` (a 1-D
    take is three times faster than a 2-D row gather). ``weights[:, 0]`` must be zero (the
    reserved column).
    """
    k, n_features = weights.shape
    _check(n_features)
    rows = [np.ascontiguousarray(w) for w in weights]
    out = np.zeros((len(texts), k), dtype=np.float64)
    counts = np.zeros(len(texts))
    offset = 0
    for block in _blocks(texts, ngrams, n_features):
        n = len(block.starts)
        for col in block.cols:
            for j, row in enumerate(rows):
                out[offset : offset + n, j] += np.add.reduceat(np.take(row, col), block.starts)
        counts[offset : offset + n] = _counts(block.lengths, ngrams)
        offset += n
    return out, counts


def _counts(lengths: np.ndarray, ngrams: tuple[int, int]) -> np.ndarray:
    """How many n-grams a padded text of each length has: they do not cross texts."""
    lo, hi = ngrams
    return sum(np.maximum(lengths - n + 1, 0) for n in range(lo, hi + 1)).astype(np.float64)


class _Block:
    """One batch of texts: where each text starts, and the columns of its n-grams per length
    (one array per length, in position order; 0 where an n-gram would cross texts)."""

    __slots__ = ("starts", "lengths", "cols")

    def __init__(self, starts: np.ndarray, lengths: np.ndarray, cols: list[np.ndarray]):
        self.starts = starts
        self.lengths = lengths  # padded: " text "
        self.cols = cols


def _check(n_features: int) -> None:
    if n_features < 2 or n_features & (n_features - 1):
        raise ValueError(f"n_features={n_features} must be a power of two")


def _blocks(texts: Sequence[str | None], ngrams: tuple[int, int], n_features: int) -> Iterator[_Block]:
    for start in range(0, len(texts), BATCH):
        yield _block(texts[start : start + BATCH], ngrams, n_features)


def _block(texts: Sequence[str | None], ngrams: tuple[int, int], n_features: int) -> _Block:
    texts = [t if isinstance(t, str) else "" for t in texts]
    lo, hi = ngrams
    codes = _code_points(texts, hi)
    # Separators are found by content, not by offsets: str.lower() may change a text's length.
    is_sep = codes == 0
    if int(is_sep.sum()) != len(texts) + hi:  # a text held a NUL itself: blank it out, once
        codes = _code_points([t.replace("\x00", " ") for t in texts], hi)
        is_sep = codes == 0
    sep_at = np.flatnonzero(is_sep)[: len(texts)]
    starts = np.concatenate(([0], sep_at[:-1] + 1)).astype(np.intp)
    crossed = np.concatenate(([0], np.cumsum(is_sep, dtype=np.int32)))
    shift = np.uint32(32 - n_features.bit_length() + 1)
    cols = []
    h = np.zeros(len(codes), dtype=np.uint32)
    for n in range(1, hi + 1):
        m = len(codes) - n + 1
        h = h[:m] * _PRIME + codes[n - 1 : n - 1 + m]  # h[i] now covers codes[i : i + n]
        if n < lo:
            continue
        col = ((h + np.uint32(n)) * _GOLDEN) >> shift
        col *= crossed[n : n + m] == crossed[:m]  # an n-gram across texts goes to column 0
        cols.append(col.astype(np.intp))
    return _Block(starts, sep_at - starts, cols)


def _code_points(texts: list[str], tail: int) -> np.ndarray:
    """ " text " per document, each followed by one NUL that no n-gram may cross, then
    ``tail`` more NULs so that every text has a position for every n-gram length."""
    joined = (" " + " \x00 ".join(texts) + " " + "\x00" * (1 + tail)).lower()
    return np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).copy()
