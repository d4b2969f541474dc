"""Serial reading and normalisation: look-alikes fold together, one edit is found through
shared deletion keys, obliterated serials keep their legible part and length."""

from __future__ import annotations

from puente.trace.describe import calibre_key, category, make_key, type_key
from puente.trace.keys import key_hash
from puente.trace.serials import (
    clean,
    deletion_keys,
    fold,
    lookalikes,
    one_edit,
    read_serial,
)


def test_lookalikes_fold_to_one_key() -> None:
    assert fold("le-1O345") == fold("LE10345") == "1E10345"
    assert fold("SCD8Z6") == fold("5CDB26")
    assert clean(" m70 pap-12 ") == "M70PAP12"
    assert lookalikes("LE1O345", "LE10345") == ["O→0 @4"]
    assert fold("7") != fold("1")  # 7/1 stays one substitution, not a fold


def test_one_edit_names_the_kind_and_position() -> None:
    assert one_edit("LE1245", "LE12345") == ("missing", 5)
    assert one_edit("LE123345", "LE12345") == ("extra", 6)  # the second 3
    assert one_edit("LE12845", "LE12345") == ("substituted", 5)
    assert one_edit("LE12345", "LE12345") is None
    assert one_edit("LE1", "LE12345") is None


def test_deletion_neighbourhoods_meet_within_one_edit() -> None:
    true, misreads = "SCD1234567", ["SCD124567", "SCD12345678", "SCD1294567"]
    for read in misreads:
        assert deletion_keys(fold(true)) & deletion_keys(fold(read)), read
    assert not deletion_keys(fold(true)) & deletion_keys(fold("SCD9934567"))
    assert deletion_keys("1234") == {"1234"}  # short serials: exact only
    assert key_hash("COLT", "1E12345") == key_hash("COLT", "1E12345")
    assert key_hash("COLT", "1E12345") != key_hash("RUGER", "1E12345")


def test_obliterated_serials_keep_legible_prefix_and_length() -> None:
    marked = read_serial("LE12***")
    assert (marked.prefix, marked.partial, marked.length) == ("LE12", True, 7)
    assert marked.fits(fold("LE12999")) and not marked.fits(fold("LE129999"))
    cut = read_serial("LE12", partial=True)
    assert (cut.partial, cut.length) == (True, None)
    assert cut.fits(fold("LE12345")) and not cut.fits(fold("LE22345"))
    inner = read_serial("LE1?345")
    assert inner.fits(fold("LE19345")) and not inner.fits(fold("LE19346"))
    whole = read_serial("LE-12345")
    assert (whole.partial, whole.length, whole.prefix) == (False, 7, "LE12345")


def test_descriptions_compare_across_agencies() -> None:
    assert make_key("Smith & Wesson") == make_key("SMITH AND WESSON") == make_key("S&W")
    assert calibre_key(".223 Rem") == calibre_key("5.56x45mm")
    assert calibre_key("7.62x39mm") != calibre_key("5.56x45mm")
    assert (type_key("fusil"), type_key("Pistola"), type_key("rifle")) == (
        "rifle",
        "pistol",
        "rifle",
    )
    assert category("Barrett", "M82A1", ".50 BMG") == "fifty"
    assert category("Century Arms", "WASR-10", "7.62x39mm") == "ak"
    assert category("Colt", "", "", "fusil de asalto tipo AR-15") == "ar"
    assert category("Glock", "19", "9x19mm") == "other"
