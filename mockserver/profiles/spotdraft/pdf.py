"""The contract's PDF as the download link serves it: one page per contract with its name,
parties, status, the data it was drafted with and each signature (who, when), drawn with
fpdf2 from the contract as it is now (a signature shows as soon as it is made)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fpdf import FPDF


def _text(value: Any) -> str:
    # The PDF core fonts are Latin-1: anything else is shown as "?" rather than failing.
    return str(value).encode("latin-1", "replace").decode("latin-1")


def contract_pdf(contract: dict[str, Any], workspace_name: str = "") -> bytes:
    """A valid PDF (one page or more) describing `contract`."""
    # Imported here: fpdf2 (with fontTools and Pillow) is ~20 MB and 0.5 s of start-up that
    # only a contract download needs.
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(_text(contract["contract_name"]))
    pdf.set_author(_text(workspace_name or contract.get("created_by_user_name", "")))
    # dated by the contract's last change: the same contract gives the same bytes
    pdf.set_creation_date(datetime.fromisoformat(contract["updated"].replace("Z", "+00:00")))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, _text(contract["contract_name"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    lines = [
        f"Contract: {contract['id']}   Reference: {contract.get('reference_id', '')}",
        f"Status: {contract['status']}",
        f"Type: {contract.get('contract_type_name') or '-'}",
        f"Created: {contract['created']} by {contract.get('created_by_user_email', '')}",
    ]
    if contract.get("execution_date"):
        lines.append(f"Executed: {contract['execution_date']}")
    for line in lines:
        pdf.cell(0, 7, _text(line), new_x="LMARGIN", new_y="NEXT")
    _section(pdf, "Parties")
    company = workspace_name or "The company"
    parties = [f"{company} (company)"]
    parties += [
        f"{party.get('organization_name') or _person(party)} (counterparty)"
        for party in contract.get("counter_party_details") or []
    ]
    if len(parties) == 1 and contract.get("counter_party_name"):
        parties.append(f"{contract['counter_party_name']} (counterparty)")
    for party in parties:
        pdf.cell(0, 7, _text(party), new_x="LMARGIN", new_y="NEXT")
    data = contract.get("contract_data") or {}
    if data:
        _section(pdf, "Terms")
        for name, value in data.items():
            label = name.replace("_", " ").capitalize()
            pdf.multi_cell(0, 7, _text(f"{label}: {value}"), new_x="LMARGIN", new_y="NEXT")
    _section(pdf, "Signatures")
    for signatory in contract.get("signatories") or []:
        state = (
            f"signed {signatory.get('signed_at', '')}".strip()
            if signatory.get("signed")
            else "not signed"
        )
        who = f"{signatory['name']} <{signatory['email']}> for the {signatory['party'].lower()}"
        pdf.multi_cell(0, 7, _text(f"{who}: {state}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _person(party: dict[str, Any]) -> str:
    poc = party.get("poc_details") or {}
    return " ".join(filter(None, [poc.get("first_name"), poc.get("last_name")])) or "Counterparty"


def _section(pdf: FPDF, title: str) -> None:
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
