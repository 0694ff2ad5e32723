"""The printable declaration: a PDF drawn with reportlab from the declaration's figures."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from omov.results.selectors import Declaration

_TABLE_STYLE = TableStyle(
    [
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def _table(rows: list[list[str]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(_TABLE_STYLE)
    return table


def declaration_pdf(declaration: Declaration) -> bytes:
    """Return the declaration as a PDF: the elected, every round, categories and turnout."""
    buffer = io.BytesIO()
    contest = declaration.contest
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Declaration of the result: {contest.title}",
        author="The returning officer",
        subject="omov declaration",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    styles = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=styles["Normal"], fontSize=8, leading=10)
    story: list[Flowable] = [
        Paragraph(f"Declaration of the result: {_escape(contest.title)}", styles["Title"])
    ]
    if not declaration.is_declared:
        story.append(Paragraph("PREVIEW — this result has not been declared.", styles["Heading2"]))
    elected = ", ".join(declaration.elected)
    story.append(Paragraph(f"Elected: <b>{_escape(elected)}</b>", styles["Heading2"]))
    story.append(
        _table(
            [
                ["Ballots", "Number"],
                ["Ballots issued", declaration.issued],
                ["Ballots returned", declaration.returned],
                ["Valid ballots", declaration.valid],
                ["Spoilt ballots", declaration.spoilt_total],
                ["Rejected ballots", declaration.rejected_total],
                ["Turnout", f"{declaration.turnout_percent}%"],
            ],
            [90 * mm, 40 * mm],
        )
    )
    for item in declaration.rounds:
        story.append(Paragraph(f"Round {item.number}", styles["Heading3"]))
        rows = [["Candidate", "Votes", "Share", "Transfer"]]
        rows += [[line.name, line.votes, f"{line.percent}%", line.transfer] for line in item.lines]
        rows.append(["Exhausted", item.exhausted, "", ""])
        story.append(_table(rows, [70 * mm, 35 * mm, 25 * mm, 30 * mm]))
        story.append(Paragraph(_escape(item.reason), small))
        if item.tie_break:
            story.append(Paragraph(f"Tie: {_escape(item.tie_break)}", small))
    if declaration.categories:
        story.append(
            Paragraph(
                f"By category of voter ({_escape(declaration.category_basis)})",
                styles["Heading3"],
            )
        )
        rows = [["Category", "Candidate", "Votes", "Share"]]
        for category in declaration.categories:
            for row in category.rows:
                rows.append([category.label, row.name, row.votes, f"{row.percent}%"])
        story.append(_table(rows, [50 * mm, 55 * mm, 30 * mm, 25 * mm]))
    if declaration.spoilt or declaration.rejected:
        story.append(Paragraph("Spoilt and rejected ballots", styles["Heading3"]))
        rows = [["Reason", "Ballots"]]
        rows += [[f"Spoilt: {reason}", number] for reason, number in declaration.spoilt]
        rows += [[f"Rejected: {reason}", number] for reason, number in declaration.rejected]
        story.append(
            Table(
                [[Paragraph(_escape(cell), small) for cell in row] for row in rows],
                colWidths=[130 * mm, 30 * mm],
                hAlign="LEFT",
                style=_TABLE_STYLE,
            )
        )
    story.append(Spacer(1, 6 * mm))
    story.append(
        Paragraph(
            f"Counted by {_escape(declaration.method)}"
            + (f" with tie-break seed {_escape(declaration.seed)}" if declaration.seed else "")
            + f". SHA-256 of the published ballots (BLT): {declaration.ballots_sha256}.",
            small,
        )
    )
    if declaration.record_head:
        story.append(
            Paragraph(
                "Election record (the encrypted ballots, the mixes and the trustees' decryption, "
                f"with proofs): head hash {declaration.record_head}. Check it with omov verify "
                "on the record downloaded from the contest's record page.",
                small,
            )
        )
    if declaration.audit_hash:
        story.append(
            Paragraph(
                f"Audit trail: event {declaration.audit_sequence} of the contest's hash chain, "
                f"hash {declaration.audit_hash}. Check it with "
                f"omov audit verify --contest {_escape(declaration.contest.slug)}.",
                small,
            )
        )
    document.build(story)
    return buffer.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
