import pytest
from hypothesis import given, settings, strategies as st

from auditor.checks import personal_data
from auditor.snapshot import Post
from auditor.text.contacts import find_contacts
from auditor.text.dates import find_dates
from content_support import NOW, SITE, context, fixture_page, site_findings

HOST = "www.homestart-test.org.uk"
ALLOWED = ["020 8952 1234", "07911 123456"]


@pytest.fixture
def ctx(write_config):
    return context(write_config)


def test_contact_page(ctx):
    pages = [fixture_page(name) for name in ("contact.html", "index.html")]
    found = site_findings(personal_data, pages, ctx)
    assert sorted(f.subject for f in found) == ["email:ja***********r@gmail.com", "phone:075** ***987"]
    for finding in found:
        assert finding.url == SITE + "contact.html" and finding.severity == "high"
        assert "jane.volunteer" not in finding.message + str(finding.evidence)
        assert "201987" not in finding.message + str(finding.evidence)


@pytest.mark.parametrize("written", ["07534 201987", "+44 7534 201987", "07534201987", "+44 (0)7534 201 987"])
def test_one_number_in_any_format(written):
    [contact] = find_contacts(f"Text Sam on {written} after 6pm.", HOST, ALLOWED)
    assert contact.value == "+447534201987" and contact.masked == "075** ***987"


@pytest.mark.parametrize("written", ["07911 123456", "+44 7911 123456", "07911123456", "+44 (0) 7911 123 456"])
def test_allowed_number_matches_in_any_format(written):
    assert find_contacts(f"Call {written}", HOST, ALLOWED) == []


@pytest.mark.parametrize("text", [
    "Registered charity number 1081234", "Company number 03887654", "Postcode HA8 7BJ",
    "Your reference: 07534201987123", "Tickets £15.06 or £1,234.56", "Saturday 15/06/2024",
    "Office 020 8952 1234", "Helpline 0800 068 6368",
    "Write to info@homestart-test.org.uk or trustees@mail.homestart-test.org.uk",
    "Meet at home.com", "Meet at the park dot com", "logo@2x.png",
    "Referrals: referrals@barnet.gov.uk or info@home-start.org.uk",
])
def test_traps(text):
    assert find_contacts(text, HOST, ALLOWED) == []


@pytest.mark.parametrize("written,value", [
    ("jane.smith@gmail.com", "jane.smith@gmail.com"),
    ("jane.smith [at] gmail dot com", "jane.smith@gmail.com"),
    ("jane.smith (at) gmail (dot) com", "jane.smith@gmail.com"),
    ("Jane.Smith at hotmail dot co dot uk", "jane.smith@hotmail.co.uk"),
])
def test_email_forms(written, value):
    [contact] = find_contacts(f"Ask Jo or at {written}.", HOST, ALLOWED)   # "or at": not an address
    assert contact.value == value
    [contact] = find_contacts(f"Email {written} today.", HOST, ALLOWED)
    assert contact.value == value and contact.personal


def test_webmail_shared_mailbox_still_counts():
    [contact] = find_contacts("Write to info.homestart@gmail.com", HOST, [])
    assert contact.personal


def test_other_organisation_address_is_medium(ctx):
    [contact] = find_contacts("Contact sally@othercharity.org.uk", HOST, [])
    assert not contact.personal
    assert find_contacts("Contact sally@othercharity.org.uk", HOST, ["sally@othercharity.org.uk"]) == []
    assert find_contacts("Contact sally@othercharity.org.uk", HOST, ["@othercharity.org.uk"]) == []


def test_mailto_link_behind_plain_text(ctx):
    from content_support import body, html_page
    page = html_page(body('<p><a href="mailto:sam.helper@yahoo.co.uk?subject=Hi">Email Sam</a></p>'))
    [finding] = site_findings(personal_data, [page], ctx)
    assert finding.subject == "email:sa*******r@yahoo.co.uk"


def test_posts_go_through_the_same_check(ctx):
    posts = [Post(platform="mastodon", url="https://social.example/@hs/1",
                  text="Lost property? Ring Sam on 07534 201987 or our office on 020 8952 1234."),
             Post(platform="mastodon", url="https://social.example/@hs/2", text="Lovely picnic today!")]
    [finding] = site_findings(personal_data, [], ctx, posts=posts)
    assert finding.url == "https://social.example/@hs/1" and "mastodon post" in finding.message


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_parsers_never_raise(text):
    find_contacts(text, HOST, ALLOWED)
    find_dates(text, NOW.date())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["07534", " ", "201987", "@", "[at]", "gmail", "dot", "com", "/", "15", "June",
                                 "2024", "-", "£", "+44", "(0)", "\n", "©"]), max_size=30))
def test_parsers_never_raise_on_near_misses(tokens):
    text = " ".join(tokens)
    find_contacts(text, HOST, ALLOWED)
    find_dates(text, NOW.date())
