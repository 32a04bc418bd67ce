"""The pattern catalogue: one ``PatternSpec`` per way an entity shows up in text.

Every regex is written in the common subset of Python ``re`` and Hyperscan: no look-arounds, no
back-references, ASCII ``\\b``/``\\d``/``\\s`` (Hyperscan rejects ``\\b`` in Unicode mode, so both
backends run ASCII classes; accented letters are spelled out in the name classes). An optional
``(?P<v>...)`` group marks the value inside a cue ("né le <v>"); without it the whole match is
the value. Validation lives in Python (``check``), where it can look at the text around.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from hygie.privacy.engine import validators as v
from hygie.privacy.engine.given_names import GIVEN_NAMES
from hygie.privacy.engine.model import EntityType as E
from hygie.privacy.engine.validators import Verdict

# check(text, start, end) -> (verdict, start, end): may narrow the span (trailing stop words).
Check = Callable[[str, int, int], tuple[Verdict, int, int]]


@dataclass(frozen=True)
class PatternSpec:
    """One detector pattern and how to score what it matches."""

    detector: str
    entity: E | None  # None: a marker (INS OID) used as context, never reported
    regex: str
    check: Check
    valid_confidence: float
    # None: a checksum failure is dropped unless context words back the candidate (then 0.3);
    # a number: the confidence reported for a checksum failure (distinctive shapes only).
    failed_confidence: float | None = None
    needs_context: bool = False
    caseless: bool = False
    # False when the check only confirms a shape (phones, names): findings are "not validated".
    validates: bool = True
    # False: Hyperscan reports only the end (a start-of-match for an 800-name alternation costs
    # seconds of compile time); the check then walks back to the start itself.
    leftmost_start: bool = True
    # Where a match starts (its cue and the value's first character), for a pattern whose greedy
    # tail would make Hyperscan report every end offset (one Python call each, tens per note):
    # Hyperscan then finds the starts and Python's regex takes each match from there.
    anchor: str | None = None


def _on_value(func: Callable[[str], Verdict]) -> Check:
    def check(text: str, start: int, end: int) -> tuple[Verdict, int, int]:
        return func(text[start:end]), start, end

    return check


_PHONE_GROUP_SEP = re.compile(r"\d{2}([ .-]?)(?=\d{2})")
# An extension after a number: "x123", "ext. 12", "extension 301", "poste 12", "p. 4512".
_PHONE_EXTENSION = "(?:[ ]?,?[ ]?(?i:x|ext\\.?|extension|poste|p\\.)[ ]?\\d{1,5}\\b)?"
# A number ends at a word boundary, or glued to an "x" extension ("555-0100x7").
_PHONE_END = f"(?:\\b{_PHONE_EXTENSION}|(?i:x)\\d{{1,5}}\\b)"
_EXTENSION_TAIL = re.compile(r"[ ,]*(?:x|ext\.?|extension|poste|p\.) ?\d{1,5}$", re.IGNORECASE)


def _number_part(text: str, start: int, end: int) -> str:
    """The number without its extension."""
    value = text[start:end]
    tail = _EXTENSION_TAIL.search(value)
    return value[: tail.start()] if tail is not None else value


def _glued_to_digits(text: str, start: int, end: int) -> bool:
    """ "212-555-0100-22", "4.212.555.0100": a slice of a longer code, not a phone number."""
    after = text[end : end + 2]
    before = text[max(0, start - 2) : start]
    return (len(after) == 2 and after[0] in "-./" and after[1].isdigit()) or (
        len(before) == 2 and before[1] in "-./" and before[0].isdigit()
    )


def _fr_phone(text: str, start: int, end: int) -> tuple[Verdict, int, int]:
    """Printed French numbers use one separator throughout ("01 23 45 67 89", "01.23..."):
    mixed ones are dates and times such as "03-31-2010 10"."""
    national = _number_part(text, start, end)
    national = national[national.index("0") :] if national.startswith("0") else national[-14:]
    separators = {m.group(1) for m in _PHONE_GROUP_SEP.finditer(national.lstrip("0")[1:])}
    if len(separators) > 1 or _glued_to_digits(text, start, end):
        return Verdict.REJECTED, start, end
    return Verdict.VALID, start, end


_US_GROUP_SEP = re.compile(r"\d\)?([ .-]*)\d{3}([ .-])\d{4}$")


def _us_phone(text: str, start: int, end: int) -> tuple[Verdict, int, int]:
    """ "212.555.0100", "212-555-0100", "(212) 555-0100": one separator between the three
    groups (or a parenthesised area code); "212-555.0100" and "ref 212-555-0100-22" are not
    phone numbers."""
    number = _number_part(text, start, end).rstrip()
    groups = _US_GROUP_SEP.search(number)
    if groups is None or _glued_to_digits(text, start, end):
        return Verdict.REJECTED, start, end
    parenthesised = ")" in number
    if not parenthesised and groups.group(1) != groups.group(2):
        return Verdict.REJECTED, start, end
    return Verdict.VALID, start, end


def _us_phone_bare(text: str, start: int, end: int) -> tuple[Verdict, int, int]:
    verdict = Verdict.REJECTED if _glued_to_digits(text, start, end) else Verdict.VALID
    return verdict, start, end


def _address_line(text: str, start: int, end: int) -> tuple[Verdict, int, int]:
    """A labelled address runs to the next comma or line end; trailing blanks are dropped."""
    while end > start and text[end - 1] in " .\t":
        end -= 1
    letters = sum(1 for char in text[start:end] if char.isalpha())
    return (Verdict.VALID if 3 <= letters and end - start <= 80 else Verdict.REJECTED), start, end


def _ipv4(text: str, start: int, end: int) -> tuple[Verdict, int, int]:
    before, after = text[max(0, start - 2) : start], text[end : end + 2]
    return v.ipv4_verdict(text[start:end], before, after), start, end


def accept_shape(text: str, start: int, end: int) -> tuple[Verdict, int, int]:
    return Verdict.VALID, start, end


# Words that often follow a name at a sentence start or belong to the cue, never to the name.
_NAME_STOP_WORDS = frozenset(
    "le la les un une il elle ils the a an he she patient patiente né née nee ne date age âge "
    "dr mr mrs ms mme m docteur madame monsieur pour avec sans de du des et and or with for "
    "service chu chru ch hôpital hopital hospital clinic clinique ipp mrn nir ssn dob ddn tél tel "
    "rue avenue street adresse address".split()
)
# Words a name never runs through: what follows them is a place, a service or another cue.
_NAME_BREAK_WORDS = frozenset(
    "et and or with pour avec sans né née nee service chu chru ch hôpital hopital hospital "
    "clinic clinique ipp mrn nir ssn dob ddn tél tel rue avenue street adresse address".split()
)
_LOWER = "a-zàâäçéèêëîïôöùûüÿñ"
_UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÑ"


def _opens_surname(words: list[str], index: int) -> bool:
    """A capitalised particle before a capitalised word opens a surname ("LE GALL", "De La
    Fontaine"), where "le patient" or "Dr" would not."""
    word = words[index]
    if word.lower() not in _SURNAME_PARTICLES or not word[:1].isupper():
        return False
    following = words[index + 1] if index + 1 < len(words) else ""
    bare = following.lower().strip(".,")
    return following[:1].isupper() and (bare not in _NAME_STOP_WORDS or bare in _SURNAME_PARTICLES)


def _person(text: str, start: int, end: int) -> tuple[Verdict, int, int]:
    """Trim stop words off both ends; reject a bare stop word; refuse to end inside a word."""
    if end < len(text) and (text[end].isalpha() and text[end].islower()):
        return Verdict.REJECTED, start, end
    words = text[start:end].split()
    for index in range(1, len(words)):  # "Martin du CHU de Lyon": the name ends before "CHU"
        if words[index].lower().strip(".,") in _NAME_BREAK_WORDS:
            words = words[:index]
            break
    while words and words[-1].lower().strip(".,") in _NAME_STOP_WORDS:
        words.pop()
    lead = 0
    while lead < len(words) and words[lead].lower().strip(".,") in _NAME_STOP_WORDS:
        if _opens_surname(words, lead):
            break
        lead += 1
    if lead >= len(words):
        return Verdict.REJECTED, start, end
    new_start = text.index(words[lead], start)
    last = words[-1]
    new_end = text.rindex(last, new_start, end) + len(last)
    return Verdict.VALID, new_start, new_end


def _name_chars_end(text: str, end: int) -> int:
    while end < len(text) and (text[end].isalpha() or text[end] in "'-"):
        end += 1
    return end


# Particles that open a surname: "Le Gall", "de La Fontaine", "Van der Berg", "d'Alembert".
_SURNAME_PARTICLES = frozenset("de du des la le d l van von der den di da del della dos".split())


def _surname_end(text: str, end: int) -> int:
    """Extend over the surname's first word and, while that word is a particle ("Le", "de",
    "La"), over the next capitalised or particle word: "Le Gall", "de La Fontaine"."""
    end = _name_chars_end(text, end)
    for _ in range(3):
        word_start = end
        while word_start > 0 and (text[word_start - 1].isalpha() or text[word_start - 1] == "'"):
            word_start -= 1
        word = text[word_start:end].lower()
        if word.rstrip("'") not in _SURNAME_PARTICLES or text[end : end + 1] != " ":
            break
        following = text[end + 1 : end + 2]
        if not following.isalpha() or (following.islower() and following != "d"):
            break
        if following.islower():  # "de la Roche", "de d'..." only continue into a particle
            nxt = _name_chars_end(text, end + 1)
            if text[end + 1 : nxt].lower().split("'")[0] not in _SURNAME_PARTICLES:
                break
        end = _name_chars_end(text, end + 1)
    return end


def _walk_back_given(text: str, end: int) -> int:
    """Start of "<given> [particle] <surname initial>" reported by its end only."""
    start = end - 1
    while start > 0 and text[start - 1] in "'":  # "d'A": the particle is glued
        start -= 1
    for _ in range(3):  # blank, then a word; a lower-case particle word means one more
        while start > 0 and text[start - 1] == " ":
            start -= 1
        word_end = start
        while start > 0 and (text[start - 1].isalpha() or text[start - 1] in "'"):
            start -= 1
        word = text[start:word_end]
        if not (word[:1].islower() and word.lower().rstrip("'") in _SURNAME_PARTICLES):
            break
    return start


def _given_first(text: str, start: int, end: int) -> tuple[Verdict, int, int]:
    """Pattern stops at the surname's first letter (Hyperscan size limit): extend it here.

    ``start == end`` means the matcher reported the end only: walk back over the blank, any
    lower-case particle ("de la", "d'") and the given name.
    """
    if start == end:
        start = _walk_back_given(text, end)
    end = _surname_end(text, end)
    if start >= 2 and text[start - 1] == "-" and text[start - 2].isalpha():  # Jean-Pierre
        start = text.rfind(" ", 0, start - 1) + 1
    if start > 0 and text[start - 1].isalnum():
        return Verdict.REJECTED, start, end  # "Jean" inside "Grosjean Dupont"
    words = text[start:end].split()
    if not words:  # the walk back found only blanks (e.g. a hyphen run before the name)
        return Verdict.REJECTED, start, end
    first = words[0].split("-")[0]
    if first not in GIVEN_NAMES or _US_CITY_STATE.match(text, end, end + 8):
        return Verdict.REJECTED, start, end  # "Ann Arbor, MI": a city, not a person
    return _person(text, start, end)


def _surname_first(text: str, start: int, end: int) -> tuple[Verdict, int, int]:
    """Pattern starts two capitals before the given name: extend back to the surname's start."""
    while start > 0 and (text[start - 1].isupper() or text[start - 1] in "'-"):
        start -= 1
    if start > 0 and text[start - 1].isalnum():
        return Verdict.REJECTED, start, end
    return _person(text, start, end)


_DIGIT_SEP = "[ .]?"
# One name word: "Martin", "MARTIN", "Jean-Pierre", "Smith-Jones", "O'Brien", "D'Alembert",
# "McDonald", "MacArthur" (a second capital inside the word), "L'HERMITE".
_CAP_WORD = f"(?:[{_UPPER}]')?[{_UPPER}][{_LOWER}]+(?:[{_UPPER}][{_LOWER}]+)?"
_CAPS_WORD = f"(?:[{_UPPER}]')?[{_UPPER}][{_UPPER}]+"
_NAME_WORD = f"(?:{_CAP_WORD}(?:[-'](?:{_CAP_WORD}))?|{_CAPS_WORD}(?:[-']{_CAPS_WORD})?)"
# Lower-case particles inside a name: "de La Fontaine", "du Pont", "d'Alembert", "van der Berg"
# (capitalised ones, "Le Gall", "De La Fontaine", are name words already).
_PARTICLE = (
    "(?:(?:de[ ]la|de|du|des|van(?:[ ]de[nr])?|von(?:[ ]der)?|di|da|del|della|dos|le|la)[ ]+|d'|l')"
)
_NAME_PART = f"(?:[ \\t]+{_PARTICLE}?{_NAME_WORD})"
_NAME = f"{_NAME_WORD}{_NAME_PART}{{0,3}}"
_TITLE_CUE = (
    "\\b(?:M\\.|Mr\\.?|Mrs\\.?|Ms\\.?|Mme|Mlle|Madame|Monsieur|Dr\\.?|Docteur|Pr\\.?"
    "|Professeur)[ ]+"
)
_ADDRESS_CUE = "(?i:adresse|address|domicile|home address|street address)[ ]?:[ ]*"
# Longest first, then alphabetical: the same expression in every process (a set's order follows
# the string hash seed), so the compiled database cache finds it again.
_GIVEN = "(?:" + "|".join(sorted(GIVEN_NAMES, key=lambda name: (-len(name), name))) + ")"
_MONTH_FR = (
    "(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre"
    "|d[ée]cembre)"
)
_MONTH_EN = (
    "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    "|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = (
    "(?:\\d{1,2}[/.-]\\d{1,2}[/.-](?:18|19|20)\\d{2}"
    "|(?:18|19|20)\\d{2}-\\d{2}-\\d{2}"
    f"|(?:1er|\\d{{1,2}})[ ](?i:{_MONTH_FR})[ ](?:18|19|20)\\d{{2}}"
    f"|\\d{{1,2}}[ ](?i:{_MONTH_EN})\\.?[ ](?:18|19|20)\\d{{2}}"
    f"|(?i:{_MONTH_EN})\\.?[ ]\\d{{1,2}}(?:st|nd|rd|th)?,?[ ](?:18|19|20)\\d{{2}})"
)
_US_STATES = (
    "(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|"
    "NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR|VI|GU|AS|MP|FM|MH|PW|"
    "AA|AE|AP)"
)
# Common street suffixes of USPS Publication 28 (appendix C1), full and abbreviated.
_US_STREET_SUFFIXES = "|".join(
    """street st avenue ave road rd boulevard blvd lane ln drive dr court ct way place pl terrace
    ter circle cir parkway pkwy highway hwy alley annex arcade bend bluff bluffs bottom branch
    bridge brook brooks bypass camp canyon cape causeway center centers cliff cliffs club common
    commons corner corners course courts cove coves creek crescent crest crossing crossroad curve
    dale dam divide estate estates expressway extension falls fall ferry field fields flat flats
    ford fords forest forge forges fork forks fort freeway garden gardens gateway glen glens green
    greens grove groves harbor harbors haven heights hill hills hollow inlet island islands isle
    junction junctions key keys knoll knolls lake lakes landing light lights loaf lock locks lodge
    loop mall manor manors meadow meadows mews mill mills mission motorway mount mountain
    mountains neck orchard oval overpass park parks pass passage path pike pine pines plain plains
    plaza point points port ports prairie radial ramp ranch rapid rapids rest ridge ridges river
    roads route row rue run shoal shoals shore shores skyway spring springs spur spurs square
    squares station stravenue stream streets summit throughway trace track trafficway trail
    trailer tunnel turnpike underpass union unions valley valleys viaduct view views village
    villages ville vista walk walks wall ways well wells""".split()
)
_US_CITY_STATE = re.compile(f",? {_US_STATES}\\b")
_MBI_LETTER = "[AC-HJKMNP-RT-Y]"
_MBI_ALNUM = "[AC-HJKMNP-RT-Y0-9]"

_PATTERNS: tuple[PatternSpec, ...] = (
    # --- France -------------------------------------------------------------------------------
    PatternSpec(
        "fr_nir",
        E.FR_NIR,
        f"\\b[1-478]{_DIGIT_SEP}\\d{{2}}{_DIGIT_SEP}\\d{{2}}{_DIGIT_SEP}(?:\\d{{2}}|2[AB])"
        f"{_DIGIT_SEP}\\d{{3}}{_DIGIT_SEP}\\d{{3}}{_DIGIT_SEP}\\d{{2}}\\b",
        _on_value(v.nir_verdict),
        0.9,
        failed_confidence=0.3,
    ),
    PatternSpec(
        "fr_ins_oid",
        None,
        "\\b1\\.2\\.250\\.1\\.213\\.1\\.4\\.(?:8|9|10|11)\\b",
        accept_shape,
        1.0,
    ),
    PatternSpec("fr_idnat_rpps", E.FR_RPPS, "\\b8\\d{11}\\b", _on_value(v.rpps_verdict), 0.7),
    PatternSpec("fr_rpps", E.FR_RPPS, "\\b\\d{11}\\b", _on_value(v.rpps_verdict), 0.4),
    PatternSpec(
        "fr_adeli",
        E.FR_ADELI,
        "\\b0?\\d{9}\\b",
        _on_value(v.adeli_verdict),
        0.85,
        needs_context=True,
    ),
    PatternSpec(
        "fr_finess",
        E.FR_FINESS,
        "\\b(?:\\d{2}|2[AB])\\d{7}\\b",
        _on_value(v.finess_verdict),
        0.9,
        failed_confidence=0.4,
        needs_context=True,
    ),
    PatternSpec(
        "fr_phone",
        E.FR_PHONE,
        "(?:(?:\\+|\\b00)33[ .-]?(?:\\(0\\)[ .-]?)?|\\b0)[1-9](?:[ .-]?\\d{2}){4}" + _PHONE_END,
        _fr_phone,
        0.75,
    ),
    PatternSpec(
        "fr_postal_code_city",
        E.POSTAL_CODE,
        f"\\b(?P<v>(?:[0-8]\\d|9[0-8])\\d{{3}})[ ]+[{_UPPER}][{_UPPER}{_LOWER}'-]+"
        f"(?:[ -](?:[{_UPPER}][{_UPPER}{_LOWER}'-]+|sur|en|le|la|les|de)){{0,3}}",
        accept_shape,
        0.6,
    ),
    PatternSpec(
        "fr_address",
        E.ADDRESS,
        "\\b\\d{1,4}(?:[ ]?(?:bis|ter|[A-C]))?,?[ ]+"
        "(?i:rue|avenue|av\\.|boulevard|bd|place|chemin|all[ée]e|impasse|route|quai|cours|square"
        "|voie|passage|lotissement|r[ée]sidence|faubourg|hameau|lieu-dit)[ ]+"
        f"(?:(?:de la|de l'|du|des|de|d'|la|le|les|l')[ ]?)?[{_UPPER}{_LOWER}][{_LOWER}{_UPPER}'-]+"
        f"(?:[ ]+(?:de la |de l'|du |des |de |d'|la |le |les |l')?[{_UPPER}][{_LOWER}{_UPPER}'-]+)"
        "{0,3}",
        accept_shape,
        0.8,
    ),
    # --- United States ------------------------------------------------------------------------
    PatternSpec("us_ssn", E.US_SSN, "\\b\\d{3}-\\d{2}-\\d{4}\\b", _on_value(v.ssn_verdict), 0.85),
    PatternSpec(
        "us_ssn_spaced", E.US_SSN, "\\b\\d{3} \\d{2} \\d{4}\\b", _on_value(v.ssn_verdict), 0.6
    ),
    PatternSpec(
        "us_ssn_bare", E.US_SSN, "\\b\\d{9}\\b", _on_value(v.ssn_verdict), 0.8, needs_context=True
    ),
    PatternSpec("us_npi", E.US_NPI, "\\b[12]\\d{9}\\b", _on_value(v.npi_verdict), 0.6),
    PatternSpec(
        "us_dea", E.US_DEA, "\\b[ABCDEFGHJKLMPRSTUX][A-Z9]\\d{7}\\b", _on_value(v.dea_verdict), 0.8
    ),
    PatternSpec(
        "us_mbi",
        E.US_MBI,
        f"\\b[1-9]{_MBI_LETTER}{_MBI_ALNUM}\\d-?{_MBI_LETTER}{_MBI_ALNUM}\\d-?{_MBI_LETTER}{{2}}"
        "\\d{2}\\b",
        _on_value(v.mbi_verdict),
        0.8,
    ),
    PatternSpec(
        "us_phone",
        E.US_PHONE,
        # Exchange codes start with 0 or 1 only in fictional numbers ("555-010-0000"), which
        # test data and examples use: any three digits, one separator throughout (_us_phone).
        "(?:(?:\\+|\\b)1[ .-]?)?(?:\\([2-9]\\d{2}\\)[ .-]?|\\b[2-9]\\d{2}[ .-])\\d{3}[ .-]\\d{4}"
        + _PHONE_END,
        _us_phone,
        0.7,
    ),
    PatternSpec(
        "us_phone_cue",
        E.US_PHONE,
        # Ten bare digits are a phone number only right after a phone word ("Tel: 2125550100").
        "(?i:\\btel|\\bt[ée]l[ée]?phone|\\bphone|\\bportable|\\bmobile|\\bcell|\\bfax"
        "|\\bpager|joignable(?:[ ]au)?)\\.?(?:[ ]?(?i:number|no\\.?|n°|#))?[ ]?[:.]?[ ]*"
        "(?P<v>(?:\\+?1)?[2-9]\\d{2}[2-9]\\d{6}" + _PHONE_END + ")",
        _us_phone_bare,
        0.75,
    ),
    PatternSpec(
        "us_zip_state",
        E.POSTAL_CODE,
        f"\\b{_US_STATES},?[ ]+(?P<v>\\d{{5}}(?:-\\d{{4}})?)\\b",
        accept_shape,
        0.75,
    ),
    PatternSpec(
        "zip_cue",
        E.POSTAL_CODE,
        "(?i:zip(?: ?code)?|code postal|cp)[ ]?[:#]?[ ]*(?P<v>\\d{5}(?:-\\d{4})?)\\b",
        accept_shape,
        0.85,
    ),
    PatternSpec(
        "us_address",
        E.ADDRESS,
        "\\b\\d{1,6}[ ]+(?:[NSEW]\\.?[ ]+)?(?:[A-Z][A-Za-z]+[ ]+){1,3}"
        f"(?i:{_US_STREET_SUFFIXES})\\b\\.?",
        accept_shape,
        0.8,
    ),
    # --- Both ---------------------------------------------------------------------------------
    PatternSpec(
        "address_label",
        E.ADDRESS,
        f"{_ADDRESS_CUE}(?P<v>\\d{{1,5}}(?:[ ]?(?:bis|ter))?,?[ ][^\\n\\r,;|^]+)",
        _address_line,
        0.85,
        anchor=f"{_ADDRESS_CUE}\\d",
    ),
    PatternSpec(
        "mrn_cue",
        E.MRN,
        "(?i:\\bmrn|medical record(?: number| no\\.?| #)?|\\bipp|n° ?(?:de )?dossier"
        "|num[ée]ro de dossier|patient id|id patient|\\bnip|n° patient|account (?:number|no\\.?))"
        "[ ]?[:#]?[ ]*(?P<v>[A-Z0-9][A-Z0-9-]{3,19})\\b",
        _on_value(v.has_digit),
        0.9,
    ),
    PatternSpec(
        "dob_cue",
        E.DATE_OF_BIRTH,
        "(?i:\\bn[ée]e?(?:[ ]?\\(e\\))?[ ]+le|date de naissance|\\bddn|\\bd\\.?o\\.?b\\.?"
        "|date of birth|birth ?date|\\bborn(?: on)?)[ ]?[:-]?[ ]*"
        f"(?P<v>{_DATE})\\b",
        _on_value(v.date_verdict),
        0.95,
    ),
    PatternSpec("date", E.DATE, f"\\b{_DATE}\\b", _on_value(v.date_verdict), 0.6),
    PatternSpec(
        "person_title",
        E.PERSON,
        f"{_TITLE_CUE}(?P<v>{_NAME})",
        _person,
        0.85,
        anchor=f"{_TITLE_CUE}[{_UPPER}]",  # every name word opens with a capital
    ),
    PatternSpec(
        "person_label",
        E.PERSON,
        "(?i:patient(?:e)?|nom(?: de naissance| d'usage)?|pr[ée]noms?|name|first name|last name"
        "|family name|given name|surname|m[ée]decin traitant|referring physician)[ ]?:[ ]*"
        f"(?P<v>{_NAME_WORD}(?:,?[ ]+{_PARTICLE}?{_NAME_WORD}){{0,3}})",
        _person,
        0.85,
    ),
    PatternSpec(
        "person_nee",
        E.PERSON,
        f"\\bn[ée]e[ ]+(?P<v>{_NAME_WORD})",
        _person,
        0.75,
    ),
    PatternSpec(
        "person_given_name",
        E.PERSON,
        # No \\b before the name: in ASCII mode there is none before "Édith" (see _given_first).
        f"{_GIVEN}(?:-[{_UPPER}][{_LOWER}]+)?[ ]+{_PARTICLE}?[{_UPPER}]",
        _given_first,
        0.7,
        leftmost_start=False,
    ),
    PatternSpec(
        "person_surname_first",
        E.PERSON,
        f"[{_UPPER}]{{2}}[ ]+{_GIVEN}",
        _surname_first,
        0.7,
    ),
    PatternSpec(
        "email",
        E.EMAIL,
        "\\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,24}\\b",
        accept_shape,
        0.9,
    ),
    PatternSpec("ipv4", E.IP_ADDRESS, "\\b(?:\\d{1,3}\\.){3}\\d{1,3}\\b", _ipv4, 0.7),
    PatternSpec(
        "ipv6",
        E.IP_ADDRESS,
        "\\b(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}\\b"
        "|\\b(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,5})?",
        _on_value(v.ipv6_verdict),
        0.7,
    ),
    PatternSpec("url", E.URL, "\\bhttps?://[^\\s<>\"'|^\\\\]+", _on_value(v.url_verdict), 0.75),
    PatternSpec(
        "iban",
        E.IBAN,
        "\\b[A-Z]{2}\\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\\b",
        _on_value(v.iban_verdict),
        0.95,
        failed_confidence=0.3,
    ),
    PatternSpec(
        "credit_card_grouped",
        E.CREDIT_CARD,
        "\\b(?:\\d{4}[ -]){3}\\d{1,7}\\b|\\b3[47]\\d{2}[ -]\\d{6}[ -]\\d{5}\\b",
        _on_value(v.credit_card_verdict),
        0.9,
        failed_confidence=0.3,
    ),
    PatternSpec(
        "credit_card", E.CREDIT_CARD, "\\b\\d{13,19}\\b", _on_value(v.credit_card_verdict), 0.75
    ),
)

_SHAPE_ONLY_CHECKS: tuple[Check, ...] = (
    accept_shape,
    _address_line,
    _fr_phone,
    _us_phone,
    _us_phone_bare,
    _person,
    _given_first,
    _surname_first,
)
PATTERNS: tuple[PatternSpec, ...] = tuple(
    replace(spec, validates=False) if spec.check in _SHAPE_ONLY_CHECKS else spec
    for spec in _PATTERNS
)
# Name patterns that rely on a given-name list rather than a cue ("Mme", "Patient :").
LIST_NAME_DETECTORS = frozenset({"person_given_name", "person_surname_first"})

# Words that, near a candidate, make it more likely (context boost) — lower case.
CONTEXT_WORDS: dict[E, tuple[str, ...]] = {
    E.FR_NIR: (
        "nir",
        "sécurité sociale",
        "securite sociale",
        "sécu",
        "secu",
        "insee",
        "matricule",
        "assuré",
        "assure",
        "ins",
    ),
    E.FR_INS: ("ins", "matricule"),
    E.FR_RPPS: ("rpps", "idnat", "id nat", "praticien", "médecin", "medecin", "docteur"),
    E.FR_ADELI: ("adeli", "idnat", "id nat"),
    E.FR_FINESS: ("finess",),
    E.US_SSN: ("ssn", "social security", "soc sec", "ss#", "ss #", "ssa"),
    E.US_NPI: ("npi", "national provider", "provider id"),
    E.US_DEA: ("dea",),
    E.US_MBI: ("mbi", "medicare"),
    E.IBAN: ("iban", "rib", "bank", "banque", "compte"),
    E.CREDIT_CARD: ("card", "carte", "visa", "mastercard", "amex", "credit", "crédit", "cb"),
    E.FR_PHONE: ("tel", "tél", "phone", "portable", "mobile", "fax", "contact", "joindre"),
    E.US_PHONE: ("tel", "phone", "mobile", "cell", "fax", "contact", "call"),
    E.IP_ADDRESS: ("ip", "host", "address", "adresse"),
    E.DATE: ("date", "le ", "on ", "admission", "visit", "consultation"),
}
# Words that make a numeric candidate less likely to be about a person.
NEGATIVE_WORDS: tuple[str, ...] = (
    "commande",
    "order",
    "facture",
    "invoice",
    "lot",
    "batch",
    "version",
    "serial",
    "réf",
    "ref.",
    "ticket",
    "siret",
    "siren",
    "tva",
    "vat",
)
NUMERIC_ENTITIES = frozenset(
    {
        E.FR_RPPS,
        E.FR_ADELI,
        E.FR_FINESS,
        E.US_SSN,
        E.US_NPI,
        E.CREDIT_CARD,
        E.FR_NIR,
        E.US_PHONE,
        E.FR_PHONE,
    }
)
