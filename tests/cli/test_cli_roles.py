"""`omov roles grant|revoke|list`, run as the operator would."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import authenticate, get_user_model

from factories import BranchFactory, CandidateFactory, ContestFactory, UserFactory
from omov.cli.actor import cli_actor_label
from omov.cli.main import main
from omov.core.models import AuditEvent, Role, RoleAssignment
from omov.core.services import role_grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db: Any) -> Any:
    return UserFactory(username="alice")


def run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(["roles", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_grant_then_grant_again_then_revoke(capsys: Any, alice: Any) -> None:
    code, out, err = run(capsys, "grant", "alice", "scrutineer", "--reason", "Observer.")
    assert (code, err) == (0, "")
    assert out == "Granted alice the role Scrutineer (every contest).\n"
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.actor_label, event.reason) == (
        "role.grant",
        None,
        cli_actor_label(),
        "Observer.",
    )

    code, out, _ = run(capsys, "grant", "alice", "scrutineer")
    assert code == 0
    assert out == "alice already holds the role Scrutineer (every contest); nothing changed.\n"
    assert RoleAssignment.objects.count() == 1
    assert AuditEvent.objects.count() == 1

    code, out, err = run(capsys, "revoke", "alice", "scrutineer", "--reason", "Done.")
    assert (code, err) == (0, "")
    assert out == "Revoked the role Scrutineer (every contest) of alice.\n"
    assert not RoleAssignment.objects.exists()
    revoked = AuditEvent.objects.get(action="role.revoke")
    assert (revoked.actor_label, revoked.reason) == (cli_actor_label(), "Done.")


def test_scoped_grants_name_their_branch_candidate_and_contest(
    capsys: Any, alice: Any, contest: Any
) -> None:
    BranchFactory(code="IN", name="Islington North")
    code, out, _ = run(capsys, "grant", "alice", "branch-secretary", "--branch", "IN")
    assert code == 0
    assert (
        out == "Granted alice the role Branch secretary (branch Islington North, every contest).\n"
    )

    code, out, _ = run(capsys, "grant", "alice", "candidate_agent", "--candidate", "Owen Smith")
    assert code == 0
    assert out == (
        "Granted alice the role Candidate's agent (candidate Owen Smith, contest leader-2016).\n"
    )
    code, out, _ = run(
        capsys, "grant", "alice", "paper_operator", "--contest", "leader-2016", "--reason", "x"
    )
    assert code == 0
    assert out == "Granted alice the role Paper ballot operator (contest leader-2016).\n"
    assert RoleAssignment.objects.filter(user=alice).count() == 3

    code, out, _ = run(capsys, "revoke", "alice", "candidate_agent", "--candidate", "Owen Smith")
    assert code == 0
    assert not RoleAssignment.objects.filter(role=Role.CANDIDATE_AGENT).exists()


def test_create_user_makes_the_user_and_prints_a_working_password_once(capsys: Any) -> None:
    code, out, err = run(capsys, "grant", "carol", "returning_officer", "--create-user")
    assert (code, err) == (0, "")
    match = re.fullmatch(
        r"Created the user carol with the password (\S+) \(shown only this once: hand it over "
        r"safely\)\.\nGranted carol the role Returning officer \(every contest\)\.\n",
        out,
    )
    assert match is not None, out
    carol = authenticate(username="carol", password=match.group(1))
    assert carol is not None
    assert RoleAssignment.objects.get(user=carol).role == "returning_officer"
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {
        "user.create",
        "role.grant",
    }

    # The user exists now: --create-user changes nothing and prints no password.
    code, out, _ = run(capsys, "grant", "carol", "returning_officer", "--create-user")
    assert code == 0
    assert (
        out == "carol already holds the role Returning officer (every contest); nothing changed.\n"
    )


def test_a_missing_user_is_an_error_without_create_user(capsys: Any) -> None:
    code, out, err = run(capsys, "grant", "dave", "scrutineer")
    assert code == 2
    assert out == ""
    assert err == (
        "omov: There is no user called 'dave'. Check the spelling, or add --create-user to "
        "create them.\n"
    )
    assert not get_user_model().objects.filter(username="dave").exists()

    code, _, err = run(capsys, "revoke", "dave", "scrutineer")
    assert code == 2
    assert "There is no user called 'dave'" in err


def test_a_refused_grant_creates_no_user(capsys: Any) -> None:
    code, _, err = run(capsys, "grant", "erin", "chief-whip", "--create-user")
    assert code == 2
    assert err == (
        "omov: There is no role called 'chief_whip'. The roles are: returning_officer, "
        "scrutineer, branch_secretary, candidate_agent, paper_operator, paper_supervisor, "
        "campaign_manager, campaign_organiser, campaign_caller, trustee.\n"
    )
    assert not get_user_model().objects.filter(username="erin").exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["branch_secretary"],
            "A branch secretary needs a branch: name their branch.",
        ),
        (
            ["scrutineer", "--branch", "IN"],
            "The role scrutineer takes no branch or candidate (only a branch secretary, a "
            "candidate's agent and the campaign roles do): leave them empty.",
        ),
        (
            ["candidate_agent", "--candidate", "Owen Smith", "--contest", "other"],
            "There is no candidate named 'Owen Smith' in other.",
        ),
        (["scrutineer", "--contest", "nope"], "There is no contest with the slug 'nope'."),
        (
            ["branch_secretary", "--branch", "Islington North"],
            "There is no branch with the code 'Islington North'. (Islington North has the code "
            "IN.)",
        ),
        (["candidate_agent", "--candidate", "Nobody"], "There is no candidate named 'Nobody'."),
        (
            ["candidate_agent", "--candidate", "Sam Same"],
            "2 candidates are named 'Sam Same' (in one, two): add --contest SLUG.",
        ),
    ],
)
def test_errors_exit_2_with_a_message(
    capsys: Any, alice: Any, contest: Any, argv: list[str], message: str
) -> None:
    BranchFactory(code="IN", name="Islington North")
    ContestFactory(slug="other")
    CandidateFactory(name="Sam Same", contest=ContestFactory(slug="one"))
    CandidateFactory(name="Sam Same", contest=ContestFactory(slug="two"))
    for action in ("grant", "revoke"):
        code, out, err = run(capsys, action, "alice", *argv)
        assert code == 2
        assert out == ""
        assert err.startswith("omov: ")
        assert message in err, err
    assert not RoleAssignment.objects.exists()
    assert not AuditEvent.objects.exists()


def test_revoking_a_role_not_held_is_an_error(capsys: Any, alice: Any, contest: Any) -> None:
    role_grant(user=alice, role=Role.SCRUTINEER)
    code, _, err = run(capsys, "revoke", "alice", "scrutineer", "--contest", "leader-2016")
    assert code == 2
    assert err == (
        "omov: alice does not hold the role Scrutineer (contest leader-2016), so there is nothing "
        "to revoke. `omov roles list` shows who holds which role.\n"
    )
    assert RoleAssignment.objects.count() == 1


def test_list_prints_a_table_and_filters_by_contest(capsys: Any, alice: Any, contest: Any) -> None:
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert out == "No roles are granted yet; grant one with `omov roles grant`.\n"

    bob = UserFactory(username="bob")
    other = ContestFactory(slug="other")
    role_grant(user=bob, role=Role.SCRUTINEER)
    role_grant(user=alice, role=Role.PAPER_OPERATOR, contest=contest)
    role_grant(user=alice, role=Role.PAPER_SUPERVISOR, contest=other)
    role_grant(user=alice, role=Role.BRANCH_SECRETARY, branch=BranchFactory(name="Islington North"))

    code, out, _ = run(capsys, "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["User", "Role", "Scope", "Granted", "at"]
    assert set(lines[1]) == {"-", " "}
    rows = [re.split(r"\s{2,}", line) for line in lines[2:]]
    assert [row[:3] for row in rows] == [
        ["alice", "Branch secretary", "branch Islington North, every contest"],
        ["alice", "Paper ballot operator", "contest leader-2016"],
        ["alice", "Paper ballot supervisor", "contest other"],
        ["bob", "Scrutineer", "every contest"],
    ]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", row[3]) for row in rows)

    code, out, _ = run(capsys, "list", "--contest", "leader-2016")
    assert code == 0
    assert "contest other" not in out
    assert "contest leader-2016" in out
    assert "every contest" in out  # roles for every contest apply to this one too

    code, out, err = run(capsys, "list", "--contest", "third")
    assert (code, out) == (2, "")
    assert err.startswith("omov: There is no contest with the slug 'third'.")
