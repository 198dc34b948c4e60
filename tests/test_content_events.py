from datetime import date

import pytest

from auditor.checks import events
from auditor.text.dates import find_event_dates, nearest_year
from content_support import NOW, SITE, body, context, fixture_page, html_page, site_findings

TODAY = NOW.date()


@pytest.fixture
def ctx(write_config):
    return context(write_config, freshness='exempt = ["/events/archive/*"]')


def test_fixture_events_page(ctx):
    found = site_findings(events, [fixture_page("events.html")], ctx)
    by_date = {f.evidence["date"]: f for f in found}
    # the past JSON-LD event, and the picnic listed under "Upcoming events"
    assert set(by_date) == {"2026-06-15", "2026-06-13"}
    assert by_date["2026-06-15"].evidence["source"] == "structured data (schema.org Event)"
    assert "Summer Fun Day" in by_date["2026-06-15"].message
    picnic = by_date["2026-06-13"]
    assert picnic.evidence["heading"] in ("Events", "Upcoming events")
    assert "Family picnic in the park" in picnic.message and "13 June 2026" in picnic.message


def test_future_undated_and_past_section_events_are_not_flagged(ctx):
    found = site_findings(events, [fixture_page("events.html")], ctx)
    text = " ".join(f.message for f in found)
    for absent in ("Winter Fair", "Volunteer training", "Christmas party", "Stay and play", "Quiz night"):
        assert absent not in text


def test_a_page_date_stamp_under_an_events_heading_is_not_an_event(ctx):
    html = body("<h1>Events</h1><p>Last updated 14 July 2024</p><p>Posted on 2 May 2025 by the office</p>"
                "<p>\u00a9 2019 Home-Start Testshire</p><p>Toddler group \u2013 Monday 2 March 2026</p>")
    [finding] = site_findings(events, [html_page(html)], ctx)
    assert finding.evidence["date"] == "2026-03-02"


def test_only_promoting_headings_count(ctx):
    html = body("<h2>Our history</h2><p>Founded on 3 March 1998.</p>"
                "<h2>What's on</h2><p>Toddler group – Monday 2 March 2026</p>")
    [finding] = site_findings(events, [html_page(html)], ctx)
    assert finding.evidence["heading"] == "What's on" and finding.evidence["date"] == "2026-03-02"


def test_exempted_page_is_skipped(ctx):
    html = body("<h2>Upcoming events</h2><p>Fun day 15/06/2024</p>")
    assert site_findings(events, [html_page(html, "https://www.homestart-test.org.uk/events/archive/2024")], ctx) == []
    assert len(site_findings(events, [html_page(html)], ctx)) == 1


def test_jsonld_event_subtype_and_start_date_only(ctx):
    head = ('<script type="application/ld+json">[{"@type": "SocialEvent", "name": "Quiz", "startDate": "2025-02-01"},'
            '{"@type": "Event", "name": "Gala", "startDate": "2026-11-24T19:00:00Z"}]</script>')
    [finding] = site_findings(events, [html_page(body("<p>x</p>", head))], ctx)
    assert finding.evidence["event"] == "Quiz" and finding.evidence["type"] == "SocialEvent"


@pytest.mark.parametrize("text,expected", [
    ("Coffee morning Saturday 15 June 2024, 10am-4pm", date(2024, 6, 15)),
    ("Coffee morning 15/06/2024 2pm–3pm", date(2024, 6, 15)),
    ("Coffee morning 15/06/24", date(2024, 6, 15)),
    ("Coffee morning 15th June", date(2026, 6, 15)),        # nearest: last June
    ("Coffee morning 10 January", date(2027, 1, 10)),       # nearest: next January
    ("Fun days 15–17 June 2024", date(2024, 6, 17)),        # a range ends on its last day
    ("Fair on June 15th, 2024", date(2024, 6, 15)),
])
def test_uk_date_forms(text, expected):
    [match] = find_event_dates(text, TODAY)
    assert match.date == expected


@pytest.mark.parametrize("text", [
    "See https://example.org/news/2019/05/12/picnic", "Read /events/2015/06/12/fun-day",
    "Registered charity number 1081234", "Postcode HA8 7BJ", "Tickets £15.06",
    "Ref 12/345/2024", "Every Tuesday, 10am-12pm", "31 February 2024",
])
def test_not_dates(text):
    assert find_event_dates(text, TODAY) == []


def test_nearest_year_skips_missing_leap_day():
    assert nearest_year(date(2024, 2, 29), date(2026, 11, 24)) is None
    assert nearest_year(date(2024, 2, 29), date(2027, 11, 24)) == date(2028, 2, 29)


def test_repeating_jsonld_event_is_not_past(ctx):
    head = ('<script type="application/ld+json">{"@type": "Event", "name": "Stay and play", "startDate": "2024-01-09",'
            '"eventSchedule": {"@type": "Schedule", "byDay": "https://schema.org/Tuesday"}}</script>')
    assert site_findings(events, [html_page(body("<p>x</p>", head))], ctx) == []


def test_dates_outside_event_sections_are_ignored(ctx):
    html = body("<h2>Join us</h2><p>We were founded on 3 March 1998.</p>"
                "<h2>Upcoming events</h2><p>Fun day 15 June 2027</p>")
    assert site_findings(events, [html_page(html)], ctx) == []


def test_sidebar_event_on_every_page_is_one_finding(ctx):
    html = ('<html><body><main><h1>Page</h1><p>Text</p></main><aside><h2>Coming up</h2>'
            '<p>Summer picnic – 13/06/2026</p></aside></body></html>')
    pages = [html_page(html, SITE + name) for name in ("", "about", "contact")]
    [finding] = site_findings(events, pages, ctx)
    assert finding.url == SITE and finding.evidence["page_count"] == 3
    assert "on 3 pages" in finding.message and "under \u201cComing up\u201d" in finding.message


def _listing(jsonld: str, lines: str) -> str:
    return body(f"<h2>Upcoming events</h2>{lines}", f'<script type="application/ld+json">{jsonld}</script>')


def test_structured_event_and_its_listing_line_are_one_finding(ctx):
    html = _listing('{"@type": "Event", "name": "Family Fun Day", "startDate": "2026-10-10T10:00"}',
                    "<p>Family Fun Day, Sunny Hill Park – Saturday 10 October 2026, 10am-4pm</p>"
                    "<p>Quiz night – Friday 9 October 2026</p>")
    found = site_findings(events, [html_page(html)], ctx)
    by_date = {f.evidence["date"]: f for f in found}
    assert set(by_date) == {"2026-10-10", "2026-10-09"}
    fun_day = by_date["2026-10-10"]
    assert fun_day.subject == "Family Fun Day (2026-10-10)"
    assert fun_day.evidence["source"] == "page text and structured data (schema.org Event)"
    assert fun_day.evidence["listed_as"].startswith("Family Fun Day, Sunny Hill Park")
    assert "Upcoming events" in fun_day.message


def test_listing_matches_a_multi_day_event_by_its_start_date(ctx):
    html = _listing('{"@type": "Event", "name": "Book sale", "startDate": "2026-10-10", "endDate": "2026-10-11"}',
                    "<p>Second-hand book sale: 10 October 2026</p>")
    [finding] = site_findings(events, [html_page(html)], ctx)
    assert finding.evidence["date"] == "2026-10-11" and "listed_as" in finding.evidence


def test_same_date_different_names_stay_apart_when_the_date_is_shared(ctx):
    jsonld = ('[{"@type": "Event", "name": "Toddler yoga", "startDate": "2026-10-10"},'
              '{"@type": "Event", "name": "Charity ball", "startDate": "2026-10-10"}]')
    html = _listing(jsonld, "<p>Coffee morning – 10 October 2026</p>")
    found = site_findings(events, [html_page(html)], ctx)
    assert len(found) == 3 and not any("listed_as" in f.evidence for f in found)


def test_lone_event_of_a_date_merges_without_shared_words(ctx):
    html = _listing('{"@type": "Event", "name": "AGM 2026", "startDate": "2026-10-10"}',
                    "<p>Annual general meeting, 10 October 2026</p>")
    [finding] = site_findings(events, [html_page(html)], ctx)
    assert finding.evidence["listed_as"].startswith("Annual general meeting")


def test_one_event_written_differently_on_several_pages_is_one_finding(ctx):
    home = body("<h2>What's on</h2><p>8 March 2026 | 10.00am</p><p>Parish lunch</p>")
    listing = body("<h1>Events</h1><p>Sun, 8 Mar 2026 | 10.00am</p><h2>Parish lunch</h2>")
    [finding] = site_findings(events, [html_page(home), html_page(listing, SITE + "events")], ctx)
    assert finding.subject == "Parish lunch (2026-03-08)" and finding.evidence["page_count"] == 2
    assert "8 March 2026 | 10.00am Parish lunch" in finding.message


@pytest.mark.parametrize("html,date", [
    ("<p>Next Concert</p><p>Saturday 17 October 2026</p><p>7:30pm, St John's</p>", "2026-10-17"),
    ("<p>Registration is now open. The dinner is on Thursday 7th September 2023.</p>", "2023-09-07"),
    ("<h2>Key dates</h2><p>16th September 2025</p><p>Drinks reception</p>", "2025-09-16"),
    ("<p>Any rooms not reserved by 12th July 2024 will be released.</p>", "2024-07-12"),
])
def test_invitations_by_label_neighbour_sentence_and_key_dates(ctx, html, date):
    [finding] = site_findings(events, [html_page(body(html))], ctx)
    assert finding.evidence["date"] == date


@pytest.mark.parametrize("html", [
    "<p>Why not join us? We were founded on 3 March 1998.</p>",
    "<p>Thank you to everyone who came along on Saturday 14 June 2025.</p>",
    "<p>Stay and play: join us every Tuesday from 6 January 2026.</p>",
    "<h2>Past events</h2><p>Come along to the toy swap on Saturday 3 October 2026</p>",
])
def test_history_reports_recurring_and_recaps_stay_quiet(ctx, html):
    assert site_findings(events, [html_page(body(html))], ctx) == []
