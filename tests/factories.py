"""Test factories and named personas shared by every app's tests (importable as `factories`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.contrib.auth import get_user_model

from omov.contests.models import Candidate, CandidateStatus, Contest
from omov.core.models import Role, RoleAssignment
from omov.electorate.models import Affiliate, Branch, Category, Person, PersonStatus


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class ContestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contest

    slug = factory.Sequence(lambda n: f"contest-{n}")
    title = factory.Sequence(lambda n: f"Leadership election {n}")
    freeze_date = dt.date(2016, 1, 12)
    arrears_deadline = dt.date(2016, 8, 8)
    tie_break_seed = "test-seed"


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    contest = factory.SubFactory(ContestFactory)
    name = factory.Sequence(lambda n: f"Candidate {n}")
    status = CandidateStatus.NOMINATED
    ballot_position = factory.Sequence(lambda n: n + 1)


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"B{n:03d}")
    name = factory.Sequence(lambda n: f"Branch {n}")


class AffiliateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliate
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"A{n:02d}")
    name = factory.Sequence(lambda n: f"Union {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    """By default: a member in good standing (joined before the 2016 freeze date, active)."""

    class Meta:
        model = Person

    external_id = factory.Sequence(lambda n: f"M{n:07d}")
    category = Category.MEMBER
    first_name = factory.Sequence(lambda n: f"Given{n}")
    last_name = factory.Sequence(lambda n: f"Family{n}")
    email = factory.LazyAttribute(lambda o: f"{o.external_id.lower()}@example.org")
    postcode = "N1 1AA"
    branch = factory.SubFactory(BranchFactory)
    joined_on = dt.date(2010, 5, 1)
    status = PersonStatus.ACTIVE
    date_of_birth = dt.date(1970, 1, 1)
    consent_email = True


def grant(user: Any, role: Role, contest: Contest | None = None, **scope: Any) -> RoleAssignment:
    """Give ``user`` a role (for one contest, or every contest when ``contest`` is None)."""
    return RoleAssignment.objects.create(user=user, role=role, contest=contest, **scope)
