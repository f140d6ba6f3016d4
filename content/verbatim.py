"""How nearly word for word a question repeats a sentence a buyer says in the pack.

A seller who pastes or retypes what the buyer said ("not now, busy season") repeats one
persona's wording more closely than the others'; that persona's version is the answer.
Words are compared as stems in order, function words included, and a stem that starts
another ("busi" / "busiest") counts as the same word.
"""

from __future__ import annotations

from collections.abc import Sequence

# A stem this long that starts another stem is the same word in another form.
MIN_PREFIX = 4


def same(a: str, b: str) -> bool:
    """Whether two stems are the same word (equal, or one a long enough prefix)."""
    if a == b:
        return True
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= MIN_PREFIX and long.startswith(short)


def matched(question: Sequence[str], sentence: Sequence[str]) -> list[int]:
    """Positions in ``question`` of its longest in-order match with ``sentence``."""
    n, m = len(question), len(sentence)
    if not n or not m:
        return []
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            if same(question[i], sentence[j]):
                table[i][j] = table[i + 1][j + 1] + 1
            else:
                table[i][j] = max(table[i + 1][j], table[i][j + 1])
    out = []
    i = j = 0
    while i < n and j < m:
        if same(question[i], sentence[j]) and table[i][j] == table[i + 1][j + 1] + 1:
            out.append(i)
            i += 1
            j += 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return out


def coverage(
    question: Sequence[str], sentences: Sequence[Sequence[str]], *, content: set[str]
) -> tuple[float, int]:
    """The best share of ``question`` one sentence repeats in order, and its content words.

    Args:
        question: The question's stems in order, function words included.
        sentences: The sentences to compare with, as stems in order.
        content: The question's content stems (the rest are function words).

    Returns:
        ``(share of the question's words, number of content words among them)`` for the
        sentence that repeats most of the question.
    """
    best = (0.0, 0)
    if not question:
        return best
    for sentence in sentences:
        at = matched(question, sentence)
        found = (len(at) / len(question), sum(question[i] in content for i in at))
        best = max(best, found)
    return best
