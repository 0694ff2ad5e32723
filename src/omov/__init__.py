"""omov: one member, one vote — run a membership organisation's leadership election."""

__version__ = "0.1.0"
