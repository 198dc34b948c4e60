"""Plain-English words for the report: policy clause headings, what to do per check code,
and the checklist of what an audit from outside cannot see."""
from __future__ import annotations

# Policy clause -> heading the CEO reads.
CLAUSES: dict[str, str] = {
    "1.1": "Confidentiality and equal opportunities (policy 1.1)",
    "1.2": "Content approved by the CEO (policy 1.2)",
    "1.3": "Privacy settings (policy 1.3)",
    "1.4": "Photos and consent (policy 1.4)",
    "1.5": "Content appropriate and up to date (policy 1.5)",
    "1.6": "Our name and logo (policy 1.6)",
    "1.7": "Complaints (policy 1.7)",
}

# Check code -> what to do about it, one or two plain sentences.
GUIDANCE: dict[str, str] = {
    "logo.missing": "Add the approved logo to the page header or template, so every page shows it.",
    "logo.deprecated": "Replace the old logo with the current approved one wherever it appears.",
    "logo.unrecognised": "Check this image: if it is meant as our logo, replace it with the approved file; "
                         "if it is a partner's or funder's logo, nothing needs doing.",
    "logo.distorted": "Show the logo at its original proportions: fix the width and height set on the page "
                      "or upload a correctly sized copy.",
    "name.missing": "Add the scheme's full name to the page, for example in the header or footer.",
    "name.variant": "Correct the spelling to the scheme's approved name.",
    "photo.no_consent": "Ask whoever posted it to remove it, or record consent with "
                        "`auditor consent add` if the people pictured agreed.",
    "photo.consent_expired": "Remove the photo, or renew the consent and record the new expiry date "
                             "in the consent register.",
    "photo.consent_withdrawn": "Remove the photo now: the people pictured have withdrawn their consent.",
    "photo.consent_scope": "Remove the photo from this channel, or record consent that covers it.",
    "photo.consent_incomplete": "Check who is in the photo: record the consent of everyone pictured in its row "
                                "of the consent register, or remove the photo.",
    "content.stale": "Ask the page's owner to review it: update it, or remove it if it is no longer needed.",
    "event.past": "Remove the event or mark it as over, and promote what is coming up instead.",
    "copyright.stale": "Update the copyright year in the site footer.",
    "link.broken": "Fix the link to point to the right address, or remove it.",
    "image.broken": "Upload the image again or remove it from the page.",
    "social.dormant": "Post something on this account, or close it if it is no longer used.",
    "social.name": "Change the account's display name to the scheme's approved name.",
    "social.avatar": "Set the account's profile picture to the approved logo.",
    "social.unreachable": "Check that the account still exists and is public, and that the address in "
                          "the auditor's settings is right.",
    "privacy.personal_data": "Unless the person agreed to it being public, remove it or replace it with "
                             "the scheme's office contact details.",
    "image.alt_missing": "Add a short description (alt text) to the image so screen-reader users "
                         "know what it shows.",
    "privacy.photo_metadata": "Replace the photo with a copy that has its location and names removed "
                              "(most photo editors can strip this when exporting).",
    "complaint.public": "Reply privately to the person who raised it, and record how it was resolved.",
    "crawl.error": "Until this can be read, this part of the audit is missing: if the site was down or "
                   "blocks the auditor, ask whoever runs the website to fix that; if it is kept out on "
                   "purpose (for example by robots.txt), nothing needs doing.",
}

# What cannot be seen from outside: the CEO ticks these by hand.
CHECKLIST: tuple[tuple[str, str], ...] = (
    ("1.3", "The privacy settings of every social account are still as the trustees agreed."),
    ("1.7", "Every complaint received through the website or social media was answered privately."),
    ("1.8", "Staff, volunteers and trustees have been reminded of the social networking policy."),
)


def clause_heading(policy: str) -> str:
    return CLAUSES.get(policy, f"Policy {policy}")


def what_to_do(code: str) -> str:
    return GUIDANCE.get(code, "Review this and decide what to do.")
