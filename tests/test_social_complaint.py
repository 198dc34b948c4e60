"""The complaint classifier against labelled replies, and the complaint.public check."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from auditor.checks import complaints
from auditor.social.complaint import classify
from auditor.snapshot import Post, Reply, Snapshot

DATA = Path(__file__).parent / "data"


def scores(name: str) -> tuple[float, float, int]:
    tp = fp = fn = total = 0
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            total += 1
            said, truth = classify(row["text"]).complaint, row["label"] == "complaint"
            tp += said and truth
            fp += said and not truth
            fn += truth and not said
    return tp / (tp + fp), tp / (tp + fn), total


# Floors sit just under the measured figures. How far each set can be trusted:
# - replies_labelled.csv: the rules were written from it, so it must score near perfectly;
# - replies_heldout.csv, replies_heldout2.csv: held out when written, but their misses were
#   seen while the service-failure, waiting and sarcasm cues were added, so they flatter;
# - replies_heldout3.csv: written after those rules were frozen (blind score: precision 0.78,
#   recall 0.39); its misses were then seen while a second round of general rules was added;
# - replies_heldout4.csv: written after the second round was frozen and never tuned on: the
#   honest figure for new wording (precision 1.00, recall 0.37 when written). The rules stay
#   precise (a false alarm teaches the reader to ignore the report) but miss complaints
#   phrased in ways no cue anticipates.
@pytest.mark.parametrize("name, min_precision, min_recall, min_size", [
    ("replies_labelled.csv", 0.95, 0.9, 150),
    ("replies_heldout.csv", 0.9, 0.8, 30),
    ("replies_heldout2.csv", 0.9, 0.8, 40),
    ("replies_heldout3.csv", 0.9, 0.5, 40),
    ("replies_heldout4.csv", 0.9, 0.3, 40),
])
def test_precision_and_recall(name, min_precision, min_recall, min_size, capsys):
    precision, recall, total = scores(name)
    with capsys.disabled():
        print(f"\n{name}: {total} replies, precision {precision:.2f}, recall {recall:.2f}")
    assert total >= min_size
    assert precision >= min_precision and recall >= min_recall


@pytest.mark.parametrize("text", [
    "No complaints at all - the support was excellent.",
    "Is the group still on this Friday?",
    "So sorry to hear about the loss of your founder. Thinking of you all.",
    "You guys never let us down. Always there when we need you.",
    "Very sad to see the centre close after twenty years. End of an era.",
    "This group kept me going when I had nobody else.",
    "How long does it usually take to be matched with a volunteer?",
    "Took a while, but it was worth every minute of the wait!",
    "Nobody does it better than your volunteers!",
])
def test_not_complaints(text):
    assert not classify(text).complaint


def test_sarcasm_is_caught_by_phrases_although_sentiment_is_positive():
    verdict = classify("Oh wonderful, still no reply after a month. Well done.")
    assert verdict.complaint and verdict.compound > 0 and verdict.phrases


@pytest.mark.parametrize("text, reason", [
    ("Thanks for nothing. Our visit was moved again.", "praise wording used sarcastically"),
    ("Oh brilliant, the group has moved again.", "praise wording used sarcastically"),
    ("Lovely staff, but the organisation behind them is chaotic.", "wording about a service failure"),
    ("Why has nobody rung us back?", "complaint wording"),
    ("I'd like to talk to a manager about how our referral was closed.", "wording about a service failure"),
    ("We've been waiting for three months for a volunteer.", "wording about a service failure"),
])
def test_complaints_in_other_words(text, reason):
    verdict = classify(text)
    assert verdict.complaint and verdict.reason == reason


def test_check_links_the_reply_once_and_says_what_to_do():
    post = Post(platform="facebook", url="https://fb.example/post/1", replies=[
        Reply(url="https://fb.example/post/1?comment_id=1", text="Really disappointed with how my referral was handled."),
        Reply(url="https://fb.example/post/1?comment_id=2", text="Thank you, lovely day!")])
    snapshot = Snapshot(website="https://x.example/", started_at="", posts=[post, post])
    (finding,) = list(complaints.check(snapshot, None))
    assert finding.url == "https://fb.example/post/1?comment_id=1" and finding.subject == post.url
    assert finding.policy == "1.7" and "privately" in finding.message and "complaints procedure" in finding.message
    assert finding.evidence["signals"] == ["disappointed"]
