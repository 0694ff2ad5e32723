"""NIST SP 1500-103 CDF cast vote records in XML: read exactly as the JSON form is read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pytest
from count_formats_support import ballot_multiset

from omov.cli.main import main
from omov.count import BallotFile, RawBallot, ValidityRules, count
from omov.count.errors import CountInputError
from omov.count.formats import read_ballot_file, sniff_format
from omov.count.formats.cdf import read_cdf, write_cdf

HAND_WRITTEN = Path(__file__).parent / "data" / "cvr-rctab-style.xml"
LISTS = {
    *("Election", "Candidate", "Contest", "ContestSelection", "CVR", "CVRSnapshot"),
    *("CVRContest", "CVRContestSelection", "SelectionPosition", "GpUnit", "ReportingDevice"),
}


def to_xml(document: dict[str, Any]) -> str:
    """Write a CDF JSON document in the XML form (ObjectId, xsi:type, repeated elements)."""

    def element(tag: str, value: Any) -> str:
        if isinstance(value, dict):
            attributes = ""
            if "@id" in value:
                attributes += f" ObjectId={quoteattr(value['@id'])}"
            if "@type" in value and tag not in LISTS | {"CastVoteRecordReport"}:
                attributes += f" xsi:type={quoteattr(value['@type'].removeprefix('CVR.'))}"
            inner = "".join(
                children(key, item) for key, item in value.items() if not key.startswith("@")
            )
            return f"<{tag}{attributes}>{inner}</{tag}>"
        if tag == "CandidateIds":
            return f"<{tag}>{escape(' '.join(value))}</{tag}>"
        return f"<{tag}>{escape(str(value))}</{tag}>"

    def children(key: str, value: Any) -> str:
        if isinstance(value, list) and key != "CandidateIds":
            return "".join(element(key, item) for item in value)
        return element(key, value)

    body = "".join(children(k, v) for k, v in document.items() if not k.startswith("@"))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<CastVoteRecordReport xmlns="http://itl.nist.gov/ns/voting/1500-103/v1" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"{body}</CastVoteRecordReport>\n"
    )


def test_a_hand_written_xml_report_reads_as_expected() -> None:
    ballots = read_ballot_file(HAND_WRITTEN)
    assert ballots.candidates == ("Ada Lovelace", "Ben Okri", "Cy Twombly")
    assert (ballots.title, ballots.seats) == ("Mayor", 1)
    ada, ben, cy = ("Ada Lovelace",), ("Ben Okri",), ("Cy Twombly",)
    assert ballot_multiset(ballots) == {(ada, (), (), cy): 1, (ben, ada): 1, (ben,): 1}
    # Maine's rule: two skipped ranks in a row exhaust the first ballot after Ada.
    result = count(ballots, rules=ValidityRules(max_skipped_ranks=1))
    assert result.rounds[0].votes == {"Ada Lovelace": 1, "Ben Okri": 2, "Cy Twombly": 0}
    assert result.elected == ("Ben Okri",)


def test_the_xml_form_of_the_writers_report_reads_as_the_json_form() -> None:
    original = BallotFile(
        candidates=("Ada", "Ben & Co", "Cy <3"),
        ballots=(
            RawBallot((("Ada",), ("Cy <3",)), 3),
            RawBallot((("Ada", "Ben & Co"),), 1),  # an overvote, in candidate order
            RawBallot(((), ("Cy <3",), ("Ada",)), 2),
        ),
        seats=2,
        title="Board",
    )
    text = write_cdf(original)
    from_json = read_cdf(text.encode("utf-8"))
    from_xml = read_cdf(to_xml(json.loads(text)).encode("utf-8"), source="board.xml")
    assert from_xml.candidates == from_json.candidates == original.candidates
    assert ballot_multiset(from_xml) == ballot_multiset(from_json) == ballot_multiset(original)
    assert (from_xml.seats, from_xml.title) == (2, "Board")


def test_xml_is_recognised_by_extension_and_by_content() -> None:
    assert sniff_format(HAND_WRITTEN.read_bytes()) == "cdf"


def test_a_doctype_or_entity_is_refused_before_parsing() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><CastVoteRecordReport>&b;</CastVoteRecordReport>'
    )
    with pytest.raises(CountInputError, match="DOCTYPE or entities"):
        read_cdf(bomb, source="bomb.xml")


def test_broken_xml_names_the_line() -> None:
    with pytest.raises(CountInputError) as error:
        read_cdf(b"<CastVoteRecordReport>\n<Election>\n</CastVoteRecordReport>\n", source="x.xml")
    assert error.value.line == 3
    assert "not well-formed XML" in error.value.message


def test_an_unknown_selection_names_its_path_and_line() -> None:
    text = HAND_WRITTEN.read_text(encoding="utf-8").replace(
        "<ContestSelectionId>s-cy</ContestSelectionId>",
        "<ContestSelectionId>s-zed</ContestSelectionId>",
    )
    with pytest.raises(CountInputError) as error:
        read_cdf(text.encode("utf-8"), source="cvr.xml")
    assert (
        error.value.field
        == "CVR[0].CVRSnapshot[0].CVRContest[0].CVRContestSelection[1].ContestSelectionId"
    )
    assert error.value.line == 25  # where the element holding it starts
    assert "'s-zed' is not a ContestSelection" in error.value.message


def test_a_huge_rank_in_xml_is_a_clear_error() -> None:
    text = HAND_WRITTEN.read_text(encoding="utf-8").replace(
        "<Rank>4</Rank>", "<Rank>" + "9" * 5000 + "</Rank>"
    )
    with pytest.raises(CountInputError, match="at most 15 digits"):
        read_cdf(text.encode("utf-8"), source="cvr.xml")


def test_an_xml_and_a_json_file_count_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    json_file = tmp_path / "batch-2.json"
    ballots = read_ballot_file(HAND_WRITTEN)
    json_file.write_text(
        write_cdf(
            BallotFile(
                candidates=ballots.candidates,
                ballots=(RawBallot((("Cy Twombly",), ("Ada Lovelace",)), 2),),
                seats=1,
                title="Mayor",
            )
        ),
        encoding="utf-8",
    )
    assert main(["count", str(HAND_WRITTEN), str(json_file)]) == 0
    out = capsys.readouterr().out
    assert "The ballots of 2 files were counted as one contest." in out
    assert "Valid ballots: 5" in out
