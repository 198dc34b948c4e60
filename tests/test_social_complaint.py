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


# Floors: the development set was used to write the phrase list, so it must score near perfectly.
# The held-out set was written after the last rule change and never tuned on; its floors record
# what the rule really achieves on new wording: precise (a false alarm teaches the reader to
# ignore the report) but missing complaints phrased in ways no phrase anticipates.
@pytest.mark.parametrize("name, min_precision, min_recall, min_size", [
    ("replies_labelled.csv", 0.95, 0.9, 150),
    ("replies_heldout.csv", 0.8, 0.3, 30),
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
])
def test_not_complaints(text):
    assert not classify(text).complaint


def test_sarcasm_is_caught_by_phrases_although_sentiment_is_positive():
    verdict = classify("Oh wonderful, still no reply after a month. Well done.")
    assert verdict.complaint and verdict.compound > 0 and verdict.phrases


def test_check_links_the_reply_once_and_says_what_to_do():
    post = Post(platform="facebook", url="https://fb.example/post/1", replies=[
        Reply(url="https://fb.example/post/1?comment_id=1", text="Really disappointed with how my referral was handled."),
        Reply(url="https://fb.example/post/1?comment_id=2", text="Thank you, lovely day!")])
    snapshot = Snapshot(website="https://x.example/", started_at="", posts=[post, post])
    (finding,) = list(complaints.check(snapshot, None))
    assert finding.url == "https://fb.example/post/1?comment_id=1" and finding.subject == post.url
    assert finding.policy == "1.7" and "privately" in finding.message and "complaints procedure" in finding.message
    assert finding.evidence["signals"] == ["disappointed"]
