"""Matching of labels people type against the contract's vocabularies.

Users write "Street Lighting", "street-lighting", "STREET LIGHTING " or the
Welsh "Goleuadau stryd"; all must land on the same term. Matching is case-,
space-, accent- and punctuation-insensitive; suggestions for near misses come
from :mod:`difflib`.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise_label(text: object) -> str:
    """Return the matching key of a label: lower case, no accents, words joined by single spaces.

    ``"Dŵr"`` -> ``"dwr"``, ``"T&D losses"`` -> ``"t and d losses"``, ``"m³"`` -> ``"m3"``,
    ``"£"`` -> ``"gbp"``. Keys are remembered: uploads name the same bodies and categories again and again.
    """
    try:
        return _normalised(text)
    except TypeError:  # a value that cannot be remembered (unhashable)
        return _normalise(text)


def _normalise(text: object) -> str:
    s = str(text).replace("&", " and ").replace("£", " gbp ")
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s)
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", s.casefold()).strip()


#: typed: 1, 1.0 and True are equal as keys but read differently ("1", "1.0", "True").
_normalised = functools.lru_cache(maxsize=1 << 16, typed=True)(_normalise)


#: Labels compared one by one with a misspelling up to this many; beyond, only the closest few hundred.
COMPARE_ALL_UP_TO = 2000
CANDIDATES = 200
#: Suggestions remembered per index (the least recently asked forgotten first).
SUGGESTIONS_KEPT = 10_000


def _trigrams(key: str) -> set[str]:
    padded = f" {key} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


class LabelIndex:
    """Resolves typed labels to term ids and suggests the nearest term for a miss.

    Parameters
    ----------
    entries
        ``(term_id, display_name, labels)`` triples: every label (names in both
        languages, aliases, the id itself) that should resolve to ``term_id``.
    """

    def __init__(self, entries: Iterable[tuple[str, str, Iterable[str]]]) -> None:
        self._ids: dict[str, str] = {}
        self._display: dict[str, str] = {}
        ambiguous: set[str] = set()
        for term_id, display, labels in entries:
            self._display[term_id] = display
            for label in labels:
                key = normalise_label(label)
                if not key:
                    continue
                if key in self._ids and self._ids[key] != term_id:
                    ambiguous.add(key)
                self._ids.setdefault(key, term_id)
        for key in ambiguous:
            del self._ids[key]
        # Per index, thread-safe, bounded: a report lists the same misspelling on many rows.
        self._remembered = functools.lru_cache(maxsize=SUGGESTIONS_KEPT)(lambda key: self._nearest(key))
        self._by_trigram: dict[str, list[str]] | None = None

    def resolve(self, text: object) -> str | None:
        """Return the term id ``text`` names, or None."""
        return self._ids.get(normalise_label(text))

    def suggest(self, text: object) -> str | None:
        """Return the display name of the term nearest to ``text``, or None if nothing is close.

        Worked out once per distinct text: a report lists the same misspelling on many rows.
        """
        term_id = self.suggest_id(text)
        return None if term_id is None else self._display[term_id]

    def suggest_id(self, text: object) -> str | None:
        """Return the id of the term nearest to ``text`` (to name it in any language), or None if nothing is close."""
        key = normalise_label(text)
        if not key:
            return None
        return self._remembered(key)

    def _nearest(self, key: str) -> str | None:
        close = difflib.get_close_matches(key, self._candidates(key), n=1, cutoff=0.6)
        if not close:
            # A label that contains a known key ("Buildings energy total") is a near miss too.
            contained = [k for k in self._ids if len(k) >= 4 and k in key]
            if not contained:
                return None
            close = [max(contained, key=len)]
        return self._ids[close[0]]

    def _candidates(self, key: str) -> Iterable[str]:
        """Return the labels worth comparing with ``key``: all of them, or for a long register those
        sharing the most runs of three letters with it (comparing with 26,000 labels took half a second)."""
        if len(self._ids) <= COMPARE_ALL_UP_TO:
            return self._ids.keys()
        by_trigram = self._by_trigram
        if by_trigram is None:  # built whole before it is shared with other threads
            by_trigram = {}
            for label in self._ids:
                for gram in _trigrams(label):
                    by_trigram.setdefault(gram, []).append(label)
            self._by_trigram = by_trigram
        shared: Counter[str] = Counter()
        for gram in _trigrams(key):
            shared.update(by_trigram.get(gram, ()))
        return [label for label, _ in shared.most_common(CANDIDATES)]

    def display(self, term_id: str) -> str:
        """Return the display name of a term id."""
        return self._display[term_id]
