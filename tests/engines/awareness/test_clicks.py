"""Click validation: scanners are not people (issue 13), and both funnels are computed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hygie.awareness.engine import (
    AUTOMATED,
    HUMAN,
    UNCONFIRMED,
    AwarenessError,
    Interaction,
    Reason,
    Recipient,
    classify_clicks,
    funnel,
    load_scanner_knowledge,
)

SCANNERS = Path(__file__).resolve().parents[3] / "hygie/awareness/engine/scanners.yaml"
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120 Safari/537.36"
DELIVERED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def knowledge():  # type: ignore[no-untyped-def]
    return load_scanner_knowledge(SCANNERS.read_bytes(), "scanners.yaml")


def at(seconds: float) -> datetime:
    return DELIVERED + timedelta(seconds=seconds)


def test_shipped_knowledge_loads(knowledge) -> None:  # type: ignore[no-untyped-def]
    assert knowledge.match_address("40.107.3.4") == "microsoft-eop"
    assert knowledge.match_address("2a01:111:f400::1") == "microsoft-eop"
    assert knowledge.match_address("192.0.2.10") is None
    assert knowledge.match_user_agent("python-requests/2.31") == "http-libraries"
    assert knowledge.match_user_agent(BROWSER) is None


def test_human_after_browser_confirmation(knowledge) -> None:  # type: ignore[no-untyped-def]
    verdict = classify_clicks(
        [
            Interaction(at(600), "GET", BROWSER, "192.0.2.10"),
            Interaction(at(602), "POST", BROWSER, "192.0.2.10", js_confirmed=True),
        ],
        knowledge,
        DELIVERED,
    )
    assert verdict.verdict == HUMAN
    assert verdict.seconds_after_delivery == 602
    assert Reason.CONFIRMED_IN_BROWSER in verdict.reasons


def test_scanner_head_seconds_after_delivery_is_automated(knowledge) -> None:  # type: ignore[no-untyped-def]
    verdict = classify_clicks(
        [Interaction(at(2), "HEAD", BROWSER, "40.107.9.9")], knowledge, DELIVERED
    )
    assert verdict.verdict == AUTOMATED
    assert {
        Reason.FAST_AFTER_DELIVERY,
        Reason.HEAD_REQUEST,
        Reason.SCANNER_NETWORK,
        Reason.NO_JAVASCRIPT,
    } <= set(verdict.reasons)
    assert verdict.scanner == "microsoft-eop"


def test_scanner_user_agent_even_with_js_is_not_human(knowledge) -> None:  # type: ignore[no-untyped-def]
    verdict = classify_clicks(
        [
            Interaction(
                at(900), "GET", "Mozilla/5.0 HeadlessChrome/120", "192.0.2.1", js_confirmed=True
            )
        ],
        knowledge,
        DELIVERED,
    )
    assert verdict.verdict == AUTOMATED
    assert Reason.SCANNER_USER_AGENT in verdict.reasons


def test_burst_of_all_links_is_automated(knowledge) -> None:  # type: ignore[no-untyped-def]
    clicks = [
        Interaction(at(120 + i * 0.3), "GET", BROWSER, "198.51.100.7", link=f"l{i}")
        for i in range(3)
    ]
    verdict = classify_clicks(clicks, knowledge, DELIVERED, links_in_mail=3)
    assert verdict.verdict == AUTOMATED
    assert Reason.LINK_BURST in verdict.reasons


def test_browser_click_without_js_is_unconfirmed(knowledge) -> None:  # type: ignore[no-untyped-def]
    verdict = classify_clicks(
        [Interaction(at(300), "GET", BROWSER, "192.0.2.1")], knowledge, DELIVERED
    )
    assert verdict.verdict == UNCONFIRMED
    assert verdict.reasons == (Reason.NO_JAVASCRIPT,)


def test_human_after_a_scanner_pass(knowledge) -> None:  # type: ignore[no-untyped-def]
    verdict = classify_clicks(
        [
            Interaction(at(1), "HEAD", "", "40.107.1.1"),
            Interaction(at(3600), "GET", BROWSER, "192.0.2.1", js_confirmed=True),
        ],
        knowledge,
        DELIVERED,
    )
    assert verdict.verdict == HUMAN
    assert verdict.automated_requests == 1


def test_funnel_raw_and_validated(knowledge) -> None:  # type: ignore[no-untyped-def]
    human = (Interaction(at(700), "GET", BROWSER, "192.0.2.1", js_confirmed=True),)
    scanner = (Interaction(at(1), "HEAD", "", "40.107.1.1"),)
    recipients = [
        Recipient(DELIVERED, True, human, submitted=True),
        Recipient(DELIVERED, False, scanner, submitted=False),
        Recipient(DELIVERED, True, (), reported=True),
        Recipient(None),
    ]
    figures = funnel(recipients, knowledge)
    assert (figures.recipients, figures.delivered, figures.opened) == (4, 3, 2)
    assert (figures.clicked_raw, figures.clicked_human, figures.clicked_automated) == (2, 1, 1)
    assert (figures.submitted_raw, figures.submitted_human, figures.reported) == (1, 1, 1)
    assert figures.rate(figures.clicked_human) == pytest.approx(1 / 3, abs=1e-3)


@pytest.mark.parametrize(
    "text",
    [
        "scanners: 3",
        "scanners:\n  - name: x\n",
        "scanners:\n  - name: x\n    networks: [not-a-net]\n",
        "scanners:\n  - name: x\n    networks: [0.0.0.0/0]\n",
        "scanners:\n  - name: x\n    user_agent: '(('\n",
        "scanners: &a [1]\nother: *a\n",
    ],
)
def test_bad_knowledge_is_refused_with_location(text: str) -> None:
    with pytest.raises(AwarenessError) as caught:
        load_scanner_knowledge(text, "mine.yaml")
    assert caught.value.location is not None
    assert caught.value.location.file == "mine.yaml"


@pytest.mark.parametrize(
    "headers", [{"Sec-Purpose": "prefetch"}, {"X-Moz": "prefetch"}, {"X-Purpose": "preview"}]
)
def test_prefetch_is_not_a_click(knowledge, headers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    item = Interaction(at(900), "GET", BROWSER, "192.0.2.1", js_confirmed=True, headers=headers)
    verdict = classify_clicks([item], knowledge, DELIVERED)
    assert verdict.verdict == AUTOMATED and Reason.PREFETCH_HEADER in verdict.reasons


def test_public_api_is_complete() -> None:
    import hygie.awareness.engine as engine

    assert engine.__all__ == sorted(engine.__all__, key=lambda n: (not n.isupper(), n))
    for name in engine.__all__:
        assert getattr(engine, name) is not None
