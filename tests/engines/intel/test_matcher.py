"""IOC matcher: exact sets, CIDR prefix tables, domain suffixes, URLs, free text tokenised once;
it agrees with the naive per-indicator reference on random indicators and events (properties)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hygie.intel.engine.matcher import IndicatorMatcher, naive_match
from hygie.intel.engine.model import Indicator, make_indicator


def _indicators() -> list[Indicator]:
    return [
        make_indicator("cidr", "10.0.0.0/8"),
        make_indicator("cidr", "10.20.0.0/16"),
        make_indicator("cidr", "2001:db8::/32"),
        make_indicator("ipv4", "192.0.2.1"),
        make_indicator("ipv6", "2001:db8:ffff::1"),
        make_indicator("domain", "evil.example"),
        make_indicator("url", "http://bad.example.org/x"),
        make_indicator("sha256", "a" * 64),
        make_indicator("md5", "d41d8cd98f00b204e9800998ecf8427e"),
        make_indicator("file-name", "Facture.pdf.exe"),
        make_indicator("email", "x@phish.example"),
        make_indicator("ja4", "t13d1516h2_8daaf6152771_b186095e22b6"),
        make_indicator("cve", "CVE-2024-3094"),
        make_indicator("user-agent", "EvilBot/1.0"),
    ]


def _found(matcher: IndicatorMatcher, fields: dict[str, str]) -> set[tuple[str, str, str]]:
    return {(h.field, h.indicator.value, h.how) for h in matcher.match_event(fields)}


def test_every_kind_of_match() -> None:
    matcher = IndicatorMatcher(_indicators())
    fields = {
        "src": "10.20.3.4",
        "dst": "192.0.2.1",
        "v6": "2001:DB8::5",
        "host": "a.b.EVIL.example.",
        "url": "HTTP://bad.example.org:80/x#frag",
        "msg": "clic sur hxxp://bad.example[.]org/x ou notevil.example",
        "hash": "A" * 64,
        "md5": "d41d8cd98f00b204e9800998ecf8427e",
        "file": "facture.pdf.exe",
        "from": "x@phish.example",
        "ja4": "t13d1516h2_8daaf6152771_b186095e22b6",
        "cve": "cve-2024-3094",
        "ua": "EvilBot/1.0",
    }
    assert _found(matcher, fields) == {
        ("src", "10.0.0.0/8", "cidr"),
        ("src", "10.20.0.0/16", "cidr"),
        ("dst", "192.0.2.1", "exact"),
        ("v6", "2001:db8::/32", "cidr"),
        ("host", "evil.example", "domain"),
        ("url", "http://bad.example.org/x", "url"),
        ("msg", "http://bad.example.org/x", "text"),
        ("hash", "a" * 64, "exact"),
        ("md5", "d41d8cd98f00b204e9800998ecf8427e", "exact"),
        ("file", "Facture.pdf.exe", "exact"),
        ("from", "x@phish.example", "exact"),
        ("ja4", "t13d1516h2_8daaf6152771_b186095e22b6", "exact"),
        ("cve", "CVE-2024-3094", "exact"),
        ("ua", "EvilBot/1.0", "exact"),
    }


def test_no_false_positives() -> None:
    matcher = IndicatorMatcher(_indicators())
    fields = {
        "a": "11.0.0.1",  # outside 10/8
        "b": "notevil.example",  # a suffix match needs a label boundary
        "c": "evil.example.com",  # the domain is not a suffix here
        "d": "http://bad.example.org/xy",
        "e": "2001:db9::1",
        "f": "192.0.2.10",
        "g": "some text about evil.examples",
        "i": "text naming evil.example.org inside",
        "h": "",
    }
    assert _found(matcher, fields) == set()


def test_url_host_matches_domain_and_cidr() -> None:
    matcher = IndicatorMatcher(_indicators())
    assert _found(matcher, {"u": "https://login.evil.example/a"}) == {
        ("u", "evil.example", "domain")
    }
    assert _found(matcher, {"u": "http://10.1.1.1:8080/a"}) == {("u", "10.0.0.0/8", "cidr")}
    assert _found(matcher, {"u": "http://[2001:db8::9]/"}) == {("u", "2001:db8::/32", "cidr")}


def test_url_with_upper_case_path_found_in_prose() -> None:
    indicators = [make_indicator("url", "https://evil.example/Dossier/Login.php")]
    matcher = IndicatorMatcher(indicators)
    event = {"msg": "ouvert hxxps://evil[.]example/Dossier/Login.php hier"}
    assert _found(matcher, event) == {("msg", "https://evil.example/Dossier/Login.php", "text")}
    assert len(naive_match(indicators, event)) == 1


def test_addresses_with_a_port() -> None:
    matcher = IndicatorMatcher(_indicators())
    assert _found(matcher, {"a": "192.0.2.1:443", "b": "[2001:db8::9]:8443"}) == {
        ("a", "192.0.2.1", "exact"),
        ("b", "2001:db8::/32", "cidr"),
    }
    events = [{"a": "192.0.2.1:443"}, {"b": "[2001:db8::9]:8443"}, {"c": "2001:db8::9"}]
    for event in events:
        fast = {(h.field, h.indicator.key) for h in matcher.match_event(event)}
        assert fast == {(h.field, h.indicator.key) for h in naive_match(_indicators(), event)}


def test_validity_window_filters_at_compile_time() -> None:
    expired = make_indicator(
        "ipv4",
        "192.0.2.50",
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
        valid_until=datetime(2025, 6, 1, tzinfo=UTC),
    )
    matcher = IndicatorMatcher([expired], at=datetime(2026, 1, 1, tzinfo=UTC))
    assert len(matcher) == 0
    assert matcher.match_event({"ip": "192.0.2.50"}) == []


def _random_event(rng: random.Random, domains: list[str]) -> dict[str, str]:
    return {
        "src": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
        "dst": f"{rng.choice([192, 198, 203])}.0.{rng.randrange(3)}.{rng.randrange(256)}",
        "host": f"h{rng.randrange(5)}.{rng.choice(domains)}",
        "url": f"https://{rng.choice(domains)}/p{rng.randrange(4)}",
        "msg": f"seen {rng.choice(domains)} and https://{rng.choice(domains)}/p{rng.randrange(4)}",
        "hash": f"{rng.randrange(16**4):04x}" * 16,
    }


def test_agrees_with_the_naive_reference() -> None:
    rng = random.Random(14)
    domains = [f"d{i}.example" for i in range(20)] + ["x.d3.example"]
    indicators = [make_indicator("cidr", f"10.{i}.0.0/16") for i in range(0, 256, 7)]
    indicators += [make_indicator("ipv4", f"192.0.{i % 3}.{i}") for i in range(0, 256, 3)]
    indicators += [make_indicator("domain", d) for d in domains[::2]]
    indicators += [make_indicator("url", f"https://{d}/p1") for d in domains[1::3]]
    indicators += [make_indicator("sha256", f"{i:04x}" * 16) for i in range(0, 65536, 97)]
    matcher = IndicatorMatcher(indicators)
    total = 0
    for _ in range(300):
        event = _random_event(rng, domains)
        fast = {(h.field, h.indicator.key) for h in matcher.match_event(event)}
        slow = {(h.field, h.indicator.key) for h in naive_match(indicators, event)}
        assert fast == slow, event
        total += len(fast)
    assert total > 300


def test_exact_indicators_and_addresses_in_prose() -> None:
    """An unparsed log line keeps its observables in the message: addresses (with a port),
    networks, hashes, file names, mail addresses and CVE ids are words of it."""
    indicators = _indicators()
    matcher = IndicatorMatcher(indicators)
    event = {
        "message": "CONNECT 192.0.2.1:443 from 10.20.3.4 [2001:db8:ffff::1]:80 "
        f"sha256={'A' * 64} file='facture.pdf.exe' to x@phish.example for CVE-2024-3094.",
    }
    found = {(h.indicator.value, h.how) for h in matcher.match_event(event)}
    assert found >= {
        ("192.0.2.1", "exact"),
        ("10.0.0.0/8", "cidr"),
        ("10.20.0.0/16", "cidr"),
        ("2001:db8:ffff::1", "exact"),
        ("2001:db8::/32", "cidr"),
        ("a" * 64, "exact"),
        ("Facture.pdf.exe", "exact"),
        ("x@phish.example", "exact"),
        ("CVE-2024-3094", "exact"),
    }
    slow = {(h.field, h.indicator.key) for h in naive_match(indicators, event)}
    assert {(h.field, h.indicator.key) for h in matcher.match_event(event)} == slow
    assert not matcher.match_event({"message": "port 10.20.3.4.5 and 1920.2.1 aaaa"})


# -- properties: the tables agree with the naive reference on any text ------------------------

_INDICATORS = [
    ("domain", "evil.example"),
    ("domain", "a.b.example"),
    ("domain", "x_y.example"),
    ("url", "https://evil.example/P"),
    ("url", "https://evil.example/P/q"),
    ("url", "https://evil.example/p"),
    ("url", "http://192.0.2.1/x"),
    ("url", "http://[2001:db8::1]/y"),
    ("url", "ftp://files.example/a.b"),
    ("ipv4", "192.0.2.1"),
    ("ipv6", "2001:db8::1"),
    ("cidr", "10.0.0.0/8"),
    ("cidr", "2001:db8::/32"),
    ("sha256", "ab" * 32),
    ("file-name", "Facture.pdf.exe"),
    ("email", "Bob@phish.example"),
    ("cve", "CVE-2024-3094"),
]
_PIECES = [
    "evil.example", "EVIL.Example", "a.b.example", "x.a.b.example", "x_y.example",
    "https://evil.example/P", "https://evil.example/p", "HTTPS://EVIL.EXAMPLE/P/Q",
    "http://192.0.2.1/x", "http://[2001:db8::1]/y", "ftp://files.example/a.b", "hxxp://",
    "evil[.]example", "192.0.2.1", "192.0.2.1:443", "10.1.2.3", "010.1.2.3", "2001:db8::1",
    "[2001:DB8::9]:80", "ab" * 32, "facture.pdf.exe", "Bob@phish.example", "cve-2024-3094",
    "é", ".", "-", "_", "/", "@", ":", "x", "1", "?", "=", "'", "(", ".-x", "._", "..", "://",
    "notevil.example", "evil.examples", "https", " ", " ", " ", "\t",
]  # fmt: skip


def _keys(hits: list) -> set[tuple[str, str, str]]:  # type: ignore[type-arg]
    return {(h.field, h.indicator.key, h.how) for h in hits}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    chosen=st.lists(st.sampled_from(_INDICATORS), min_size=1, max_size=8, unique=True),
    pieces=st.lists(st.sampled_from(_PIECES), min_size=1, max_size=10),
    single=st.sampled_from(_PIECES),
)
def test_property_matcher_hits_are_the_naive_hits(chosen, pieces, single) -> None:  # type: ignore[no-untyped-def]
    indicators = [make_indicator(kind, value) for kind, value in chosen]
    matcher = IndicatorMatcher(indicators)
    event = {"msg": "x " + "".join(pieces), "value": single}
    assert _keys(matcher.match_event(event)) == _keys(naive_match(indicators, event))
    # a batch gives each event its own hits, every distinct value matched once
    batch = [event, {"other": "192.0.2.1"}, event]
    expected = [(i, h.field, h.indicator.key, h.how) for i, e in enumerate(batch)
                for h in matcher.match_event(e)]  # fmt: skip
    found = [(i, h.field, h.indicator.key, h.how) for i, h in matcher.match_batch(batch)]
    assert sorted(found) == sorted(expected)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("1.9:aF ,=[]'\"é\t:.0x")), max_size=30))
def test_property_words_and_address_words_in_one_pass(text: str) -> None:
    from hygie.intel.engine import matcher as module

    assert module.prose_words(text) == set(module.prose_tokens(text))
    addresses = [w for w in module.prose_tokens(text) if module.looks_like_address(w)]
    assert module._ADDRESS_WORD.findall(text) == addresses


def test_random_indicator_sets_agree_with_the_naive_reference() -> None:
    rng = random.Random(46)
    labels = ["a", "b", "evil", "x-y", "c_d", "example", "org"]
    for _ in range(200):
        domains = {
            ".".join(rng.choice(labels) for _ in range(rng.randrange(2, 4))) for _ in range(4)
        }
        indicators = []
        for domain in domains:
            try:
                indicators.append(make_indicator("domain", domain))
                indicators.append(make_indicator("url", f"https://{domain}/{rng.choice(labels)}"))
            except Exception:  # noqa: BLE001, S112 - a random label may end with no TLD
                continue
        if not indicators:
            continue
        matcher = IndicatorMatcher(indicators)
        words = [*domains, *(i.value for i in indicators), *labels, ".", "/", " ", "-", "_x"]
        for _ in range(10):
            event = {"msg": "- " + "".join(rng.choice(words) for _ in range(rng.randrange(1, 8)))}
            assert _keys(matcher.match_event(event)) == _keys(naive_match(indicators, event)), event


def test_compiling_is_building_tables() -> None:
    """No scanner compiled per literal: a million literals would take minutes."""
    indicators = [make_indicator("domain", f"d{i}.example") for i in range(20_000)]
    indicators += [make_indicator("url", f"https://u{i}.example/p/{i}") for i in range(20_000)]
    matcher = IndicatorMatcher(indicators)
    assert matcher.backend == "tables"
    event = {"msg": "GET https://u7.example/p/7?q=1 via www.d19999.example."}
    assert {h.indicator.value for h in matcher.match_event(event)} == {
        "https://u7.example/p/7",
        "d19999.example",
    }


# -- the quiet-text proof and the remembered answers ---------------------------------------


class _FullReading(IndicatorMatcher):
    """The matcher reading every free text in full, remembering nothing: the reference for
    the cheap proof that a text holds nothing (``_quiet``) and for the remembered answers."""

    def _quiet(self, text: str, lowered: str) -> bool:
        return False

    def match_value(self, raw: str):  # type: ignore[no-untyped-def]
        return self._match_value(raw)


_SHARED = [make_indicator(kind, value) for kind, value in _INDICATORS]
_WARM = IndicatorMatcher(_SHARED)  # one matcher across examples: its memos fill up


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(
        st.lists(st.sampled_from(_PIECES), min_size=1, max_size=10).map(" ".join),
        min_size=1,
        max_size=6,
    )
)
def test_property_remembered_and_quiet_answers_are_the_full_reading(texts: list[str]) -> None:
    """Pieces and words of earlier texts known clean, values remembered in generations: the
    hits of a warm matcher (one value at a time and by batch) are those of a full reading."""
    reference = _FullReading(_SHARED)
    batch = [{"msg": "x " + text, "value": text.replace(" ", "")} for text in texts]
    expected = [(i, h.field, h.indicator.key, h.how, h.value)
                for i, e in enumerate(batch) for h in reference.match_event(e)]  # fmt: skip
    for matcher in (_WARM, IndicatorMatcher(_SHARED)):
        found = [
            (i, h.field, h.indicator.key, h.how, h.value) for i, h in matcher.match_batch(batch)
        ]
        assert sorted(found) == sorted(expected)
        again = [(i, h.field, h.indicator.key, h.how, h.value)
                 for i, e in enumerate(batch) for h in matcher.match_event(e)]  # fmt: skip
        assert again == expected


def test_quiet_text_is_proven_from_known_pieces_and_new_words() -> None:
    matcher = IndicatorMatcher(_SHARED)
    assert matcher._quiet("Accepted publickey for nurse1 from 172.16.1.2", "")
    # the known pieces are not read again; a new word is looked at once
    assert {"Accepted", "publickey", "nurse1", "172.16.1.2"} <= matcher._clean_pieces
    assert matcher._quiet("Accepted publickey for nurse2 from 172.16.1.2", "")
    # a word that is, or holds, an indicator, a defanged mark, a URL literal's start: read it
    for text in (
        "from 192.0.2.1:443 ok",
        "from 10.9.9.9 ok",  # in 10.0.0.0/8
        "host=cdn.evil.example, ok",
        "sha256=" + "AB" * 32,
        "see facture.pdf.exe.",
        "evil[.]example here",
        "get https://evil.example/x now",
    ):
        assert not matcher._quiet(text, text.lower()), text
    # a URL of another host starts like no URL literal: quiet; one of an address literal's
    # host, or any URL once a literal starts with no host characters (``[2001:db8::1]``), not
    text = "get https://www.example.org/evil.example.html"
    assert not matcher._quiet(text, text.lower())
    urls = IndicatorMatcher([make_indicator("url", "https://evil.example/p")])
    assert urls._quiet(text, text.lower())
    for text in ("get https://evil.example/q", "get https://evil.example.-x/"):
        assert not urls._quiet(text, text.lower()), text


def test_clean_values_are_kept_in_two_bounded_generations(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from hygie.intel.engine import matcher as module

    monkeypatch.setattr(module, "CLEAN_SIZE", 10)
    matcher = IndicatorMatcher(_SHARED)
    hot = "10.1.2.3 is a recurring value"  # matches 10.0.0.0/8: remembered as an answer
    for i in range(35):
        matcher.match_batch([{"a": f"value {i}", "b": "recurring"}, {"c": hot}])
        assert len(matcher._clean) < 10 and len(matcher._clean_old) <= 10
    assert "recurring" in matcher._clean | matcher._clean_old  # seen in every batch: kept
    assert "value 0" not in matcher._clean | matcher._clean_old  # dropped with its generation
    assert [h.indicator.value for _i, h in matcher.match_batch([{"c": hot}])] == ["10.0.0.0/8"]


# -- a batch's new values answered together (``_match_new``: C-level passes) --------------------

_BATCH_INDICATORS = [
    *_INDICATORS,
    ("ipv4", "203.0.113.7"),
    ("cidr", "198.51.100.0/28"),
    ("cidr", "172.16.0.0/12"),
    ("user-agent", "Evil Bot/1.0"),
    ("domain", "xn--bcher-kva.example"),
]
_BATCH_PIECES = [
    *_PIECES,
    "203.0.113.7", "203.0.113.7:8443", "203.0.113.70", "198.51.100.9", "198.51.100.99",
    "172.20.1.2", "172.32.1.2", "10.1.2.3:80.", "[::1]:80", "::1", "2001:db8:1::2",
    "Evil Bot/1.0", "evil bot/1.0", "EVIL[.]EXAMPLE", "hxxps[:]//evil[.]example/P",
    "https://evil.example/Px", "https://evil.example.org/", "CDN.Evil.Example.", "İ", "Σ",
    "ΑΣ.Β", "σ.evil.example", "\n", "\u00a0", "sha256=" + "AB" * 32, "xn--bcher-kva.example",
    "a.xn--bcher-kva.example.", "user", "port", "from", "1234", "42.0.0.1",
]  # fmt: skip
_BATCH_SHARED = [make_indicator(kind, value) for kind, value in _BATCH_INDICATORS]
_BATCH_WARM = IndicatorMatcher(_BATCH_SHARED)


def _line(pieces: list[str], lead: str) -> str:
    return lead + " ".join(pieces)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=st.lists(
        st.fixed_dictionaries(
            {
                "message": st.builds(
                    _line,
                    st.lists(st.sampled_from(_BATCH_PIECES), min_size=1, max_size=8),
                    st.sampled_from(["", "", " ", "x "]),
                ),
                "source.ip": st.sampled_from(_BATCH_PIECES),
                "value": st.sampled_from(_BATCH_PIECES),
            }
        ),
        min_size=1,
        max_size=12,
    )
)
def test_property_batch_answers_are_the_full_reading(events: list[dict[str, str]]) -> None:
    """The values of a batch not yet known — plain IPv4 addresses looked up together, free
    texts proven quiet together and the others read in full — give every event the hits of a
    full reading, on a warm matcher and on a cold one."""
    reference = _FullReading(_BATCH_SHARED)
    expected = [(i, h.field, h.indicator.key, h.how, h.value)
                for i, e in enumerate(events) for h in reference.match_event(e)]  # fmt: skip
    for matcher in (_BATCH_WARM, IndicatorMatcher(_BATCH_SHARED)):
        found = [
            (i, h.field, h.indicator.key, h.how, h.value) for i, h in matcher.match_batch(events)
        ]
        assert sorted(found) == sorted(expected)


def test_batch_of_texts_with_hits_among_quiet_ones() -> None:
    """Many new texts, a few holding an indicator (as a word, an address with a port, a host,
    a URL's start, defanged, the whole text): only those hit, the others are kept clean."""
    matcher = IndicatorMatcher(_BATCH_SHARED)
    events: list[dict[str, str]] = [
        {"message": f"Accepted publickey for nurse{i} from 192.168.{i}.3 port {40000 + i}",
         "source.ip": f"192.168.{i}.3"}
        for i in range(200)
    ]  # fmt: skip
    events += [
        {"message": "CONNECT 203.0.113.7:8443 from 172.31.0.1 bytes=1"},
        {"message": "GET https://www.evil.example/update.bin 200"},
        {"message": "GET https://evil.example/P/q?x=1 200"},
        {"message": "see hxxps[:]//evil[.]example/P now"},
        {"message": "AV scan sha256=" + "AB" * 32 + " clean=false"},
        {"message": "Evil Bot/1.0", "user_agent.original": "Evil Bot/1.0"},
        {"message": "  padded 198.51.100.9  ", "source.ip": "198.51.100.9"},
    ]
    reference = _FullReading(_BATCH_SHARED)
    expected = sorted((i, h.field, h.indicator.key, h.how, h.value)
                      for i, e in enumerate(events) for h in reference.match_event(e))  # fmt: skip
    found = sorted(
        (i, h.field, h.indicator.key, h.how, h.value) for i, h in matcher.match_batch(events)
    )
    assert found == expected
    assert {i for i, *_rest in found} == set(range(200, 207))
    # quiet texts and addresses of no indicator are kept clean, their new pieces and words too
    assert events[5]["message"] in matcher._clean and "192.168.5.3" in matcher._clean
    assert "nurse5" in matcher._clean_pieces and "40005" in matcher._clean_words
    assert events[201]["message"] not in matcher._clean
    assert not matcher.match_batch(events[:200])  # answered from what is kept clean


def test_defang_hint_is_the_former_pattern() -> None:
    """The defanged-mark pattern, rewritten with a literal first in each alternative (a faster
    search), finds a mark exactly where the former one did."""
    import re

    from hygie.intel.engine.matcher import _DEFANG_HINT

    former = re.compile(
        r"\[\.\]|\(\.\)|\{\.\}|[\[({](?:dot|at)[\])}]|\\\.|\[@\]|\(@\)|\[:|\(:|\[/\]"
        r"|xxp|meow|fxp|ftx"
    )
    rng = random.Random(7)
    alphabet = list("[](){}.@:/\\dotaxpmewf ") + ["dot", "at", "xxp", "meow", "ftx", "fxp"]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 8)))
        spans = [m.span() for m in _DEFANG_HINT.finditer(text)]
        assert spans == [m.span() for m in former.finditer(text)], text


def test_texts_holding_needles_across_joined_lines() -> None:
    from hygie.intel.engine.matcher import _holding, _starts

    texts = ["a b\nc", "needle here", "x", "two needle needle", ""]
    joined = "\n".join(texts)
    assert _holding(joined, _starts(texts), ["needle", "", "c"]) == {0, 1, 3}
    assert _holding(joined, _starts(texts), ["absent"]) == set()


def test_ipv4_filter_of_large_matchers_finds_the_same_hits(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With many IPv4 indicators, a /24 filter says which addresses to look up in the exact
    table and the tables of /24 or longer: the hits are those of a full reading."""
    from hygie.intel.engine import matcher as module

    rng = random.Random(24)
    # exact addresses in 10.0 and 10.3, networks of /24 or longer in 10.1, 10.2 and 10.4
    indicators = [make_indicator("ipv4", f"10.{i % 2 * 3}.{i % 7}.{i}") for i in range(60)]
    indicators += [make_indicator("cidr", f"10.1.{i}.0/24") for i in range(0, 8, 3)]
    indicators += [make_indicator("cidr", f"10.2.3.{i * 16}/28") for i in range(3)]
    indicators += [make_indicator("cidr", "10.3.0.0/16"), make_indicator("cidr", "10.4.4.7/32")]
    indicators += [make_indicator("file-name", "10.0.9.9")]  # an exact key of another type
    monkeypatch.setattr(module, "V4_FILTER_MIN", 0)
    filtered = IndicatorMatcher(indicators)
    assert filtered._v4_filter is not None
    reference = _FullReading(indicators)
    assert reference._v4_filter is not None  # built, but never used by a full reading
    for _ in range(30):
        events = []
        for _ in range(40):
            address = f"10.{rng.randrange(5)}.{rng.randrange(9)}.{rng.randrange(64)}"
            events.append({"source.ip": address, "message": f"from {address}:{rng.randrange(9)} x"})
        expected = sorted(
            (i, h.field, h.indicator.key, h.how, h.value)
            for i, e in enumerate(events)
            for h in reference.match_event(e)
        )
        found = sorted(
            (i, h.field, h.indicator.key, h.how, h.value) for i, h in filtered.match_batch(events)
        )
        assert found == expected
    found_batch = filtered.match_batch([{"a": "10.0.9.9"}, {"b": "x 10.0.9.9:80 y"}])
    assert [(i, h.indicator.value) for i, h in found_batch] == [(0, "10.0.9.9"), (1, "10.0.9.9")]
