"""The voter categories: one name for each, in the order the declaration reports them.

A person on the roll is a member, a registered supporter or an affiliated supporter (the 2016
declaration published its result in each). This module is their one home (issue 9: one name
per thing): the electorate's ``Category`` choices, the sealed ballot's payload and the election
record's options all read it, and apps that may not import the electorate (the trustees)
can too.
"""

from __future__ import annotations

MEMBER = "member"
REGISTERED_SUPPORTER = "registered_supporter"
AFFILIATED_SUPPORTER = "affiliated_supporter"

#: Every category, in the declaration's order.
CATEGORIES: tuple[str, ...] = (MEMBER, REGISTERED_SUPPORTER, AFFILIATED_SUPPORTER)

#: Each category in words, as a page or a form shows it.
LABELS: dict[str, str] = {
    MEMBER: "Member",
    REGISTERED_SUPPORTER: "Registered supporter",
    AFFILIATED_SUPPORTER: "Affiliated supporter",
}
