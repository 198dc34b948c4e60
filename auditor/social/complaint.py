"""Does a public reply read as a complaint? A transparent rule, not a model.

Signals, in order, each reported in the verdict so the CEO can see why:
  1. complaint phrases ("nobody called me back", "still waiting", "unacceptable"…);
  2. praise used sarcastically ("thanks for nothing", "great, another…" with a failure in it);
  3. service-failure cues (frustration, waiting times, things gone wrong, questions such as
     "is anyone actually reading these?", asking for a manager): two alone, or one in a reply
     aimed at the scheme that is not glowing;
  4. a failure or strong negativity after "but"/"shame" in a mixed reply;
  5. softer phrases ("again", "cancelled", "weeks") in a statement about the service that is
     neither positive nor thankful;
  6. strongly negative sentiment (VADER, a maintained lexicon) about the service itself,
     so grief, farewells or bad weather do not count.
Praise idioms that contain complaint words ("never let us down", "can't fault") are removed first.
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
    r"\b(no one|nobody|no-one) (ever )?((does|did)(?=\s*[.!?,;]|\s*$)|(even )?(bothered|bothers))",
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
    r"\bplease (reply|respond|answer|get back)\b", r"\bwhy (has|have|did|does|do|is) (no one|nobody|no-one)\b",
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
# Service-failure and frustration wording: one counts when the reply is aimed at the scheme
# (its staff, sessions, "you"), two count on their own.
CUES = [
    # feelings people voice about how they were treated
    r"\bfrustrat\w*", r"\bgutted\b", r"\bupset(ting)?\b", r"\bmortified\b", r"\bhumiliat\w*", r"\bbelittl\w*",
    r"\bembarrass\w*", r"\bannoy\w*", r"\binfuriat\w*", r"\blivid\b", r"\bangry\b", r"\bhurt(ful)?\b",
    r"\bdistress\w*", r"\b(felt|feel|made me feel) (judged|stupid|small|ignored|worthless|invisible|unwelcome)\b",
    # the state of the service
    r"\bshambles\b", r"\b(a|an absolute|absolute|total|complete) (joke|mess|nightmare|farce)\b", r"\bchao(s|tic)\b",
    r"\bpointless\b", r"\bwhat'?s the point\b", r"\bfobbed off\b", r"\bpillar to post\b", r"\bin the dark\b",
    r"\bradio silence\b", r"\bwent (quiet|silent)\b", r"\bnone the wiser\b",
    r"\bno idea (when|why|what|if|whether|who|how)\b", r"\bforgotten( about)?\b", r"\bforgot (about )?(us|me|my|our)\b",
    r"\boverlooked\b", r"\bbroken promises?\b", r"\bfor nothing\b",
    r"\b(badly|poorly) (run|organi[sz]ed|managed|handled|planned|treated|communicated)\b",
    r"\b(painfully|so|too|very|really|incredibly) slow\b", r"\b(no one|nobody|no-one) (was )?(there|around|available)\b",
    # things that went wrong
    r"\bnever happened\b", r"\bdidn'?t happen\b", r"\bhung up\b", r"\bon hold\b", r"\b(can'?t|couldn'?t|cannot) get through\b",
    r"\brings? out\b", r"\bgoes to voicemail\b", r"\b(didn'?t|did not|never|doesn'?t|don'?t) (show|turn up|arrive|follow (it )?up"
    r"|get back|bother)\b", r"\bnot (so much as|even) an? (text|call|email|letter|reply|word|apology)\b",
    r"\bwrong (family|person|address|date|time|name|child|details|information|email)\b", r"\bmix(ed)?[- ]?up\b",
    r"\b(turned up|arrived|came|started|opened) late\b", r"\bleft early\b", r"\bon (her|his|their) phones?\b",
    r"\b(stopped|pulled|dropped|axed|cut|closed) (\w+ )?(without|with no)\b", r"\blast minute\b",
    r"\b(never|didn'?t|did not) (get|got|receive|received) (a |an |any )?(reply|response|call|answer|help)\b",
    r"\bpromised\b.*\b(never|still|nothing|not|no one|nobody)\b", r"\bstopped (coming|visiting|calling)\b",
    r"\btold (everyone|everybody|others|people|the (room|group)|my \w+) about (my|our)\b", r"\bconfidential",
    # waiting, in time words
    r"\b(waiting|waited|wait|queued|queuing|queueing|stood|sat|on hold) (for |over |nearly |almost |more than )*(an? |\d+ |two |three |four |five |six |several "
    r"|many )?(hours?|days?|weeks?|months?|years?|ages)\b", r"\bhow (much )?long(er)? (do|must|should|will|are) (i|we) "
    r"(have to |expected to )?(keep )?(wait|waiting)\b", r"\bsince (january|february|march|april|may|june|july|august"
    r"|september|october|november|december|the (spring|summer|autumn|winter|new year)|christmas|easter|last (week|month|year))\b",
    r"\b(was|that'?s) (a |two |three |four |several )?(weeks?|fortnight|months?) ago\b",
    # complaints asked as questions
    r"\bwhy (hasn'?t|haven'?t|didn'?t|don'?t|doesn'?t|can'?t|won'?t|isn'?t|wasn'?t) (anyone|anybody|someone|you)\b",
    r"\bis (anybody|anyone|someone) (actually |even )?(there|reading|listening|working|answering|looking)\b",
    r"\bhow (does|did|could|can) (that|this) (even )?happen\b", r"\b(can'?t|cannot|don'?t) actually\b",
    # promises and chasing
    r"\byou (said|promised|told (me|us)) (you'?d|you would|you were going to|someone would)\b",
    r"\b(trying|tried) to (reach|contact|get hold of|get through to)\b", r"\b(shame|pity) (about|that)\b",
    r"\b(no one|nobody|never|didn'?t|did not|not) (followed|follow) (it |this |that )?up\b",
    r"\ba whole (hour|day|week|fortnight|month|year)s? to\b",
    # asking to take it further
    r"\b(speak|talk) to (someone|somebody|a person) (senior|in charge|more senior)\b",
    r"\b(speak|talk) to (a|your|the) (manager|ceo|director|chair)\b", r"\bescalat\w+", r"\bombudsman\b",
    r"\bcharity commission\b", r"\breport(ing)? (you|this) to\b",
]
# Sarcasm: wording that is praise only on the surface. SARCASM is enough alone; an IRONIC opener
# needs a cue, a soft phrase or a negation with it ("Oh good, another fundraiser…").
SARCASM = [r"\bthanks for nothing\b", r"\boh wait\b", r"\bcould(n'?t| not)? be bothered\b", r"\bclassy\b",
           r"\bthanks a lot\b[.!]*$", r"\bnice to know\b", r"\bcheers for (nothing|that)\b"]
IRONIC = (r"^(oh )?(great|good|brilliant|wonderful|fantastic|lovely|marvellous|perfect|amazing|wow)\b[,.!]"
          r"|^oh (good|great|brilliant|wonderful|lovely)\b|\blove (how|that) (you|nobody|no one)\b"
          r"|\b(impressive|well done|good job|great job|keep up the good work)[.!]*$|\b(shame|pity) (that |about |the |nobody|no one)")
PRAISE = r"\b(thanks?|thank you|glad|grateful|love|lovely|brilliant|amazing|wonderful|fab|great)\b"
CONTRAST = r"\b(but|however|though|although|shame|pity|meanwhile|except)\b"
NEGATION = r"\b(not|no|never|nothing|nobody|no one|didn'?t|doesn'?t|don'?t|isn'?t|wasn'?t|can'?t|won'?t|hasn'?t|haven'?t)\b"
SOFT = [r"\bagain\b", r"\bstill\b", r"\bcancel", r"\bweeks\b", r"\bmonths\b", r"\bwaited\b"]
SERVICE = (r"\b(volunteers?|coordinators?|staff|workers?|sessions?|visits?|groups?|charity|office|referrals?|"
           r"service|team|phone|emails?|calls?|manager|centre|support|help)\b")
# Aimed at the scheme: its service, or the scheme addressed as "you".
AIMED = SERVICE[:-3] + (r"|you|your|you'?ve|you'?d|inbox|messages?|waiting list|leader|callback|case"
                        r"|organi[sz]ation|lady|man|woman|drop-in|crèche|creche|venue)\b")
NOT_ABOUT_US = (r"\b(sorry (to hear|to see|for your loss)|sad (to hear|to see|news)|condolences|thinking of (you|them)"
                r"|rest in peace|rip|end of an era|will be (sorely )?missed)\b")
NEGATED = (r"\bno complaints?\b|\bnothing to complain\b|\bnot disappointed\b|\bnever disappoint\w*\b"
           r"|\b(never|didn'?t|don'?t|won'?t) let (me|us|anyone|you) down\b|\bcan'?t fault\b|\bno joke\b"
           r"|\b(nobody|no one|never) (made|makes) me feel\b|\bnot (once|at all) (judged|ignored)\b")

NEGATIVE = -0.5          # VADER compound at or below which a reply about the service is a complaint
NOT_POSITIVE = 0.05      # soft phrases count when the compound is below this
GLOWING = 0.6            # above this, one cue alone is not enough: "worth the wait!"
TAIL_NEGATIVE = -0.3     # the part after "but" at or below this is a complaint in a mixed reply


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
    compound = _compound(text)
    cleaned = re.sub(NEGATED, " ", plain)
    strong = _found(STRONG, cleaned)
    if strong:
        return Verdict(True, compound, strong, "complaint wording")
    cues, soft = _found(CUES, cleaned), _found(SOFT, cleaned)
    reason, phrases = _weigh(cleaned, compound, cues, soft)
    return Verdict(bool(reason), compound, phrases if reason else cues + soft, reason)


def _weigh(cleaned: str, compound: float, cues: list[str], soft: list[str]) -> tuple[str, list[str]]:
    """The reason the reply is a complaint and the phrases that show it; ("", []) if it is not."""
    ours = not re.search(NOT_ABOUT_US, cleaned)
    aimed, about_service = ours and bool(re.search(AIMED, cleaned)), ours and bool(re.search(SERVICE, cleaned))
    sarcasm = _sarcasm(cleaned, cues, soft)
    if sarcasm:
        return "praise wording used sarcastically", sarcasm
    if len(cues) >= 2 or (cues and aimed and compound < GLOWING):
        return "wording about a service failure", cues
    tail = _after_contrast(cleaned)
    if tail is not None and aimed and (_found(CUES, tail[0]) or tail[1] <= TAIL_NEGATIVE):
        return "a complaint after a kind word", _found(CUES, tail[0])
    if soft and about_service and compound < NOT_POSITIVE and not cleaned.endswith("?") \
            and not re.search(PRAISE, cleaned):
        return "complaint wording in a reply that is not positive", soft
    if compound <= NEGATIVE and about_service:
        return "strongly negative about the service", []
    return "", []


def _compound(text: str) -> float:
    return round(_analyzer().polarity_scores(text)["compound"], 3)


def _sarcasm(cleaned: str, cues: list[str], soft: list[str]) -> list[str]:
    alone = _found(SARCASM, cleaned)
    if alone:
        return alone
    ironic = re.search(IRONIC, cleaned)
    if ironic and (cues or soft or re.search(NEGATION, cleaned)):
        return [ironic.group(0)] + cues + soft
    return []


def _after_contrast(cleaned: str) -> tuple[str, float] | None:
    """The clause after the last "but"/"shame" in a reply, with its sentiment; None without one."""
    parts = re.split(CONTRAST, cleaned)
    if len(parts) < 3 or not parts[-1].strip():
        return None
    tail = parts[-1]
    return tail, _compound(tail)
