"""The `msr` framework: the 69 MSR ids and the migops security workplan's 7 tasks and 38 subtasks."""

from common import Framework, Item, load_reference
from services import CHECK_PREFIXES

# Our wording of the subjects the reference records (it has none for the other 61 ids).
MSR_SUBJECTS = {
    "MSR.IAM.2": "Root user usage policy that keeps the root credentials protected",
    "MSR.IAM.4": "MFA required for console and CLI access through federation",
    "MSR.DP.3": "S3 Block Public Access switched on for each bucket",
    "MSR.IP.1": "Vulnerability assessment before and after the migration",
    "MSR.IP.9": "Policy for managing certificates and secrets",
    "MSR.IP.13": "Network or storage exposure limit (the sources disagree on the subject)",
    "MSR.IR.3": "Incident response framework with playbooks",
    "MSR.IR.10": "Standard operating procedure for incident response work",
}

TASK_TEXT = {
    1: "Check the whole AWS environment against security good practice, across data protection, identity, infrastructure, logging and workload-specific needs.",
    2: "Decide and put in place how data is encrypted at rest and in transit, and how the keys behind it are governed.",
    3: "Decide and build how people and workloads sign in to AWS and what they are allowed to do there.",
    4: "Prepare the organisation to detect, handle and learn from security incidents in AWS.",
    5: "Design and build the network and host protections around migrated workloads.",
    6: "Design and build how security logs are collected, kept and watched, and which detective controls are switched on.",
    7: "Capture the security requirements specific to the customer and each migrating workload, and map them to AWS.",
}

SUBTASK_TEXT = {
    "T1.S1": "Review the environment with the Well-Architected security pillar, whether the accounts are new or already exist, and look at the migration-specific practices.",
    "T2.S1": "Workshop with the customer on encryption choices, data protection options and how KMS keys will be governed.",
    "T2.S2": "Write down today's data protection policies, processes, tools and people, as the starting point for the gap analysis.",
    "T2.S3": "Compare the current data protection state with the target readiness state and turn the gaps into backlog stories.",
    "T2.S4": "Set the strategy for encrypting data at rest and in transit, following the encryption design documents.",
    "T2.S5": "Decide who administers and who uses each customer-managed KMS key, granting the least access that works.",
    "T3.S1": "Deep-dive workshop on how IAM controls who or what can reach AWS services and resources.",
    "T3.S2": "Write down today's identity and access policies, processes, tools and people, and find the gaps to the target state.",
    "T3.S3": "Set the rules for when the root user may be used and how its credentials are protected, backed by preventive and detective controls.",
    "T3.S4": "Set the rules for long-lived IAM user credentials such as access keys.",
    "T3.S5": "Set how users authenticate across the many accounts of the organisation.",
    "T3.S6": "Agree the naming standard and the base definitions of IAM roles and policies.",
    "T3.S7": "Decide the baseline of preventive service control policies.",
    "T3.S8": "Build and attach the baseline service control policies.",
    "T3.S9": "Create the base IAM identities, roles and policies.",
    "T3.S10": "Put in place federated console and API access to all accounts.",
    "T3.S11": "Require MFA for console and CLI sign-in through the federation.",
    "T3.S12": "Set up the break-glass IAM user for emergencies, with its credentials kept safe.",
    "T3.S13": "Create distribution lists to use as alternate contacts of the AWS accounts.",
    "T3.S14": "Get the accounts ready for secure day-to-day operations.",
    "T4.S1": "Write down today's incident response capability and find the gaps to the target state.",
    "T4.S2": "Define the incident response framework and the playbooks for the likely incident types.",
    "T4.S3": "Write the standard operating procedure that responders follow.",
    "T5.S1": "Workshop on the network security design of the AWS environment.",
    "T5.S2": "Write down today's infrastructure protection capability as the starting point for the gap analysis.",
    "T5.S3": "Compare infrastructure protection with the target readiness state and turn the gaps into backlog stories.",
    "T5.S4": "Decide how security groups and network ACLs are designed, named and managed.",
    "T5.S5": "Decide the intrusion detection and prevention approach.",
    "T5.S6": "Set the policy for managing certificates and secrets.",
    "T5.S7": "Decide how web application firewall rules are managed.",
    "T5.S8": "Build the infrastructure security controls that were designed.",
    "T6.S1": "Workshop on the design of logging and alerting.",
    "T6.S2": "Compare logging and monitoring with the target readiness state and turn the gaps into backlog stories.",
    "T6.S3": "Set the logging pattern: which logs are collected, where they are stored and for how long.",
    "T6.S4": "Choose the base set of detective controls to switch on.",
    "T6.S5": "Build the monitoring services that watch the environment.",
    "T7.S1": "Gather the security requirements of the customer and of each workload and map them to AWS services.",
    "T7.S2": "List what each workload inherits from the landing zone's initial security baseline, against the CAF core security epics.",
}

TASK_CAF = {2: ["CAF-SEC-DP"], 3: ["CAF-SEC-IAM"], 4: ["CAF-SEC-IR"], 5: ["CAF-SEC-IP"], 6: ["CAF-SEC-TD"]}

# Subtask -> catalogue items that satisfy it (editorial; the workplan names none of them itself).
SUBTASK_TARGETS = {
    "T2.S1": ["service:KMS"],
    "T2.S4": ["service:KMS", "service:ACM", "ct:AWS-GR_ENCRYPTED_VOLUMES", "ct:AWS-GR_RDS_STORAGE_ENCRYPTED",
              "fsbp:S3.4", "fsbp:S3.5", "fsbp:EC2.3", "fsbp:EC2.7", "fsbp:ELB.1", "fsbp:CloudFront.3"],
    "T2.S5": ["service:KMS", "fsbp:KMS.1", "fsbp:KMS.2", "fsbp:KMS.3"],
    "T3.S3": ["service:IAM", "ct:AWS-GR_RESTRICT_ROOT_USER", "ct:AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS",
              "ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED", "fsbp:IAM.4", "fsbp:IAM.6", "config:CIS-1.1", "config:CIS-3.3"],
    "T3.S4": ["service:IAM", "fsbp:IAM.3", "fsbp:IAM.8", "scp:IAM-USER-CREATION", "scp:IAM-PASSWORD-POLICY-PERSIST"],
    "T3.S5": ["service:IDENTITYCENTER", "service:IAM", "fsbp:IAM.5"],
    "T3.S6": ["service:IAM"],
    "T3.S7": ["service:ORGANIZATIONS"],
    "T3.S8": ["service:ORGANIZATIONS"],  # plus every standard custom SCP, added below
    "T3.S9": ["service:IAM", "fsbp:IAM.1", "fsbp:IAM.2"],
    "T3.S10": ["service:IDENTITYCENTER", "service:STS"],
    "T3.S11": ["service:IDENTITYCENTER", "ct:AWS-GR_MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS", "ct:AWS-GR_IAM_USER_MFA_ENABLED",
               "fsbp:IAM.5", "config:CIS-3.2"],
    "T3.S12": ["service:IAM", "config:EVENT-BREAK-THE-GLASS-USER-SIGN-IN"],
    "T3.S13": ["service:ACCOUNT", "fsbp:Account.1"],
    "T3.S14": ["service:ORGANIZATIONS", "service:CONTROLTOWER"],
    "T4.S2": ["service:GUARDDUTY", "service:DETECTIVE", "service:SECURITYHUB"],
    "T4.S3": ["service:DETECTIVE", "service:CLOUDTRAIL"],
    "T5.S4": ["service:VPC", "service:EC2", "ct:AWS-GR_RESTRICTED_SSH", "ct:AWS-GR_RESTRICTED_COMMON_PORTS", "fsbp:EC2.2",
              "fsbp:EC2.18", "fsbp:EC2.19", "fsbp:EC2.21", "scp:DEFAULT-SG-CONFIGURATIONS-PERSIST"],
    "T5.S5": ["service:NETWORKFIREWALL", "service:GUARDDUTY"],
    "T5.S6": ["service:SECRETSMANAGER", "service:ACM", "fsbp:SecretsManager.1", "fsbp:SecretsManager.4", "fsbp:ACM.1"],
    "T5.S7": ["service:WAF", "service:FMS", "scp:WAF-FIREWALL-MANAGER-POLICY-PERSISTS", "scp:WAF-LOGS-KINESIS-FIREHOSE-PERSIST",
              "fsbp:CloudFront.6"],
    "T5.S8": ["service:FMS", "service:NETWORKFIREWALL", "service:WAF", "service:SHIELD"],
    "T6.S3": ["service:CLOUDTRAIL", "service:CLOUDWATCH-LOGS", "service:S3", "ct:AWS-GR_CLOUDTRAIL_ENABLED",
              "ct:AWS-GR_LOG_GROUP_POLICY", "fsbp:CloudTrail.1", "fsbp:CloudTrail.4", "fsbp:EC2.6"],
    "T6.S4": ["service:CONFIG", "service:SECURITYHUB"],
    "T6.S5": ["service:GUARDDUTY", "service:SECURITYHUB", "service:CLOUDWATCH", "service:EVENTBRIDGE",
              "scp:GUARDDUTY-ENABLED", "scp:SECURITYHUB-ENABLED"],
    "T7.S2": ["caf:Sec.IAM", "caf:Sec.Det", "caf:Sec.Inf", "caf:Sec.DP", "caf:Sec.IR"],
}

# MSR ids with a known subject -> catalogue items that satisfy it (editorial).
MSR_TARGETS = {
    "MSR.DP.3": ["fsbp:S3.8", "service:S3"],
    "MSR.IP.1": ["service:INSPECTOR"],
}


def build(caf_names, wa_questions, standard_scps):
    ref = load_reference("msr.yaml")
    ids = ref["msr_framework_ids"]
    plan = ref["workplan"]
    fw = Framework(
        id="msr",
        name="Migration security requirements and the migops security workplan",
        kind="standard",
        version="1.0.0",
        purpose="The 69 MSR ids and the migops security workplan (7 tasks, 38 subtasks), with the MSR ids the workplan names.",
        provenance=(
            "Workplan: the Security module of aws-samples/aws-migops-templates at 6a60e9f (the VMware-to-EC2 and VMC-to-EC2 copies are "
            "identical). MSR ids: aws-samples/service-screener-v2 at 46a63c0 (frameworks/MSR/map.json), which calls MSR the AWS APJ "
            "'Partner Migration Security Requirements'. Source files: msr.yaml, security-workplan.md.\n"
            "Caveats:\n"
            f"- The subject of an MSR id is known for {len(MSR_SUBJECTS)} of the {ids['count']} ids only; the others keep an empty title "
            "(details_published = false) rather than a guessed one.\n"
            "- The meanings of the LM, IP, DP and IR prefixes are inferred from the five themes of the framework; CW and CD are unknown.\n"
            "- MSR.IP.13 has two conflicting subjects in the sources (security groups limited to approved CIDRs and ports, or S3 "
            "buckets without public read/write); three subjects were translated from Korean workshop text.\n"
            "- The check names on MSR ids are service-screener-v2 rules mapped by that tool, not part of the MSR text.\n"
            "- A longer General-Migration variant of the workplan (5 tasks, 50 subtasks, no MSR ids) exists and is not catalogued.\n"
            "- Workplan observations: T5.S7 (WAF rules) links to the compute protection design rather than the WAF design; T3.S4 links "
            "to the human roles design while the IAM-user credential rules sit in the design linked from T3.S12; MSR.IP.9 covers "
            "certificates but its subtask links only the secrets design; MSR.IAM.4's subtask links only the IAM MFA user-guide page.\n"
            "- Links from subtasks to controls and services are this catalogue's editorial reading of each subtask.\n"
        ),
    )
    themes = ids["prefix_meaning"]
    by_msr = {}
    for m in ids["ids"]:
        subject = MSR_SUBJECTS.get(m["id"])
        assert (subject is None) == (m["subject"] is None), m["id"]
        theme = themes.get(m["domain_prefix"])
        checks = m["service_screener_checks"]
        parts = [f"Migration security requirement {m['id']}"
                 + (f" in the {theme.split(' (')[0]} theme." if theme else ", in a theme the sources do not name.")]
        if not subject:
            parts.append("Its wording is not published in the sources used.")
        if checks:
            parts.append(f"service-screener-v2 maps {len(checks)} automated check{'s' if len(checks) != 1 else ''} to it.")
        item = fw.add(Item(m["id"], subject or "", " ".join(parts), details_published=subject is not None, attributes={
            "domain_prefix": m["domain_prefix"],
            "theme": theme,
            "service_screener_checks": checks,
            "subject_source": m.get("subject_source"),
            "source": "msr.yaml msr_framework_ids (service-screener-v2 frameworks/MSR/map.json)",
            "caveat": "Conflicting subjects in the sources" if m["id"] == "MSR.IP.13" else (
                "Subject translated from Korean workshop text" if m.get("subject_source", "").startswith("aws-samples/secure") else None),
        }))
        by_msr[m["id"]] = item
        services = []
        for check in checks:
            s = CHECK_PREFIXES[check.split(".")[0]]
            if s not in services:
                services.append(s)
        for s in services:
            named = [c for c in checks if CHECK_PREFIXES[c.split(".")[0]] == s]
            fw.link(f"msr:{m['id']}", f"service:{s}", "intersects-with",
                    f"service-screener-v2 checks this id through {', '.join(named)}.")
        for target in MSR_TARGETS.get(m["id"], []):
            if fw.has_link(f"msr:{m['id']}", target):
                continue
            fw.link(f"msr:{m['id']}", target, "intersects-with", "Satisfies part of the requirement (editorial).")
    assert len(by_msr) == ids["count"] == 69
    for prefix, n in ids["counts_by_prefix"].items():
        assert sum(1 for k in by_msr if k.split(".")[1] == prefix) == n, prefix

    subtasks = 0
    for task in plan["tasks"]:
        t_ref = f"T{task['task']}"
        fw.add(Item(t_ref, task["title"], TASK_TEXT[task["task"]], attributes={
            "workplan_task": str(task["task"]), "subtasks": len(task["subtasks"]),
            "source": "msr.yaml workplan; security-workplan.md"}))
        for cap in TASK_CAF.get(task["task"], []):
            fw.link(f"msr:{t_ref}", f"caf:{cap}", "intersects-with", f"The task's domain is {caf_names[cap]}.")
        for s in task["subtasks"]:
            subtasks += 1
            attrs = {
                "msr_id": s["msr_id"],
                "guidance_docs": s["guidance_docs"],
                "external_refs": s["external_refs"],
                "source": "msr.yaml workplan; security-workplan.md",
            }
            if s["ref"] in ("T7.S1", "T7.S2"):
                attrs["caveat"] = "T7.S1 and T7.S2 carry the same title in the workplan"
            fw.add(Item(s["ref"], s["title"], SUBTASK_TEXT[s["ref"]], parent=t_ref, attributes=attrs))
            if s["msr_id"]:
                fw.link(f"msr:{s['ref']}", f"msr:{s['msr_id']}", "equivalent",
                        "The workplan tags this subtask with the MSR id.")
            targets = list(SUBTASK_TARGETS.get(s["ref"], []))
            if s["ref"] == "T1.S1":
                targets += [f"wa:{qid}" for qid in wa_questions]
            if s["ref"] == "T3.S8":
                targets += [f"scp:{r}" for r in standard_scps]
            for target in targets:
                fw.link(f"msr:{s['ref']}", target, "intersects-with", "Satisfies part of the subtask (editorial).")
    assert len(plan["tasks"]) == plan["task_count"] == 7
    assert subtasks == plan["subtask_count"] == 38
    return fw
