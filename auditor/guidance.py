"""Plain-English words for the report: the parts of the report in order of harm, what to do per
check code and for whom, the technical how-to kept for the attached list, and the checklist of
what an audit from outside cannot see."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    codes: tuple[str, ...]
    clauses: str             # the policy clauses it answers, as the CEO knows them


# In order of harm: what could hurt a family first, then the scheme's name, then upkeep.
SECTIONS: tuple[Section, ...] = (
    Section("people", "Photos of people without consent",
            ("photo.no_consent", "photo.consent_incomplete"), "policy 1.4"),
    Section("consent", "Consent withdrawn, expired or not covering where a photo is used",
            ("photo.consent_withdrawn", "photo.consent_expired", "photo.consent_scope"), "policy 1.4"),
    Section("personal", "Personal details published",
            ("privacy.personal_data", "privacy.photo_metadata"), "policy 1.1"),
    Section("complaints", "Complaints to answer privately", ("complaint.public",), "policy 1.7"),
    Section("identity", "Our name and logo",
            ("logo.deprecated", "logo.unrecognised", "logo.missing", "logo.distorted", "name.missing",
             "name.variant", "social.name", "social.avatar"), "policy 1.6"),
    Section("freshness", "Out-of-date content",
            ("event.past", "content.stale", "copyright.stale", "social.dormant"), "policy 1.5"),
    Section("access", "Accessibility, broken links and what could not be checked",
            ("image.alt_missing", "link.broken", "image.broken", "social.unreachable", "crawl.error"),
            "policies 1.1 and 1.5"),
)
# A code not listed above goes by its clause.
_BY_CLAUSE = {"1.4": "consent", "1.1": "personal", "1.7": "complaints", "1.6": "identity", "1.5": "freshness"}

WEBSITE, SOCIAL = "whoever edits the website", "whoever runs the account"

# Check code -> (what to do, for whom, in plain words; "{editor}" is whoever edits where it was seen).
GUIDANCE: dict[str, str] = {
    "logo.missing": "Ask {editor} to add the approved logo to the page header, so every page shows it.",
    "logo.deprecated": "Ask {editor} to replace the old logo with the current approved one.",
    "logo.unrecognised": "Check this image. If it is meant as our logo, ask {editor} to replace it with "
                         "the approved one; if it is a partner's or funder's logo, nothing needs doing.",
    "logo.distorted": "Ask {editor} to show the logo at its own proportions, not stretched or squashed.",
    "name.missing": "Ask {editor} to add the scheme's full name to the page, for example in the header "
                    "or footer.",
    "name.variant": "Ask {editor} to correct the spelling to the scheme's approved name.",
    "photo.no_consent": "Ask {editor} to take the photo down, unless everyone pictured agreed; if they did, "
                        "ask whoever keeps the consent register to record their consent.",
    "photo.no_register": "Ask whoever looks after the auditor to set up the consent register, so that "
                         "every photo can be checked against the consents you hold.",
    "photo.consent_incomplete": "Ask whoever keeps the consent register to record consent from everyone "
                                "pictured; until then ask {editor} to take the photo down.",
    "photo.consent_expired": "Ask {editor} to take the photo down, or ask whoever keeps the consent "
                             "register to renew the consent and record the new end date.",
    "photo.consent_withdrawn": "Ask {editor} to take the photo down now: the people pictured have "
                               "withdrawn their consent.",
    "photo.consent_scope": "Ask {editor} to take the photo down from here, or ask whoever keeps the consent "
                           "register to record consent that covers it.",
    "content.stale": "Ask {editor} to review the page: update it, or remove it if it is no longer needed.",
    "event.past": "Ask {editor} to remove the event or mark it as over, and promote what is coming up instead.",
    "copyright.stale": "Ask {editor} to update the year in the copyright line at the foot of the page.",
    "link.broken": "Ask {editor} to point the link at the right address, or remove it.",
    "image.broken": "Ask {editor} to upload the image again, or remove it from the page.",
    "social.dormant": "Ask {editor} to post something on this account, or close it if it is no longer used.",
    "social.name": "Ask {editor} to change the account's display name to the scheme's approved name.",
    "social.avatar": "Ask {editor} to set the account's profile picture to the approved logo.",
    "social.unreachable": "Ask {editor} to check it still exists and is public; if its address has changed, "
                          "tell whoever looks after the auditor.",
    "privacy.personal_data": "Unless the person agreed to it being public, ask {editor} to remove it or "
                             "replace it with the scheme's office contact details.",
    "image.alt_missing": "Ask {editor} to add a short description to the image, so that blind visitors "
                         "using a screen reader know what it shows.",
    "privacy.photo_metadata": "Ask {editor} to replace the photo with a copy that has its hidden location "
                              "and names removed (most photo editors can do this when saving a copy).",
    "complaint.public": "Ask {editor} to reply privately to the person who raised it, and record how it "
                        "was resolved.",
    "crawl.error": "This part of the audit is missing until it can be read. If the site was down or turns "
                   "the audit away, ask whoever runs the website to fix that; if it is kept private on "
                   "purpose, nothing needs doing.",
}

# Check code -> the technical how-to, for the attached list's technical column (not the e-mail).
TECHNICAL: dict[str, str] = {
    "photo.no_consent": "Record consent with: auditor consent add PHOTO --subjects ... --ref ... --given DATE",
    "photo.no_register": "Set [consent] register in the config file (see config/consent_register.csv).",
    "photo.consent_incomplete": "Edit the photo's row of the consent register (subjects column).",
    "photo.consent_expired": "Edit the photo's row of the consent register (expires column).",
    "photo.consent_scope": "Edit the photo's row of the consent register (channels column).",
    "social.unreachable": "Check the [[social]] entry of the config file.",
    "crawl.error": "See the crawl settings (crawl.max_pages, crawl.max_per_pattern, crawl.exclude) and robots.txt.",
    "image.alt_missing": "Set the img element's alt attribute.",
    "privacy.photo_metadata": "Strip EXIF/IPTC/XMP metadata (GPS and author fields).",
    "privacy.personal_data": "Or list it in privacy.allowed_contacts if it is published on purpose.",
}

# Check code -> (one, many): what the problem is, for "12 more images without a description".
NOUNS: dict[str, tuple[str, str]] = {
    "logo.missing": ("page without the approved logo", "pages without the approved logo"),
    "logo.deprecated": ("old logo still shown", "old logos still shown"),
    "logo.unrecognised": ("logo that is not an approved one", "logos that are not approved ones"),
    "logo.distorted": ("stretched or squashed logo", "stretched or squashed logos"),
    "name.missing": ("page that does not name the scheme", "pages that do not name the scheme"),
    "name.variant": ("wrong spelling of the name", "wrong spellings of the name"),
    "photo.no_consent": ("photo with no consent record", "photos with no consent record"),
    "photo.consent_incomplete": ("photo whose consent misses someone pictured",
                                 "photos whose consent misses someone pictured"),
    "photo.consent_expired": ("photo whose consent has expired", "photos whose consent has expired"),
    "photo.consent_withdrawn": ("photo whose consent was withdrawn", "photos whose consent was withdrawn"),
    "photo.consent_scope": ("photo used where its consent does not cover",
                            "photos used where their consent does not cover"),
    "content.stale": ("page not updated for a long time", "pages not updated for a long time"),
    "event.past": ("past event still promoted", "past events still promoted"),
    "copyright.stale": ("out-of-date copyright year", "out-of-date copyright years"),
    "link.broken": ("broken link", "broken links"),
    "image.broken": ("image that does not load", "images that do not load"),
    "social.dormant": ("quiet social account", "quiet social accounts"),
    "social.name": ("social account not named as the scheme", "social accounts not named as the scheme"),
    "social.avatar": ("social account without the approved logo", "social accounts without the approved logo"),
    "social.unreachable": ("social account that could not be read", "social accounts that could not be read"),
    "privacy.personal_data": ("personal contact detail published", "personal contact details published"),
    "image.alt_missing": ("image without a description", "images without a description"),
    "privacy.photo_metadata": ("photo with hidden location or names", "photos with hidden location or names"),
    "complaint.public": ("public complaint", "public complaints"),
    "crawl.error": ("part of the site that could not be read", "parts of the site that could not be read"),
}

# Check module -> what it checks, for "this check could not finish".
CHECK_NAMES: dict[str, str] = {
    "crawl": "broken links and images", "stale": "out-of-date pages", "events": "past events",
    "copyright": "copyright years", "personal_data": "personal contact details",
    "alt_text": "image descriptions", "logo": "the logo", "name": "the scheme's name",
    "social": "the social accounts", "social_identity": "the social accounts' names and pictures",
    "complaints": "public complaints", "photo_consent": "photo consent", "photo_metadata": "hidden photo details",
}

# What cannot be seen from outside: the CEO ticks these by hand.
CHECKLIST: tuple[tuple[str, str], ...] = (
    ("1.3", "The privacy settings of every social account are still as the trustees agreed."),
    ("1.7", "Every complaint received through the website or social media was answered privately."),
    ("1.8", "Staff, volunteers and trustees have been reminded of the social networking policy."),
)

DISMISS_HOWTO = ("If something here is fine as it is (a false alarm, or a risk you accept), tell whoever "
                 "looks after the auditor its reference and why, and it will be left out of later reports "
                 "until that page or photo changes.")

# Words a CEO should not meet in the e-mail: tests read the rendered report against this list.
JARGON = ("auditor consent", "auditor dismiss", "`", ".toml", "robots.txt", "crawl.", "max_pages",
          "max_per_pattern", "consent_ref", "register_line", "EXIF", "IPTC", "XMP", "og:image", "alt text",
          "alt attribute", "RegisterProblems", "Traceback", "HTTP", "status code", "None", "null",
          "fingerprint", "evidence", "[[social]]")


def section_of(code: str, policy: str) -> Section:
    for section in SECTIONS:
        if code in section.codes:
            return section
    key = _BY_CLAUSE.get(policy, "access")
    return next(s for s in SECTIONS if s.key == key)


def code_rank(code: str) -> int:
    """Order of a code within its section (its position in SECTIONS); unknown codes last."""
    for section in SECTIONS:
        if code in section.codes:
            return section.codes.index(code)
    return 99


def advice_key(code: str, subject: str | None) -> str:
    """The guidance a finding needs: a photo finding with no photo named is about the register."""
    return "photo.no_register" if code == "photo.no_consent" and not subject else code


def what_to_do(code: str, on_website: bool = True) -> str:
    text = GUIDANCE.get(code, "Look at this and decide what to do.")
    return text.replace("{editor}", WEBSITE if on_website else SOCIAL)


def noun(code: str, n: int, more: str = "") -> str:
    one, many = NOUNS.get(code, ("other problem", "other problems"))
    return f"{n} {more}{one if n == 1 else many}"


def check_name(module: str) -> str:
    return CHECK_NAMES.get(module, module.replace("_", " "))


def technical(code: str) -> str:
    return TECHNICAL.get(code, "")
