"""The `caf` framework: the nine CAF v3 security capabilities and the five older core security epics."""

from common import Framework, Item, load_reference

# Our own one-line descriptions, keyed by the reference's ids.
CAPABILITY_TEXT = {
    "CAF-SEC-GOV": "Deciding who owns security, which policies and standards apply and how they are communicated and kept current.",
    "CAF-SEC-ASSURE": "Checking continuously that the security and privacy programme works as intended, and improving it from the evidence.",
    "CAF-SEC-IAM": "Giving people and workloads the identities and just the permissions they need, and managing both at scale.",
    "CAF-SEC-TD": "Noticing misconfigurations, threats and unexpected activity early enough to act on them, from logs, findings and monitoring.",
    "CAF-SEC-VM": "Finding, ranking and fixing weaknesses in software and configurations, continuously rather than once.",
    "CAF-SEC-IP": "Keeping networks, hosts and services of a workload shielded from unintended access and from exploitation of weaknesses.",
    "CAF-SEC-DP": "Knowing where data lives and who may use it, and protecting it with encryption, keys and access control at rest and in transit.",
    "CAF-SEC-APPSEC": "Building security into software delivery so that flaws are caught while code is written, built and deployed.",
    "CAF-SEC-IR": "Being ready to respond to a security event so that its impact stays small, and recovering and learning afterwards.",
}

EPIC_TEXT = {
    "Sec.IAM": "Work on who and what may reach which resources under least privilege: roles, policies and permission boundaries, organisation-level guardrails, and identities for application users.",
    "Sec.Det": "Work on seeing what happens in the environment: collecting logs, monitoring them and running managed threat detection.",
    "Sec.Inf": "Work on protecting networks and hosts: network segmentation and filtering, edge protection and hardened operating systems.",
    "Sec.DP": "Work on protecting data: encryption and key management, certificates for traffic, and access control to data stores and secrets.",
    "Sec.IR": "Work on reacting to events, by hand and automatically, from alert-driven functions to remediation through configuration rules.",
}

# Older epic -> CAF v3 capabilities, from the reference's structural alignment of the migops
# Security-Artifacts folders with both models (mapping_hint_for_workbench).
EPIC_TO_CAPABILITIES = {
    "Sec.IAM": ["CAF-SEC-IAM"],
    "Sec.Det": ["CAF-SEC-TD"],
    "Sec.Inf": ["CAF-SEC-IP", "CAF-SEC-VM"],
    "Sec.DP": ["CAF-SEC-DP"],
    "Sec.IR": ["CAF-SEC-IR"],
}


def build():
    ref = load_reference("caf.yaml")
    v3 = ref["caf_v3_security_perspective"]
    older = ref["older_caf_security_model"]
    epics = older["core_security_epics"]
    controls = older["classic_intrusion_whitepaper_control_numbers"]
    subset = ref["caf_security_controls_guide_subset"]["capabilities"]
    fw = Framework(
        id="caf",
        name="AWS CAF security perspective",
        kind="caf",
        version="1.0.0",
        purpose="The AWS Cloud Adoption Framework security perspective: nine current capabilities and the five older core security epics.",
        provenance=(
            "Capabilities: AWS CAF (v3) security perspective, read from the CAF overview whitepaper and the AWS Security Reference "
            "Architecture foundations page. Epics: the earlier CAF security perspective as used by the whitepaper 'Classic Intrusion "
            "Analysis Frameworks for AWS Environments' (Table 12) and by the migops workplan (T7.S2). Source file: caf.yaml.\n"
            "Caveats:\n"
            "- The CAF-SEC-* ids are keys made up for this catalogue, not AWS identifiers; the Sec.* epic ids follow the whitepaper's "
            "control-number prefixes.\n"
            "- The AWS guide 'Recommended security controls for implementing AWS CAF security capabilities' covers only five of the nine "
            "capabilities (" + ", ".join(subset) + ").\n"
            "- The older model also groups controls into four components (directive, preventive, detective, responsive); they are not "
            "items here.\n"
            "- Links between epics and capabilities follow the folder-by-folder alignment recorded in the reference; they are structural, "
            "not published by AWS.\n"
        ),
    )
    names = {}
    assert v3["capability_count"] == len(v3["capabilities"]) == 9
    for cap in v3["capabilities"]:
        names[cap["id"]] = cap["name"]
        fw.add(Item(cap["id"], cap["name"], CAPABILITY_TEXT[cap["id"]], attributes={
            "model": "CAF v3 security perspective",
            "in_security_controls_guide": "yes" if _in_subset(cap["name"], subset) else "no",
        }))
    assert epics["count"] == len(epics["items"]) == 5
    for epic in epics["items"]:
        numbered = controls.get(epic["id"])
        attrs = {"model": "earlier CAF security perspective (core security epic)"}
        if isinstance(numbered, dict):
            attrs["whitepaper_controls"] = "; ".join(f"{epic['id']}.{n}: {v}" for n, v in numbered.items())
        elif f"{epic['id']}_count" in controls:
            attrs["whitepaper_control_count"] = str(controls[f"{epic['id']}_count"])
        names[epic["id"]] = epic["name"]
        fw.add(Item(epic["id"], epic["name"], EPIC_TEXT[epic["id"]], attributes=attrs))
        for cap in EPIC_TO_CAPABILITIES[epic["id"]]:
            fw.link(
                f"caf:{epic['id']}",
                f"caf:{cap}",
                "intersects-with",
                "Aligned through the migops Security-Artifacts folder that both models share (structural alignment, not an AWS mapping).",
            )
    return fw, names


def _in_subset(name, subset):
    words = {"Infrastructure protection": "Protecting infrastructure", "Data protection": "Protecting data"}
    return words.get(name, name) in subset
