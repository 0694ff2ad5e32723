"""The CSV ballot reader and writer: layout rules, errors with locations, round trips."""

from __future__ import annotations

import pytest
from count_formats_support import ballot_multiset, same_ballots
from hypothesis import example, given, settings
from hypothesis import strategies as st

from omov.count.ballots import BallotFile, RawBallot
from omov.count.errors import CountInputError
from omov.count.formats.csv import read_csv, write_csv


def read(text: str) -> BallotFile:
    return read_csv(text.encode("utf-8"), source="ballots.csv")


def test_rows_are_ballots_and_identical_rows_are_grouped() -> None:
    ballot_file = read("Alice,Bob\nBob\nAlice,Bob\nCarol,Alice,Bob\n")
    assert ballot_file.candidates == ("Alice", "Bob", "Carol")
    assert ballot_multiset(ballot_file) == {
        (("Alice",), ("Bob",)): 2,
        (("Bob",),): 1,
        (("Carol",), ("Alice",), ("Bob",)): 1,
    }
    assert len(ballot_file.ballots) == 3
    assert ballot_file.source == "ballots.csv"


def test_blank_cells_are_skipped_ranks_but_trailing_blanks_are_ignored() -> None:
    ballot_file = read("Alice,,Bob,,\n")
    assert ballot_file.ballots == (RawBallot((("Alice",), (), ("Bob",)), 1),)


def test_names_are_trimmed_and_spaces_do_not_split_groups() -> None:
    ballot_file = read(" Alice , Bob\nAlice,Bob \n")
    assert ballot_file.ballots == (RawBallot((("Alice",), ("Bob",)), 2),)


def test_equals_sign_marks_an_overvote() -> None:
    ballot_file = read("Alice=Bob,Carol\n")
    assert ballot_file.ballots == (RawBallot((("Alice", "Bob"), ("Carol",)), 1),)


def test_a_row_of_blank_cells_is_a_blank_ballot_and_empty_lines_are_ignored() -> None:
    ballot_file = read("Alice\n\n,,\n\n")
    assert ballot_multiset(ballot_file) == {(("Alice",),): 1, (): 1}


def test_quoted_names_may_hold_commas() -> None:
    ballot_file = read('"Smith, Jo",Alice\nAlice,"Smith, Jo"\n"Smith, Jo",Alice\n')
    assert ballot_multiset(ballot_file) == {
        (("Smith, Jo",), ("Alice",)): 2,
        (("Alice",), ("Smith, Jo",)): 1,
    }


@pytest.mark.parametrize(
    ("text", "line", "field", "code"),
    [
        ("Alice\n\x00\x01\x02\n", 2, "column 1", "U+0000"),
        ("rank 1,rank 2\nAlice,Bob\nAlice,Bo\tb\n", 3, "rank 2", "U+0009"),
        ('Alice\n"Line\nBreak",Alice\n', 2, "column 1", "U+000A"),
        ("Alice\nB\x85ob\n", 2, "column 1", "U+0085"),
        ("Alice\n\u202eecilA\n", 2, "column 1", "U+202E"),
        ("# candidates: Alice, B\x07ob\nAlice\n", 1, None, "U+0007"),
    ],
)
def test_a_name_with_a_control_character_is_refused_with_its_line(
    text: str, line: int, field: str | None, code: str
) -> None:
    with pytest.raises(CountInputError) as error:
        read(text)
    assert (error.value.line, error.value.field) == (line, field)
    assert code in error.value.message
    assert "may not hold" in error.value.message


def test_names_may_hold_any_printable_text() -> None:
    names = ("Zoë Ó Briain", "李小龍", "Jo (Ind) #2", "O'Neil-Smith", "عمر", "\u200dJoin")
    ballot_file = read(",".join(f'"{name}"' for name in names) + "\n")
    assert set(ballot_file.candidates) == set(names)


def test_without_a_candidates_line_the_report_lists_the_names_found() -> None:
    ballot_file = read("Alice,Bob\nAlcie\n")
    assert ballot_file.candidates == ("Alcie", "Alice", "Bob")
    assert ballot_file.notes == (
        "There is no '# candidates:' line, so the candidates are the 3 names found on the "
        "ballots: Alcie, Alice, Bob. Check that none is misspelt; a '# candidates:' line makes "
        "a misspelt name an unknown candidate.",
    )
    assert read("# candidates: Alice, Bob\nAlice\n").notes == ()


@pytest.mark.parametrize(
    "header",
    [
        "rank 1,rank 2,rank 3",
        "1,2,3",
        "Rank_1,Rank_2,Rank_3",
        "first,second,third",
        "1st choice,2nd choice,3rd choice",
        "Preference 1,Preference 2,Preference 3",
        "choice1,choice2,choice3",
    ],
)
def test_a_header_of_rank_labels_is_recognised(header: str) -> None:
    ballot_file = read(f"{header}\nAlice,Bob,Carol\n")
    assert ballot_file.candidates == ("Alice", "Bob", "Carol")
    assert ballot_multiset(ballot_file) == {(("Alice",), ("Bob",), ("Carol",)): 1}


def test_a_count_column_gives_multiplicity_in_any_position() -> None:
    ballot_file = read("rank 1,rank 2,Count\nAlice,Bob,5\nBob,,3\nAlice,Bob,2\n")
    assert ballot_multiset(ballot_file) == {(("Alice",), ("Bob",)): 7, (("Bob",),): 3}


def test_a_zero_count_row_adds_no_ballot() -> None:
    ballot_file = read("weight,rank 1\n0,Alice\n4,Bob\n")
    assert ballot_multiset(ballot_file) == {(("Bob",),): 4}


def test_directives_set_candidates_seats_title_and_withdrawn() -> None:
    ballot_file = read(
        "# title: Branch committee\n"
        "# seats: 2\n"
        '# candidates: Zoe, Alice, "Smith, Jo", Bob\n'
        "# withdrawn: Bob\n"
        "# an ordinary comment\n"
        "Alice,Mallory\n"
    )
    assert ballot_file.title == "Branch committee"
    assert ballot_file.seats == 2
    assert ballot_file.candidates == ("Zoe", "Alice", "Smith, Jo", "Bob")
    assert ballot_file.withdrawn == frozenset({"Bob"})
    # A name not declared stays on the ballot for the unknown-candidate rule to judge.
    assert ballot_file.ballots == (RawBallot((("Alice",), ("Mallory",)), 1),)


def test_without_a_candidates_line_the_candidates_are_sorted_so_row_order_does_not_matter() -> None:
    first = read("Carol,Alice\nBob\n")
    second = read("Bob\nCarol,Alice\n")
    assert first.candidates == second.candidates == ("Alice", "Bob", "Carol")


def test_numeric_candidate_names_are_not_mistaken_for_a_header_when_declared() -> None:
    ballot_file = read("# candidates: 1, 2, 3\n1,2,3\n3,1\n")
    assert ballot_multiset(ballot_file) == {(("1",), ("2",), ("3",)): 1, (("3",), ("1",)): 1}


@pytest.mark.parametrize(("setting", "ballots"), [("no", 2), ("yes", 1)])
def test_the_header_directive_overrides_detection(setting: str, ballots: int) -> None:
    ballot_file = read(f"# header: {setting}\nrank 1,rank 2\nAlice,Bob\n")
    assert sum(ballot.weight for ballot in ballot_file.ballots) == ballots


def test_a_byte_order_mark_and_crlf_line_endings_are_accepted() -> None:
    ballot_file = read_csv(b"\xef\xbb\xbfrank 1,rank 2\r\nAlice,Bob\r\nBob\r\n", source="x.csv")
    assert ballot_multiset(ballot_file) == {(("Alice",), ("Bob",)): 1, (("Bob",),): 1}


def error_of(text: str | bytes) -> CountInputError:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(CountInputError) as caught:
        read_csv(data, source="ballots.csv")
    return caught.value


def test_a_bad_count_names_the_line_and_the_column() -> None:
    error = error_of("rank 1,count\nAlice,3\nBob,two\n")
    assert (error.source, error.line, error.field) == ("ballots.csv", 3, "count")
    assert "'two'" in error.message
    assert error.describe().startswith("ballots.csv, line 3, field 'count': ")


def test_a_negative_count_is_refused() -> None:
    assert error_of("votes,rank 1\n-2,Alice\n").line == 2


def test_invalid_utf8_names_the_line() -> None:
    error = error_of(b"Alice\nBob\n\xff\xfeCarol\n")
    assert error.line == 3
    assert "UTF-8" in error.message


def test_an_empty_name_beside_equals_names_the_line_and_column() -> None:
    error = error_of("rank 1,rank 2\nAlice,Bob\nAlice,=Bob\n")
    assert (error.line, error.field) == (3, "rank 2")


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "# just a comment\n", "rank 1,rank 2\n", "count,rank 1\n0,Alice\n"],
)
def test_a_file_without_ballots_is_refused(text: str) -> None:
    assert "no ballots" in error_of(text).message


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("# seats: many\nAlice\n", 1),
        ("Alice\n# seats: 0\n", 2),
        ("# candidates: Alice,,Bob\nAlice\n", 1),
        ("# candidates: Alice, Alice\nAlice\n", 1),
        ("# seats: 1\nAlice\n# seats: 2\n", 3),
        ("# header: maybe\nAlice\n", 1),
        ("count,weight,rank 1\n1,1,Alice\n", 1),
    ],
)
def test_bad_directives_and_headers_name_their_line(text: str, line: int) -> None:
    assert error_of(text).line == line


def test_unclosed_quote_is_refused_with_a_line() -> None:
    error = error_of('Alice\n"Bob,Carol\n')
    assert error.line is not None


def test_writer_output_reads_back_the_same() -> None:
    original = BallotFile(
        candidates=("Ada", "Ben", "Smith, Jo", "Dee"),
        ballots=(
            RawBallot((("Ada",), ("Ben",)), 3),
            RawBallot((("Ben",), (), ("Smith, Jo",)), 2),
            RawBallot((("Ada", "Ben"), ("Dee",)), 1),
            RawBallot((), 4),
            RawBallot((("Mallory",),), 1),
        ),
        seats=2,
        title="Regional board",
        withdrawn=frozenset({"Dee"}),
    )
    text = write_csv(original)
    again = read_csv(text.encode("utf-8"), source="again.csv")
    assert same_ballots(original, again)
    assert (again.seats, again.title, again.withdrawn) == (2, "Regional board", {"Dee"})


@pytest.mark.parametrize(
    "bad_name", ["A=B", "#hash", " padded", "", "two\nlines", "nul\x00", "\u202eevil"]
)
def test_writer_refuses_names_it_cannot_represent(bad_name: str) -> None:
    with pytest.raises(ValueError):
        write_csv(BallotFile(candidates=(bad_name,), ballots=(RawBallot(((bad_name,),), 1),)))


NAMES = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"),
        blacklist_characters="\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    ),
    min_size=1,
    max_size=8,
).filter(lambda name: "=" not in name and not name.startswith("#") and name == name.strip())


@st.composite
def ballot_files(draw: st.DrawFn) -> BallotFile:
    candidates = tuple(draw(st.lists(NAMES, min_size=1, max_size=6, unique=True)))
    mark = st.one_of(
        st.just(()),
        st.sampled_from(candidates).map(lambda name: (name,)),
        st.lists(st.sampled_from(candidates), min_size=2, max_size=3).map(tuple),
    )
    ballots = draw(
        st.lists(
            st.builds(
                RawBallot,
                st.lists(mark, max_size=6).map(
                    lambda marks: tuple(marks).__getitem__(
                        slice(0, max((i + 1 for i, m in enumerate(marks) if m), default=0))
                    )
                ),
                st.integers(min_value=1, max_value=50),
            ),
            min_size=1,
            max_size=12,
        )
    )
    return BallotFile(candidates=candidates, ballots=tuple(ballots))


@settings(max_examples=150, deadline=None)
@given(ballot_files())
# Found by Hypothesis: a candidate named '","' was written as '# candidates: ""","""' and the
# directive line was then parsed as a CSV row and refused.
@example(BallotFile(candidates=('","',), ballots=(RawBallot((('","',),), 1),)))
# The same, with a quote opening a cell that spans lines elsewhere in the file.
@example(
    BallotFile(
        candidates=('"', 'a"b'),
        ballots=(RawBallot((('"',), ('a"b',)), 2), RawBallot((('a"b', '"'),), 1)),
    )
)
def test_round_trip_write_then_read_gives_the_same_ballots(original: BallotFile) -> None:
    again = read_csv(write_csv(original).encode("utf-8"), source="round-trip.csv")
    assert same_ballots(original, again)


def test_a_file_larger_than_one_read_chunk_counts_every_line_once() -> None:
    # Over 4 MB, with CRLF endings, so chunk boundaries fall inside the data and between \r\n.
    rows = [b"Alice,Bob\r\n", b"Bob,Carol,Alice\r\n", b"Carol\r\n"] * 150_001
    data = b"rank 1,rank 2,rank 3\r\n" + b"".join(rows) + b"Dave"
    assert len(data) > 5 * 1024 * 1024
    ballot_file = read_csv(data, source="big.csv")
    assert ballot_multiset(ballot_file) == {
        (("Alice",), ("Bob",)): 150_001,
        (("Bob",), ("Carol",), ("Alice",)): 150_001,
        (("Carol",),): 150_001,
        (("Dave",),): 1,
    }


def test_a_comment_line_with_quotes_is_not_read_as_csv() -> None:
    ballot_file = read('# candidates: """,""", Bob\n# say "hi\n""",""",Bob\nBob\n')
    assert ballot_file.candidates == ('","', "Bob")
    assert ballot_multiset(ballot_file) == {(('","',), ("Bob",)): 1, (("Bob",),): 1}


def test_a_quoted_name_starting_with_hash_is_a_ballot_not_a_comment() -> None:
    # The multi-line parse (a quoted blank cell spans two lines) keeps the record as written.
    ballot_file = read('"#1 fan",Bob\nBob,"\n"\n')
    assert ballot_multiset(ballot_file) == {(("#1 fan",), ("Bob",)): 1, (("Bob",),): 1}
