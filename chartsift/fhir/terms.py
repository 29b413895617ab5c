"""The vocabulary of chartsift's FHIR output: canonical URLs, code systems and the codings they give.

Everything chartsift defines itself lives under one project namespace, `NAMESPACE`: a canonical
(identifying) URL, not an address that has to resolve. Standard systems (CPT, ICD-10-CM, Da Vinci
DTR, FHIR R5 cross-version extensions) keep their own URLs.
"""
from __future__ import annotations

NAMESPACE = "https://chartsift.org/fhir"
FHIR_VERSION = "4.0.1"

#: Da Vinci DTR: where an answer came from (auto-client | auto-server | override | manual), and who changed it
INFORMATION_ORIGIN = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/information-origin"
#: R4 Attachment has no page count; R5 does, and this is its cross-version extension in R4
ATTACHMENT_PAGES = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Attachment.pages"
CPT = "http://www.ama-assn.org/go/cpt"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
#: RFC 6920 named information: `ni:///sha-256;<base64url>` names a document by the SHA-256 of its bytes
URI_SYSTEM = "urn:ietf:rfc:3986"
PROVENANCE_PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"


def code_system(name: str) -> str:
    """Canonical URL of one of chartsift's own code systems."""
    return f"{NAMESPACE}/CodeSystem/{name}"


def extension_url(name: str) -> str:
    """Canonical URL of one of chartsift's own extensions (`name` is the review JSON's field name)."""
    return f"{NAMESPACE}/StructureDefinition/{name}"


def identifier_system(name: str) -> str:
    return f"{NAMESPACE}/identifier/{name}"


def questionnaire_url(policy_id: str) -> str:
    return f"{NAMESPACE}/Questionnaire/{policy_id}"


STATUS_SYSTEM = code_system("determination-status")
RECOMMENDATION_SYSTEM = code_system("recommendation")
PATHWAY_SYSTEM = code_system("pathway")
SIDE_SYSTEM = code_system("side")
EXTENSION_PREFIX = f"{NAMESPACE}/StructureDefinition/"

#: display of every code of chartsift's code systems (SPEC sections 3 and 5)
DISPLAYS: dict[str, dict[str, str]] = {
    STATUS_SYSTEM: {"met": "Met", "not_met": "Not met",
                    "insufficient": "Insufficient: the chart does not document it"},
    RECOMMENDATION_SYSTEM: {"meets_criteria": "Meets criteria", "missing_documentation": "Missing documentation",
                            "physician_review": "Physician review"},
    PATHWAY_SYSTEM: {"minimally_invasive": "Minimally invasive fusion", "open": "Open fusion"},
    SIDE_SYSTEM: {"left": "Left", "right": "Right", "bilateral": "Bilateral"},
}


def coding(system: str, code: str) -> dict[str, str]:
    return {"system": system, "code": code, "display": DISPLAYS[system][code]}


def code_systems() -> list[dict]:
    """chartsift's own code systems as R4 CodeSystem resources (for a terminology server or a receiver)."""
    return [{"resourceType": "CodeSystem", "id": url.rsplit("/", 1)[1], "url": url, "status": "active",
             "content": "complete", "caseSensitive": True, "name": _name(url),
             "concept": [{"code": code, "display": display} for code, display in codes.items()]}
            for url, codes in DISPLAYS.items()]


def _name(url: str) -> str:
    return "Chartsift" + "".join(part.capitalize() for part in url.rsplit("/", 1)[1].split("-"))
