"""From a subject as another system wrote it to a catalogue service, by rule.

"ATENCION A SEMAFORO SIN FUNCIONAR", "Atención a semáforo sin funcionar" and "semaforo" all
mean the service `semaforo`. In order:

1. the name or the code, compared without accents, case or punctuation;
2. the synonym table staff edit in the admin (SubjectSynonym);
3. by resemblance: the subject's significant words (without "atención a", "servicio de"…,
   plurals folded, one-letter typos forgiven) against each service's; the service must be the
   single best match, and the report lists such subjects as "por parecido" for staff to check.

Emergency types (police, ambulance, vehicle accident) are services like any other here:
history keeps them, whatever the citizen form offers.
"""

import re
import unicodedata
from difflib import SequenceMatcher

# Words that say nothing about which service is meant.
FILLER_WORDS = (
    "a al atencion atenciones de del e el en inmediata la las los o para por reporte servicio servicios "
    "solicitud un una y"
)
FILLER = frozenset(FILLER_WORDS.split())
MIN_SCORE = 0.6


def normalize(text):
    """Lower case ASCII words separated by one space: "  Atención a semáforo!" → "atencion a semaforo"."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _stem(word):
    # Spanish plurals: emergencias → emergencia, semaforos → semaforo, luces → luz.
    if len(word) > 4 and word.endswith("ces"):
        return word[:-3] + "z"
    if len(word) > 4 and word.endswith("es") and word[-3] not in "aeiou":
        return word[:-2]
    if len(word) > 3 and word.endswith("s"):
        return word[:-1]
    return word


def significant_words(text):
    return frozenset(_stem(word) for word in normalize(text).split() if word not in FILLER)


def _same_word(a, b):
    if a == b:
        return True
    # One typo in a long word ("desasolve" / "desazolve"), never in short ones.
    return min(len(a), len(b)) >= 6 and SequenceMatcher(None, a, b).ratio() >= 0.88


def _score(subject_words, service_words):
    if not subject_words or not service_words:
        return 0.0
    common = sum(1 for word in subject_words if any(_same_word(word, other) for other in service_words))
    if not common:
        return 0.0
    union = len(subject_words) + len(service_words) - common
    score = common / union
    # All of the subject's words belong to one service ("POLICIA" → emergencias policía).
    if common == len(subject_words) or common == len(service_words):
        score = max(score, 0.75)
    return score


class SubjectMatcher:
    """Matches subjects to services; each distinct subject is decided once."""

    BY_NAME, BY_SYNONYM, BY_RESEMBLANCE = "nombre", "sinónimo", "parecido"

    def __init__(self, services, synonyms=()):
        """`services`: Service objects; `synonyms`: (normalized text, Service) pairs."""
        self.services = list(services)
        self.exact = {}
        for service in self.services:
            # Not the old app's numeric id: a numeric field of another system (a count) would
            # then "match" services.
            for key in (service.name, service.code.replace("-", " ")):
                self.exact.setdefault(normalize(key), service)
        self.synonyms = dict(synonyms)
        self.words = [(significant_words(service.name), service) for service in self.services]
        self.decided = {}  # normalized subject → (service, how)
        self.seen = {}  # subject as written → (service, how)

    @classmethod
    def from_database(cls):
        from tickets.models import Service, SubjectSynonym

        synonyms = [(s.normalized, s.service) for s in SubjectSynonym.objects.select_related("service")]
        return cls(Service.objects.select_related("department"), synonyms)

    def match(self, subject):
        """(service or None, how): how is BY_NAME, BY_SYNONYM or BY_RESEMBLANCE."""
        if subject in self.seen:  # a file repeats its few subjects thousands of times
            return self.seen[subject]
        key = normalize(subject)
        if key not in self.decided:
            self.decided[key] = self._decide(key)
        self.seen[subject] = self.decided[key]
        return self.decided[key]

    def _decide(self, key):
        if not key:
            return None, None
        if key in self.exact:
            return self.exact[key], self.BY_NAME
        if key in self.synonyms:
            return self.synonyms[key], self.BY_SYNONYM
        words = significant_words(key)
        if not words:
            return None, None
        for synonym, service in self.synonyms.items():  # a synonym's words inside a longer subject
            if significant_words(synonym) == words:
                return service, self.BY_SYNONYM
        scored = sorted(((_score(words, w), s.code, s) for w, s in self.words), key=lambda x: (-x[0], x[1]))
        best = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        if best[0] >= MIN_SCORE and best[0] > runner_up:
            return best[2], self.BY_RESEMBLANCE
        return None, None
