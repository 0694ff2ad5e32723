"""Counting methods. Each takes a clean :class:`~omov.count.profile.Profile` and returns rounds.

The methods do no I/O and keep no global state; :func:`omov.count.count` chooses one by name.
"""
