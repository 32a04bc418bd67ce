"""Combined Log Format access logs: ECS fields plus Sigma's webserver taxonomy names."""

from __future__ import annotations

from hygie.detection.engine.parsers import detect_and_parse, parse_access_log

# The example of the Apache documentation (Combined Log Format).
APACHE = (
    '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 '
    '"http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"'
)


def test_apache_combined_example() -> None:
    parsed = detect_and_parse(APACHE)
    event = parsed.event
    assert parsed.parser == "access_log" and parsed.error is None
    assert parsed.logsource is not None and parsed.logsource.category == "webserver"
    assert event["source.ip"] == event["c-ip"] == "127.0.0.1"
    assert event["user.name"] == "frank"
    assert event["@timestamp"] == "2000-10-10T20:55:36Z"
    assert event["http.request.method"] == event["cs-method"] == "GET"
    assert event["url.original"] == event["c-uri"] == "/apache_pb.gif"
    assert event["url.extension"] == "gif"
    assert event["http.version"] == "1.0"
    assert event["http.response.status_code"] == event["sc-status"] == 200
    assert event["http.response.body.bytes"] == 2326
    assert event["http.request.referrer"] == "http://www.example.com/start.html"
    assert event["user_agent.original"] == "Mozilla/4.08 [en] (Win98; I ;Nav)"
    assert event["event.original"] == APACHE


def test_common_log_format_and_query_decoding() -> None:
    line = '10.0.0.1 - - [28/Nov/2026:10:00:00 +0100] "GET /p?id=1%27%20OR+1=1 HTTP/1.1" 500 -'
    event = detect_and_parse(line).event
    assert "user.name" not in event and "http.response.body.bytes" not in event
    assert event["url.path"] == "/p" and event["url.query"] == "id=1%27%20OR+1=1"
    assert event["cs-uri-query"] == "id=1%27%20OR+1=1"
    assert event["url.decoded"] == "/p?id=1' OR 1=1"
    assert event["event.outcome"] == "failure"


def test_nginx_escaped_quotes_and_junk_request() -> None:
    line = (
        '203.0.113.9 - - [28/Nov/2026:10:00:00 +0000] "\\x16\\x03\\x01\\x00" 400 157 "-" '
        '"a \\"quoted\\" agent"'
    )
    event = detect_and_parse(line).event
    assert event["http.request.original"] == "\\x16\\x03\\x01\\x00"
    assert "http.request.method" not in event
    assert event["user_agent.original"] == 'a \\"quoted\\" agent'


def test_hostname_client_and_bad_time() -> None:
    parsed = parse_access_log('proxy.local - - [99/Foo/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1')
    assert parsed.event["source.address"] == "proxy.local"
    assert parsed.error == "invalid access-log timestamp"


def test_not_an_access_log_line() -> None:
    parsed = parse_access_log("host - - [x] not quoted")
    assert parsed.error == "not a Combined Log Format line"
    assert parsed.logsource is None and parsed.event["message"] == "host - - [x] not quoted"


# --- the server and virtual host a line tells (issue 10: "?/webserver #1") ----------------------

_LINE = '203.0.113.9 - - [24/Nov/2026:10:00:00 +0100] "GET /a?b=1 HTTP/1.1" 200 5 "-" "curl/8"'


def test_vhost_combined_names_the_host_and_apache():
    from hygie.detection.engine.parsers.dispatch import detect_and_parse

    parsed = detect_and_parse("Portail.CH-Exemple.fr:443 " + _LINE)
    assert parsed.error is None
    assert parsed.event["host.name"] == "portail.ch-exemple.fr"
    assert parsed.event["url.port"] == 443
    assert parsed.event["source.ip"] == "203.0.113.9"
    assert parsed.event["url.path"] == "/a"
    assert parsed.logsource is not None
    assert (parsed.logsource.product, parsed.logsource.category) == ("apache", "webserver")


def test_nginx_main_format_is_nginx_and_plain_combined_a_web_server():
    from hygie.detection.engine.parsers.dispatch import detect_and_parse

    nginx = detect_and_parse(_LINE + ' "198.51.100.4"')
    assert nginx.logsource is not None and nginx.logsource.product == "nginx"
    plain = detect_and_parse(_LINE)
    assert plain.logsource is not None and plain.logsource.product == "webserver"
    assert "host.name" not in plain.event
    ipv6 = detect_and_parse(_LINE.replace("203.0.113.9", "2001:db8::7"))
    assert ipv6.event["source.ip"] == "2001:db8::7"
    assert ipv6.logsource is not None and ipv6.logsource.product == "webserver"
