"""Does a public reply read as a complaint? A transparent rule, not a model.

Three signals, each reported in the verdict so the CEO can see why:
  1. complaint phrases ("nobody called me back", "still waiting", "unacceptable"…), which
     also catch sarcasm that a sentiment lexicon scores as praise;
  2. softer phrases ("again", "cancelled", "weeks") that count only in a statement (not a
     question) that is not positive;
  3. strongly negative sentiment (VADER, a maintained lexicon) about the service itself,
     so grief or bad weather do not count.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

STRONG = [
    r"\bcomplain(t|ts|ed|ing)?\b", r"\bdisappoint(ed|ing)\b", r"\bdisgust(ed|ing)\b", r"\bunacceptable\b",
    r"\bappall(ed|ing)\b", r"\bshocking\b", r"\bfuming\b", r"\bfurious\b", r"\blet (me|us) down\b",
    r"\blet down\b", r"\bnot good enough\b", r"\brude\b", r"\bignor(ed|ing|es)\b", r"\bturned away\b",
    r"\b(no one|nobody|no-one)( has| have|'s)?( ever| actually)? (came|come|turned up|replied|responded|"
    r"called|rang|answers?|explained|apologi[sz]ed|got back|gets back|did anything|told us|been in touch)",
    r"\bnever (heard back|replie[sd]|returns?|returned|answers?|answered|got back|came|called|rang|responded)",
    r"\bstill (waiting|no (reply|response|answer|word|news|call))", r"\bheard nothing\b",
    r"\bno (reply|response|answer) (yet|after|from)\b", r"\bwaste of (time|money)\b",
    r"\bwithout (any )?(notice|warning|asking|consent|permission|explanation)\b",
    r"\b(poor|terrible|awful|bad|dreadful|rubbish) (service|communication|experience|treatment)\b",
    r"\bworst\b", r"\b(another|again) cancel", r"\bcancel\w* (on us|on me|again|them every|it every)",
    r"\bkeep(s)? (getting )?cancel", r"\b(get|getting|got) back to me\b", r"\b(ring|call|phone) (me|us) back\b",
    r"\bcalled (me|us) back\b", r"\bdon'?t (seem to )?matter to you\b", r"\bdidn'?t listen\b",
    r"\b(shared|passed on|posted) (my|our) (details|information|photos?|children)", r"\bwithout asking\b",
    r"\bdoesn'?t work\b", r"\bno one (has )?(ever )?answers?\b", r"\bnot (been )?(contacted|called back)\b",
    r"\b(asked|emailed|rang|called|phoned) (\w+ )?(twice|three times|four times|several times|so many times)\b",
    r"\b(unhelpful|dismissive|useless|incompetent|unprofessional|patronising|patronizing|condescending)\b",
    r"\bnot (impressed|happy|acceptable|ok|okay)\b", r"\b(no|without an?) (explanation|apology)\b",
    r"\bchas(e|ing) (you|them|up)\b", r"\bhave to chase\b", r"\b(late|cancelled|missed) every\b",
    r"\b(took|take|taken|deleted|removed) (down )?my (comment|post|review)\b",
    r"\banswer(ing)? (your|my|the) (emails?|calls?|messages?|phone)\b", r"\bthere (wasn't|was not) one\b",
    r"\b(voicemails?|messages?) and (still )?(nothing|no (reply|answer|response))\b",
    r"\bunhappy\b", r"\b(poor|bad) (organi[sz]ation|planning|support|care|attitude)\b",
    r"\bstill (haven't|hasn't|have not|has not|not|no one|nobody)\b", r"\b(second|third|fourth|fifth) time\b",
    r"\bplease (reply|respond|answer|get back)\b",
    # conduct
    r"\b(disgrace(ful)?|outrageous|ridiculous|pathetic|hopeless|judge?mental|unfair|insensitive|inappropriate|"
    r"careless|negligent|misleading)\b", r"\bnot fair\b", r"\bout of order\b", r"\btalk(s|ed|ing)? down to\b",
    r"\bnot (properly )?trained\b", r"\b(lied|lying) to\b",
    # silence
    r"\bno (call|calls|letter|reply|replies|response|contact|update|follow[- ]?up)\b(?! (needed|necessary))",
    r"\bnot (a single|one) (call|reply|word|email|message|response)\b", r"\b(unanswered|unread)\b",
    r"\b(straight|always|only ever) (to|get|gets|got) (the )?voicemail\b", r"\b(left|kept) waiting\b",
    r"\bwaiting (this|so) long\b",
    # consent and privacy
    r"\bstop posting\b", r"\b(never|didn'?t|did not) (agree|consent)", r"\bwithout (my|our) (consent|permission)\b",
    r"\b(take|taken|remove|removed) (it|this|that|the photo|the picture|my \w+'?s? (photo|picture)) (down|off)\b",
    # mistakes and feelings aimed at the service
    r"\b(lost|forgot|forgotten) (about )?(my|our|us|me)\b", r"\b(messed|mixed) (it |this |us |things )?up\b",
    r"\bhate that\b", r"\b(fed up|sick|tired) (of|with)\b", r"\bangry (that|with|about)\b",
    r"\balways (full|closed|cancell?ed|engaged)\b", r"\bnot (accessible|wheelchair accessible)\b",
    r"\bno (step[- ]free|wheelchair|disabled) access\b",
]
SOFT = [r"\bagain\b", r"\bstill\b", r"\bcancel", r"\bweeks\b", r"\bmonths\b", r"\bwaited\b",
        r"\bnobody\b", r"\bno one\b"]
SERVICE = (r"\b(volunteers?|coordinators?|staff|workers?|sessions?|visits?|groups?|charity|office|referrals?|"
           r"service|team|phone|emails?|calls?|manager|centre|support|help)\b")
NOT_ABOUT_US = r"\b(sorry (to hear|for your loss)|condolences|thinking of (you|them)|rest in peace|rip|sad news)\b"
NEGATED = r"\bno complaints?\b|\bnothing to complain\b|\bnot disappointed\b|\bnever disappoint\w*\b"

NEGATIVE = -0.5          # VADER compound at or below which a reply about the service is a complaint
NOT_POSITIVE = 0.05      # soft phrases count when the compound is below this


@dataclass
class Verdict:
    complaint: bool
    compound: float
    phrases: list[str] = field(default_factory=list)
    reason: str = ""


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def _found(patterns: list[str], text: str) -> list[str]:
    out = []
    for pattern in patterns:
        match = re.search(pattern, text)
        if match:
            out.append(match.group(0))
    return out


def classify(text: str) -> Verdict:
    plain = " ".join(text.lower().replace("\u2019", "'").split())
    compound = round(_analyzer().polarity_scores(text)["compound"], 3)
    cleaned = re.sub(NEGATED, " ", plain)
    strong = _found(STRONG, cleaned)
    if strong:
        return Verdict(True, compound, strong, "complaint wording")
    soft = _found(SOFT, cleaned)
    if soft and compound < NOT_POSITIVE and not plain.endswith("?"):
        return Verdict(True, compound, soft, "complaint wording in a reply that is not positive")
    if compound <= NEGATIVE and re.search(SERVICE, cleaned) and not re.search(NOT_ABOUT_US, cleaned):
        return Verdict(True, compound, [], "strongly negative about the service")
    return Verdict(False, compound, soft)
