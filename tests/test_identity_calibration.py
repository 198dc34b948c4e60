"""Calibration of the logo matcher over a generated variant set (figures printed with -s)."""
from __future__ import annotations

import pytest

import identity_support as S  # noqa: E402
from auditor.identity import logos


@pytest.fixture(scope="module")
def matcher():
    return logos.LogoMatcher(logos.load_folder(S.REFERENCES / "approved", "approved")
                             + logos.load_folder(S.REFERENCES / "deprecated", "deprecated"))


def test_variants_match_their_reference_and_different_logos_never_match(matcher):
    positives = {(src.name, label): (kind, data)
                 for src, kind in ((S.APPROVED_SVG, "approved"), (S.MARK_SVG, "approved"),
                                   (S.DEPRECATED_SVG, "deprecated"))
                 for label, data in S.variants(src.read_bytes()).items()}
    # Different logos are compared as published on white or transparent backgrounds: on a
    # coloured background a look-alike differing only in its small second line comes too close.
    negatives = {(name, label): data for name, logo in S.others().items()
                 for label, data in S.variants(logo).items() if not label.startswith("on-")}
    true = {key: (kind, matcher.match(S.analyse(data))) for key, (kind, data) in positives.items()}
    other = {key: matcher.match(S.analyse(data)) for key, data in negatives.items()}
    missed = [key for key, (kind, m) in true.items() if m.kind != kind]   # includes approved/deprecated mix-ups
    false = [key for key, m in other.items() if m.kind is not None]
    worst = max(m.distance for _, m in true.values())
    closest = min(m.distance for m in other.values())
    print(f"\nlogo calibration: true-match rate {len(positives) - len(missed)}/{len(positives)}, "
          f"false-match rate {len(false)}/{len(negatives)}; worst true distance {worst:.3f}, "
          f"closest different logo {closest:.3f} (1.0 = threshold)")
    assert not missed
    assert not false
    assert worst < 1.0 < closest


def test_on_coloured_backgrounds_only_a_same_mark_look_alike_comes_through(matcher):
    coloured = {(name, label): matcher.match(S.analyse(data)) for name, logo in S.others().items()
                for label, data in S.variants(logo).items() if label.startswith("on-")}
    false = sorted({name for (name, _), m in coloured.items() if m.kind is not None})
    print(f"\nlogo calibration on coloured backgrounds: false-match rate "
          f"{sum(m.kind is not None for m in coloured.values())}/{len(coloured)} ({', '.join(false) or 'none'})")
    assert set(false) <= {"other-scheme"}     # the README's known limit


def test_deprecated_logo_is_recognised_as_deprecated_not_approved(matcher):
    result = matcher.match(S.analyse(S.DEPRECATED_SVG.read_bytes()))
    assert (result.kind, result.reference) == ("deprecated", "home-start-bbh-logo-2012.svg")
    assert matcher.match(S.analyse(S.others()["national"])).kind is None


def test_image_without_logo_hashes_is_not_judged(matcher):
    info = S.analyse(S.APPROVED_SVG.read_bytes())
    info.hashes = {"phash": info.hashes["phash"]}
    assert matcher.match(info).judged is False


def test_scheme_without_logo_folders_knows_no_logos(tmp_path):
    from auditor import config
    matcher = logos.LogoMatcher.from_config(config.load(S.write_config(tmp_path, logos=False)))
    assert matcher.references == [] and not matcher.has_approved
    assert matcher.match(S.analyse(S.APPROVED_SVG.read_bytes())).kind is None
