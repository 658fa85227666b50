"""The `ct` framework: AWS Control Tower controls (legacy guardrails, proactive CT.*, Security Hub SH.*)."""

from common import Framework, Item, load_reference
from services import service_refs

DOC_BASE = "https://docs.aws.amazon.com/controltower/latest/userguide/"

BEHAVIOUR_TEXT = {
    "preventive": "A preventive control: a service control policy makes the actions it covers fail in every account of an OU where it is on.",
    "detective": "A detective control: an AWS Config rule reports resources that break it, without stopping them from being created or changed.",
    "proactive": "A proactive control: a CloudFormation hook evaluates the resource in the template before provisioning and fails the deployment when it does not comply.",
}

GUIDANCE_TEXT = {
    "mandatory": "Mandatory: Control Tower applies it when it sets up the landing zone and it cannot be switched off.",
    "strongly recommended": "Strongly recommended for multi-account environments, yet optional: it stays off until it is enabled on an OU.",
    "elective": "Elective: optional, off until enabled on an OU; meant for locking down or tracking actions that organisations often restrict.",
}

# Legacy guardrail -> CAF capability. Rules on the id first, explicit choices where the id misleads.
LEGACY_CAF_OVERRIDES = {
    "AWS-GR_IAM_ROLE_CHANGE_PROHIBITED": "CAF-SEC-GOV",
    "AWS-GR_LAMBDA_CHANGE_PROHIBITED": "CAF-SEC-GOV",
    "AWS-GR_REGION_DENY": "CAF-SEC-GOV",
    "CT.CLOUDFORMATION.PR.1": "CAF-SEC-GOV",
    "AWS-GR_CT_AUDIT_BUCKET_ENCRYPTION_CHANGES_PROHIBITED": "CAF-SEC-TD",
    "AWS-GR_AUDIT_BUCKET_ENCRYPTION_ENABLED": "CAF-SEC-TD",
    "AWS-GR_EC2_VOLUME_INUSE_CHECK": "CAF-SEC-DP",
    "AWS-GR_EBS_OPTIMIZED_INSTANCE": "CAF-SEC-IP",
    "AWS-GR_S3_BUCKET_PUBLIC_READ_PROHIBITED": "CAF-SEC-DP",
    "AWS-GR_S3_BUCKET_PUBLIC_WRITE_PROHIBITED": "CAF-SEC-DP",
    "AWS-GR_S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC": "CAF-SEC-DP",
    "AWS-GR_RDS_SNAPSHOTS_PUBLIC_PROHIBITED": "CAF-SEC-DP",
    "AWS-GR_EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK": "CAF-SEC-DP",
}

LEGACY_CAF_RULES = [
    (("ROOT", "MFA"), "CAF-SEC-IAM"),
    (("ENCRYPT", "VERSIONING", "REPLICATION", "DELETE_WITHOUT_MFA"), "CAF-SEC-DP"),
    (("AUDIT_BUCKET", "CLOUDTRAIL", "CONFIG", "LOG_GROUP", "CLOUDWATCH", "SNS"), "CAF-SEC-TD"),
    (("PUBLIC", "SSH", "PORTS", "VPC", "VPN", "NETWORKING", "IGW", "INTERNET"), "CAF-SEC-IP"),
]

OBJECTIVE_CAF = {
    "Limit network access": "CAF-SEC-IP",
    "Protect configurations": "CAF-SEC-IP",
    "Establish logging and monitoring": "CAF-SEC-TD",
    "Encrypt data at rest": "CAF-SEC-DP",
    "Encrypt data in transit": "CAF-SEC-DP",
    "Manage secrets": "CAF-SEC-DP",
    "Protect data integrity": "CAF-SEC-DP",
    "Enforce least privilege": "CAF-SEC-IAM",
    "Use strong authentication": "CAF-SEC-IAM",
    "Manage vulnerabilities": "CAF-SEC-VM",
    # The security perspective has no resilience capability; recovery sits closest to incident response.
    "Improve availability": "CAF-SEC-IR",
    "Improve resiliency": "CAF-SEC-IR",
    "Optimize costs": "CAF-SEC-GOV",
}

# Security Hub category (as written, lower-cased) -> CAF capability, first match wins.
CATEGORY_CAF = [
    ("secure development", "CAF-SEC-APPSEC"),
    ("credentials not hard-coded", "CAF-SEC-APPSEC"),
    ("access management", "CAF-SEC-IAM"),
    ("vulnerability", "CAF-SEC-VM"),
    ("encryption", "CAF-SEC-DP"),
    ("data protect", "CAF-SEC-DP"),
    ("data integrity", "CAF-SEC-DP"),
    ("backup", "CAF-SEC-IR"),
    ("resilience", "CAF-SEC-IR"),
    ("network", "CAF-SEC-IP"),
    ("protective services", "CAF-SEC-IP"),
    ("logging", "CAF-SEC-TD"),
    ("detection", "CAF-SEC-TD"),
    ("inventory", "CAF-SEC-GOV"),
    ("resource configuration", "CAF-SEC-GOV"),
]


def category_caf(category):
    lowered = category.lower()
    for needle, cap in CATEGORY_CAF:
        if needle in lowered:
            return cap
    raise KeyError(f"no CAF capability for Security Hub category {category!r}")


def legacy_caf(control_id):
    if control_id in LEGACY_CAF_OVERRIDES:
        return LEGACY_CAF_OVERRIDES[control_id]
    for needles, cap in LEGACY_CAF_RULES:
        if any(n in control_id for n in needles):
            return cap
    raise KeyError(f"no CAF capability for {control_id}")


def default_text(default):
    if not default:
        return ""
    d = default.lower()
    if d.startswith("enabled"):
        where = "every OU" if "all" in d else "the Security OU"
        return f"On by default for {where}."
    return "Off by default."


def link_services(fw, control_ref, service_name, caf_names):
    targets = service_refs(service_name)
    for s in targets:
        note = "The control governs this service"
        if "(log archive)" in service_name:
            note += ", through the log archive buckets Control Tower creates"
        elif "(root user)" in service_name:
            note += ", through the root user's credentials"
        fw.link(f"ct:{control_ref}", f"service:{s}", "intersects-with", note + " (service named in control_tower.yaml).")
    return targets


def build(caf_names, fsbp_controls=None):
    """`fsbp_controls`: the FSBP controls by id, when the fsbp framework is built too."""
    ref = load_reference("control_tower.yaml")
    counts = ref["counts"]
    notes = ref["definitions"]["notes"]
    fw = Framework(
        id="ct",
        name="AWS Control Tower controls",
        kind="lz_controls",
        version="1.0.0",
        purpose="AWS Control Tower controls: legacy guardrails with behaviour and guidance, proactive CT.* controls, Security Hub SH.* controls.",
        provenance=(
            "AWS Control Tower User Guide source (archived awsdocs/aws-control-tower-guide at db6c0f5, June 2023) for the legacy "
            "guardrails and the proactive controls; the January 2024 list of API control identifiers (us-east-1, nicokratky/"
            "aws-control-tower-controls-list at 9658108) for ids; the Security Hub controls reference (June 2023) for SH.* titles and "
            "severities. Source file: control_tower.yaml.\n"
            "Caveats:\n"
            f"- Snapshot of June 2023 documentation plus the January 2024 id list: {counts['total_distinct_ids']} distinct ids "
            f"({counts['legacy_owned_by_control_tower']} legacy, {counts['proactive_documented_2023_06']} proactive, "
            f"{counts['security_hub_SH_ids_2024_01']} SH.*, {counts['other_ids_2024_01_without_stored_details']} without stored details). "
            "Later controls are missing and names may have changed since.\n"
            f"- The {counts['other_ids_2024_01_without_stored_details']} ids seen only in the 2024 list have no published title or behaviour "
            "here (details_published = false); their behaviour is guessed from the id pattern only.\n"
            "- Some mandatory control ids were paired with their names through a third-party id/name table because the AWS page gave "
            "no id; each control's id_mapping_basis attribute says how its id was established.\n"
            "- SH.* controls are detective checks of the Security Hub service-managed standard for Control Tower, a subset of FSBP; "
            "22 of them have no title in the June 2023 Security Hub docs.\n"
            "- Proactive controls need the elective control CT.CLOUDFORMATION.PR.1 to be enabled first.\n"
            "- Mandatory controls and AWS-GR_REGION_DENY cannot be switched through the control APIs.\n"
            "- The CT.ELASTICFILESYSYSTEM.* spelling is kept as the 2024 list writes it; CT.S3.PR.7 is in the 2023 docs but not in "
            "the 2024 list.\n"
            "- CAF capability links are this catalogue's editorial choice, from each control's name, objective or Security Hub category.\n"
        ),
    )
    seen = set()

    def add(item):
        assert item.ref not in seen, item.ref
        seen.add(item.ref)
        return fw.add(item)

    for c in ref["legacy_controls"]:
        parts = [BEHAVIOUR_TEXT[c["behavior"]], _subject(c["service"]), GUIDANCE_TEXT[c["guidance"]],
                 default_text(c.get("default"))]
        if c["id"] == "AWS-GR_REGION_DENY":
            parts.append("It limits the Regions in which accounts can use AWS, apart from global services and exempted actions.")
        if c.get("previous_name"):
            parts.append(f"Earlier documentation called it \"{c['previous_name']}\".")
        add(Item(c["id"], c["name"], " ".join(p for p in parts if p), attributes={
            "kind": "legacy guardrail",
            "behavior": c["behavior"],
            "guidance": c["guidance"],
            "implementation": c["implementation"],
            "service": c["service"],
            "default_state": c.get("default"),
            "scp_sids": c.get("scp_sids"),
            "previous_name": c.get("previous_name"),
            "id_mapping_basis": c["id_mapping_basis"],
            "doc": DOC_BASE + c["doc"],
            "source": "control_tower.yaml legacy_controls (CT-DOCS-2023-06)",
            "caveat": _note(c.get("note")),
        }))
        link_services(fw, c["id"], c["service"], caf_names)
        cap = legacy_caf(c["id"])
        fw.link(f"ct:{c['id']}", f"caf:{cap}", "intersects-with",
                f"Serves {caf_names[cap]} (editorial, from the control's name).")

    for c in ref["proactive_controls"]:
        objectives = [o.strip() for o in c["control_objective"].split(",")]
        rtypes = c["resource_types"]
        text = (
            f"{BEHAVIOUR_TEXT['proactive']} It applies to {_join(rtypes)} and serves the objective "
            f"\"{c['control_objective']}\". Optional, and only effective once CT.CLOUDFORMATION.PR.1 is enabled."
        )
        add(Item(c["id"], c["name"], text, attributes={
            "kind": "proactive",
            "behavior": c["behavior"],
            "guidance": c["guidance"],
            "implementation": c["implementation"],
            "service": c["service"],
            "control_objective": c["control_objective"],
            "resource_types": rtypes,
            "doc": DOC_BASE + c["doc"],
            "source": "control_tower.yaml proactive_controls (CT-DOCS-2023-06)",
        }))
        link_services(fw, c["id"], c["service"], caf_names)
        for cap in dict.fromkeys(OBJECTIVE_CAF[o] for o in objectives):
            fw.link(f"ct:{c['id']}", f"caf:{cap}", "intersects-with",
                    f"Serves {caf_names[cap]} (editorial, from the control objective).")

    for c in ref["security_hub_controls_in_control_tower"]:
        sh_id = c["security_hub_control"]
        fsbp = (fsbp_controls or {}).get(sh_id)
        title = c.get("title_from_security_hub_docs_jun2023") or (fsbp["title"] if fsbp else "")
        severity = c.get("severity_jun2023") or (fsbp["severity"] if fsbp else None)
        published = bool(title)
        if published:
            text = (
                f"Security Hub check {sh_id} on {c['service']}, enabled through Control Tower's service-managed Security Hub "
                "standard. It is detective: findings report non-compliant resources and nothing is blocked."
            )
        else:
            text = (
                f"Security Hub check {sh_id} on {c['service']}, offered through Control Tower's service-managed Security Hub "
                "standard. The sources used publish no title or severity for it."
            )
        if severity:
            text += f" Severity: {severity.lower()}."
        add(Item(c["id"], title, text, details_published=published, attributes={
            "kind": "security hub",
            "security_hub_control": sh_id,
            "behavior": c["behavior"],
            "guidance": c["guidance"],
            "implementation": c["implementation"],
            "service": c["service"],
            "severity": severity,
            "source": "control_tower.yaml security_hub_controls_in_control_tower (CT-IDS-2024-01, CT-SH-DOCS-2023-06)",
            "caveat": None if c.get("title_from_security_hub_docs_jun2023") else (
                "Title and severity taken from the FSBP list" if fsbp else "No title or severity in the June 2023 Security Hub docs"),
        }))
        link_services(fw, c["id"], c["service"], caf_names)
        if fsbp:
            fw.link(f"ct:{c['id']}", f"fsbp:{sh_id}", "equivalent",
                    "The same Security Hub check, run under the Control Tower service-managed standard instead of the FSBP standard.")
            cap = category_caf(fsbp["category"]) if fsbp.get("category") else None
        else:
            cap = None
        if cap is None:
            from services import SERVICES, CAF
            svc = service_refs(c["service"])[0]
            cap = next(CAF[caps[0]] for r, _, _, caps, _, _ in SERVICES if r == svc)
            basis = "from the governed service's main capability"
        else:
            basis = "from the Security Hub category of the matching FSBP control"
        fw.link(f"ct:{c['id']}", f"caf:{cap}", "intersects-with", f"Serves {caf_names[cap]} (editorial, {basis}).")

    other = ref["other_ids_2024_01"]
    for c in other["ids"]:
        behaviour = c["behavior_from_id_pattern"].split(" ")[0]
        text = (
            f"Control id listed for {c['service']} in the January 2024 Control Tower identifier list. Its title and behaviour are "
            f"not published in the sources used; the id pattern suggests a {behaviour} control, which is not confirmed."
        )
        add(Item(c["id"], c["title"] or "", text, details_published=False, attributes={
            "kind": "identifier only",
            "behavior_from_id_pattern": c["behavior_from_id_pattern"],
            "service": c["service"],
            "source": "control_tower.yaml other_ids_2024_01 (CT-IDS-2024-01)",
            "caveat": "Identifier only; no behaviour, guidance or title stored",
        }))
        link_services(fw, c["id"], c["service"], caf_names)

    assert len(fw.items) == counts["total_distinct_ids"], len(fw.items)
    return fw


def _subject(service):
    if service.startswith("Multiple"):
        return "It is not tied to one service."
    if "(log archive)" in service:
        return f"It guards the {service.split(' (')[0]} buckets of the log archive."
    if "(root user)" in service:
        return "It concerns the root user of each account."
    if "(security groups)" in service:
        return f"It looks at the security groups of {service.split(' (')[0]}."
    return f"It concerns {service}."


def _note(note):
    if not note:
        return None
    if "wording inverted" in note:
        return "The source sentence swaps the words guidance and behaviour for this control"
    return note


def _join(values):
    values = list(values)
    if len(values) == 1:
        return values[0]
    return ", ".join(values[:-1]) + " and " + values[-1]
