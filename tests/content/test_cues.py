"""A cue word must mean one thing: a field, reported speech or "who is" — never two."""

from __future__ import annotations

from collections import defaultdict

import pytest

from content.analysis import Analyzer
from content.lexicon import lexicon

LANGUAGES = ["en", "da", "nb", "sv", "de", "fr"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_single_word_cues_do_not_overlap_after_stemming(language: str) -> None:
    lex = lexicon(language)
    analyzer = Analyzer(language=language)
    owners: dict[str, set[str]] = defaultdict(set)
    groups = {"who": lex.who, "says": lex.says, **{f"fields.{k}": v for k, v in lex.fields.items()}}
    for group, cues in groups.items():
        for cue in cues:
            terms = analyzer.terms(cue, keep_stopwords=True)
            if len(terms) == 1:
                owners[terms[0]].add(group)
    clashes = {term: sorted(groups) for term, groups in owners.items() if len(groups) > 1}
    assert clashes == {}
