"""Two simultaneous grants of the same role make one assignment and one audit event."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from factories import UserFactory
from omov.core.models import AuditEvent, Role, RoleAssignment
from omov.core.services import role_grant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_grants_of_one_role_make_one_assignment(contest: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL: set DATABASE_URL to run this test")
    alice = UserFactory(username="alice")
    barrier = threading.Barrier(4)
    granted: list[int] = []

    def grant() -> None:
        try:
            barrier.wait()
            granted.append(role_grant(user=alice, role=Role.PAPER_OPERATOR, contest=contest).pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=grant) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(granted) == 4
    assert len(set(granted)) == 1
    assert RoleAssignment.objects.filter(user=alice).count() == 1
    assert AuditEvent.objects.filter(action="role.grant").count() == 1
