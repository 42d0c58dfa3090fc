"""The download link serves the contract's PDF: a real document (read back with pypdf) whose
page shows the contract's name, parties, status and signatures as they are now."""

from __future__ import annotations

import base64
import io

from pypdf import PdfReader

from tests.conftest import UAT

API = "/api/v2.1/public"
BODY = {
    "contract_template_id": 22,
    "contract_data": {"effective_date": "2026-02-01", "contract_value": 48000},
    "counter_party_details": [
        {
            "is_individual": False,
            "organization_name": "Globex Ltd",
            "poc_details": {"first_name": "Gina", "last_name": "Globex", "email": "g@globex.test"},
        }
    ],
}


def pdf_text(client, composite_id: str) -> str:
    link = client.post(f"{API}/contracts/{composite_id}/download_link", headers=UAT, json={})
    assert link.status_code == 200, link.text
    download = client.get(link.json()["url"])
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(download.content))
    assert len(reader.pages) >= 1
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_shows_name_parties_status_and_signatures(client):
    created = client.post(f"{API}/contracts/", headers=UAT, json=BODY).json()
    cid = created["id"]
    text = pdf_text(client, cid)
    assert created["contract_name"] in text
    assert "Globex Ltd (counterparty)" in text and "Acme Corp (UAT) (company)" in text
    assert "Status: DRAFT" in text
    assert "Gina Globex <g@globex.test> for the counterparty: not signed" in text
    assert "Contract value: 48000" in text
    client.post(f"{API}/contracts/{cid}/send_to_counterparties", headers=UAT, json={})
    client.post(f"{API}/contracts/{cid}/mark_for_execution/", headers=UAT, json={})
    client.post(f"/__admin/contracts/{cid}/sign")
    signed = pdf_text(client, cid)
    assert "Status: EXECUTED" in signed and "Executed: " in signed
    assert "not signed" not in signed
    assert signed.count(": signed 20") == 2  # both parties, with the time of signing


def test_an_uploaded_pdf_is_served_as_sent_and_anything_else_is_drawn(client):
    sent = client.post(f"{API}/contracts/", headers=UAT, json=BODY).json()["id"]
    link = client.post(f"{API}/contracts/{sent}/download_link", headers=UAT, json={}).json()
    original = client.get(link["url"]).content
    upload = {
        "contract_name": "Signed reseller deal",
        "contract_type_id": 12,
        "file_name": "reseller.pdf",
        "file_base64": base64.b64encode(original).decode(),
        "counterparty_organization_name": "Initech LLC",
    }
    uploaded = client.post(f"{API}/contracts/upload_sign_contracts/", headers=UAT, json=upload)
    assert uploaded.status_code == 201, uploaded.text
    link = client.post(
        f"{API}/contracts/{uploaded.json()['id']}/download_link", headers=UAT, json={}
    ).json()
    assert client.get(link["url"]).content == original
    not_pdf = {**upload, "file_base64": base64.b64encode(b"PK\x03\x04 docx").decode()}
    drawn = client.post(f"{API}/contracts/upload_sign_contracts/", headers=UAT, json=not_pdf)
    text = pdf_text(client, drawn.json()["id"])
    assert "Signed reseller deal" in text and "Initech LLC (counterparty)" in text
