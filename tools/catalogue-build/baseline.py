"""The migops baseline: custom SCPs (`scp`) and detective controls (`config`) from the design documents."""

import re

from common import Framework, Item, load_reference
from services import service_refs

SCP_DOC = "Identity-and-Access-Management/Authorization-Service-Control-Policies-(SCPs)-Design.md"
DETECTIVE_DOC = "Logging-and-Monitoring/Monitoring-Detective-Controls-Design.md"
DOC_PREFIX = "aws-samples/aws-migops-guidance General-Migration/v1.0/Security/Security-Artifacts/"

# Custom SCP name -> (services it protects or restricts, CAF capability).
SCP_TARGETS = {
    "IAM User Creation": (["IAM"], "CAF-SEC-IAM"),
    "Allowed Regions": ([], "CAF-SEC-GOV"),
    "GuardDuty Enabled": (["GUARDDUTY"], "CAF-SEC-TD"),
    "SecurityHub Enabled": (["SECURITYHUB"], "CAF-SEC-TD"),
    "Access Analyzer Enabled": (["ACCESSANALYZER"], "CAF-SEC-IAM"),
    "Custom CloudWatch Events Persist": (["EVENTBRIDGE", "CLOUDWATCH"], "CAF-SEC-TD"),
    "Custom CloudWatch Alarms Persist": (["CLOUDWATCH"], "CAF-SEC-TD"),
    "Custom Config Rules Persist": (["CONFIG"], "CAF-SEC-TD"),
    "Custom Config Rules Tags Persist": (["CONFIG"], "CAF-SEC-TD"),
    "Centrally managed Lambda Functions Persist": (["LAMBDA"], "CAF-SEC-GOV"),
    "Centrally managed application IAM Roles Persist": (["IAM"], "CAF-SEC-IAM"),
    "IAM Password Policy Persist": (["IAM"], "CAF-SEC-IAM"),
    "IAM IdP Persists": (["IAM"], "CAF-SEC-IAM"),
    "Centrally managed CloudFormation Stacks Persist": (["CLOUDFORMATION"], "CAF-SEC-GOV"),
    "Centrally managed SSM Parameters Persist": (["SSM"], "CAF-SEC-GOV"),
    "Default SG configurations Persist": (["EC2", "VPC"], "CAF-SEC-IP"),
    "Automation tags configurations Persist": (["EC2"], "CAF-SEC-GOV"),
    "WAF Logs Kinesis Firehose Persist": (["FIREHOSE", "WAF"], "CAF-SEC-TD"),
    "WAF Firewall Manager Policy Persists": (["FMS", "WAF"], "CAF-SEC-IP"),
    "WAF Firewall Manager Policy Tag Persists": (["FMS", "WAF"], "CAF-SEC-IP"),
}

# Ozone (AMS-operated landing zone) mandatory SCP scopes, summarised in our own words.
OZONE_SCOPES = {
    "Entire Organization": (
        "Organisation-wide AMS guardrails: the root user and new root keys are kept out of use outside the management account, "
        "identity-provider changes and the AMS logging, monitoring and bucket resources are reserved for AMS automation, and only "
        "the VPC service may write flow-log groups.",
        ["IAM", "S3", "LAMBDA", "VPC"], "CAF-SEC-GOV"),
    "Core OU (including Master)": (
        "Core OU guardrails: network building blocks (VPCs, subnets, routes, gateways, security groups, transit gateway attachments), "
        "IAM and CloudFormation operations, and deletions of AMS buckets, topics, secrets and parameters are reserved for AMS automation "
        "and StackSets; Marketplace unsubscription is denied and break-glass role use is limited to one team.",
        ["VPC", "TRANSITGATEWAY", "IAM", "CLOUDFORMATION", "S3", "SNS", "SECRETSMANAGER", "SSM"], "CAF-SEC-GOV"),
    "Logging Account": (
        "In the logging account, changes to bucket encryption, logging, policies and lifecycle rules are reserved for StackSets and "
        "the AMS change system.",
        ["S3"], "CAF-SEC-TD"),
    "Networking Account": (
        "In the networking account, deleting Direct Connect gateways or their associations, and changing the functions that manage "
        "them, is reserved for AMS automation.",
        ["DIRECTCONNECT", "LAMBDA"], "CAF-SEC-IP"),
    "Shared Services Account": (
        "In the shared services account, AMS functions are grouped by who may invoke them, and secret updates, directory deletions "
        "and KMS alias changes are reserved for the management host and the AMS change system.",
        ["LAMBDA", "SECRETSMANAGER", "DIRECTORYSERVICE", "KMS"], "CAF-SEC-GOV"),
}

# Keywords in a detective control's wording -> services; every list that matches adds its services.
# A keyword with a capital letter matches case-sensitively, so that "RDS" does not hit "passwords".
DETECTIVE_SERVICES = [
    (("root", "MFA", "password", "credentials", "access key", "IAM", "console", "break the glass"), ["IAM"]),
    (("CloudTrail", "unauthorized API"), ["CLOUDTRAIL"]),
    (("AWS Config", "Config Rules", "MandatoryTags", "tagged"), ["CONFIG"]),
    (("S3",), ["S3"]),
    (("CMK", "KMS"), ["KMS"]),
    (("flow log", "FlowLogs", "Network Access Control", "network gateways", "route table", "VPC changes", "default security group"), ["VPC"]),
    (("security group", "SG", "SSH", "EC2", "AMI", " port"), ["EC2"]),
    (("EBS",), ["EBS"]),
    (("RDS",), ["RDS"]),
    (("SQS",), ["SQS"]),
    (("ElastiCache",), ["ELASTICACHE"]),
    (("GuardDuty",), ["GUARDDUTY"]),
    (("SSM",), ["SSM"]),
    (("MMSTopic",), ["SNS"]),
    (("CoreStacks",), ["CLOUDFORMATION"]),
    (("SecurityHub",), ["SECURITYHUB"]),
    (("Trusted Advisor",), ["TRUSTEDADVISOR"]),
    (("Account creation", "SCP changes"), ["ORGANIZATIONS"]),
]


def _mentions(text, needle):
    if any(c.isupper() for c in needle):
        return needle in text
    return needle in text.lower()


def slug(text):
    return re.sub(r"[^A-Z0-9]+", "-", text.upper()).strip("-")


def detective_services(words):
    found = []
    for needles, services in DETECTIVE_SERVICES:
        if any(_mentions(words, n) for n in needles):
            found += [s for s in services if s not in found]
    return found


def _docs():
    ref = load_reference("migops_security_docs.yaml")
    return ref, ref["artifacts"]


def build_scp(caf_names):
    ref, artifacts = _docs()
    design = artifacts[SCP_DOC]["facts"]
    notes = design["notes"]
    fw = Framework(
        id="scp",
        name="Migration baseline: custom service control policies",
        kind="lz_controls",
        version="1.0.0",
        purpose="The custom SCPs the migops security design prescribes on top of Control Tower, and the Ozone (AMS) mandatory SCP scopes.",
        provenance=(
            f"{DOC_PREFIX}{SCP_DOC} at {ref['source']['commit']}. Source files: migops_security_docs.yaml and .md.\n"
            "Caveats:\n"
            "- Custom SCPs are visible in AWS Organizations only, not in Control Tower.\n"
            "- The 'Allowed Regions' row allows only us-west-2, while the design's footnote speaks of us-east-1 and a GRALLOWEDREGIONS "
            "NotAction list: the Region is inconsistent in the source.\n"
            "- The source spells two names 'Confg'; titles use 'Config' and the attribute name_as_written keeps the original.\n"
            "- Names contain the placeholder <Namespace>, to be replaced with the customer's namespace.\n"
            "- The 13 Control Tower mandatory SCPs the design also lists are the ct framework's mandatory guardrails and are not repeated.\n"
            "- OZONE-* items stand for the AMS-operated landing-zone variant only (variant = ozone); the text of each is a summary "
            "written for this catalogue.\n"
            f"- {len(notes)} notes recorded with the design are reflected above.\n"
        ),
    )
    for scp in design["custom_scps_all_ous"]:
        services, cap = SCP_TARGETS[scp["name"]]
        actions = scp["actions"] if isinstance(scp["actions"], str) else ", ".join(scp["actions"])
        text = (
            f"Custom SCP of the migration baseline, attached to every OU in the policy {design['naming']['custom_all_ous']}. "
            f"It denies {actions} on {_resource(scp['resource'])}"
            + (", under a tag or principal condition (see the condition attribute)" if scp.get("condition") else "")
            + f". {len(scp['exempt_principals'])} principal pattern(s) are exempt."
        )
        fw.add(Item(slug(scp["name"]), scp["name"], text, attributes={
            "variant": "standard",
            "effect": scp["effect"],
            "actions": actions,
            "resource": scp["resource"],
            "condition": scp.get("condition"),
            "exempt_principals": scp["exempt_principals"],
            "name_as_written": scp["name_as_written"] if scp["name_as_written"] != scp["name"] else None,
            "policy": design["naming"]["custom_all_ous"],
            "source": f"migops_security_docs.yaml {SCP_DOC} custom_scps_all_ous",
        }))
        _scp_links(fw, slug(scp["name"]), services, cap, caf_names)
    for scope in design["ozone_mandatory_scps"]:
        text, services, cap = OZONE_SCOPES[scope["scope"]]
        ref_id = "OZONE-" + slug(scope["scope"].split(" (")[0])
        fw.add(Item(ref_id, f"Ozone mandatory SCPs: {scope['scope']}", text, attributes={
            "variant": "ozone",
            "scope": scope["scope"],
            "statements": len(scope["functions"]),
            "source": f"migops_security_docs.yaml {SCP_DOC} ozone_mandatory_scps",
        }))
        _scp_links(fw, ref_id, services, cap, caf_names)
    assert len(fw.items) == 25
    return fw


def _resource(resource):
    return "any resource" if resource == "Any" else resource.replace("Any resources matching: ", "resources matching ").replace(
        "Any resource matching: ", "resources matching ")


def _scp_links(fw, ref_id, services, cap, caf_names):
    fw.link(f"scp:{ref_id}", "service:ORGANIZATIONS", "intersects-with", "Enforced as an AWS Organizations service control policy.")
    for s in services:
        if s != "ORGANIZATIONS":
            fw.link(f"scp:{ref_id}", f"service:{s}", "intersects-with", "The policy protects or restricts this service (editorial, from its name).")
    fw.link(f"scp:{ref_id}", f"caf:{cap}", "intersects-with", f"Serves {caf_names[cap]} (editorial).")


CIS = re.compile(r"^CIS (\d+\.\d+) (.*?)(?: \(Scored\))?$")
FSBP_ROW = re.compile(r"^\[([A-Za-z0-9]+\.\d+)\] (.*)$")

TRIGGER_TEXT = {
    "configuration change": "when a resource's configuration changes",
    "configuration change, periodic": "on configuration changes and on a schedule",
    "periodic 12h": "every 12 hours",
    "periodic 24h": "every 24 hours",
    "periodic 1h": "every hour",
}


def build_config(caf_names, fsbp_controls):
    ref, artifacts = _docs()
    design = artifacts[DETECTIVE_DOC]["facts"]
    counts = design["counts"]
    fw = Framework(
        id="config",
        name="Migration baseline: detective controls",
        kind="lz_controls",
        version="1.0.0",
        purpose="The detective controls the migops security design prescribes: Config rules (CIS, FSBP, custom, Ozone), CloudWatch alarms and events.",
        provenance=(
            f"{DOC_PREFIX}{DETECTIVE_DOC} at {ref['source']['commit']} (workplan subtask T6.S4). Source files: migops_security_docs.yaml "
            "and .md.\n"
            "Caveats:\n"
            "- CIS numbering is that of the CIS AWS Foundations Benchmark v1.2 era.\n"
            "- The design's implementation column says 'SecurityHub CIS (Config Rule)' even for FSBP controls; it is kept as written.\n"
            "- The source repeats the password-policy wording in the CIS 1.3 and 1.4 rows; titles here follow the CIS numbering.\n"
            "- Custom Config rules are not tracked in Control Tower; they show in the Config aggregator.\n"
            "- FSBP rows use the older FSBP naming of the design; ELBv2.1 is not an id of the June 2023 FSBP docs (ELB.1 has its title).\n"
            "- The two Control Tower mandatory Config rules of the design are the ct guardrails AWS-GR_AUDIT_BUCKET_PUBLIC_READ_PROHIBITED "
            "and AWS-GR_AUDIT_BUCKET_PUBLIC_WRITE_PROHIBITED and are not repeated.\n"
            "- Ozone (AMS) checks apply to that landing-zone variant only (variant = ozone); the source gives their names only.\n"
        ),
    )
    groups = design["config_rules"]
    cis_refs = {}
    for row in groups["CIS AWS Foundations Benchmark"]:
        number, title = CIS.match(row["control"]).groups()
        ref_id = f"CIS-{number}"
        cis_refs[number] = ref_id
        native = "native" in row["implementation"]
        text = (
            f"CIS AWS Foundations Benchmark {number} check in the migration baseline, run by Security Hub's CIS standard "
            f"{'natively' if native else 'through an AWS Config rule'} {TRIGGER_TEXT[row['trigger']]}, in {row['scope'].lower()} accounts."
        )
        if row.get("exception_noted"):
            text += " The design records an exception for it" + (f" ({row['exception_noted']})." if isinstance(row["exception_noted"], str) else ".")
        _add_detective(fw, ref_id, title, text, row, "config rule", "CIS AWS Foundations Benchmark v1.2", caf_names)

    for row in groups["AWS Foundational Security Best Practices"]:
        fsbp_id, title = FSBP_ROW.match(row["control"]).groups()
        ref_id = f"FSBP-{fsbp_id}"
        target = fsbp_id if fsbp_id in fsbp_controls else ("ELB.1" if fsbp_id == "ELBv2.1" else None)
        if row.get("implemented_by"):
            number = CIS.match(row["implemented_by"]).group(1)
            text = (f"Security Hub FSBP check {fsbp_id} in the migration baseline. The design does not run it separately: the CIS "
                    f"check {number} covers it.")
        else:
            text = (f"Security Hub FSBP check {fsbp_id} in the migration baseline, run through an AWS Config rule "
                    f"{TRIGGER_TEXT[row['trigger']]}, in {row['scope'].lower()} accounts.")
        item = _add_detective(fw, ref_id, title, text, row, "config rule", "AWS Foundational Security Best Practices", caf_names,
                              only=service_refs(fsbp_controls[target]["service"]) if target else None)
        item.attributes["fsbp_id"] = fsbp_id
        if target:
            note = "The same Security Hub check, enabled by the migration baseline."
            if target != fsbp_id:
                note = f"The design's {fsbp_id} carries the title of {target} in the June 2023 FSBP docs."
                item.attributes["caveat"] = f"{fsbp_id} is not an id of the June 2023 FSBP docs; {target} has its title"
            fw.link(f"config:{ref_id}", f"fsbp:{target}", "equivalent", note)
        if row.get("implemented_by"):
            number = CIS.match(row["implemented_by"]).group(1)
            fw.link(f"config:{ref_id}", f"config:{cis_refs[number]}", "equivalent",
                    "The design implements this FSBP check with the CIS check.")

    for row in groups["Custom"]:
        text = (f"Custom AWS Config rule of the migration baseline, deployed with StackSets, evaluated "
                f"{TRIGGER_TEXT[row['trigger']]} in {row['scope'].lower()} accounts.")
        _add_detective(fw, "CUSTOM-REQUIRED-TAGS", row["control"], text, row, "config rule", "custom", caf_names)

    ozone_key = next(k for k in groups if k.startswith("Ozone"))
    for row in groups[ozone_key]:
        trigger = TRIGGER_TEXT.get(row.get("trigger"), "on a trigger the source does not give")
        text = f"AWS Managed Services check of the Ozone landing-zone variant, evaluated {trigger}. The source gives its name only."
        item = _add_detective(fw, row["control"], row["control"], text, row, "config rule", "Ozone (AMS)", caf_names)
        item.attributes["variant"] = "ozone"

    alarms = design["cloudwatch_alarms"]
    for row in alarms["CIS AWS Foundations Benchmark"]:
        number, title = CIS.match(row["control"]).groups()
        text = (f"CIS AWS Foundations Benchmark {number} alarm in the migration baseline: a CloudWatch Logs metric filter on the "
                f"CloudTrail log group raises a CloudWatch alarm, deployed with StackSets in {row['scope'].lower()} accounts.")
        _add_detective(fw, f"CIS-{number}", title, text, row, "cloudwatch alarm", "CIS AWS Foundations Benchmark v1.2", caf_names,
                       extra=["CLOUDWATCH", "CLOUDWATCH-LOGS"])
    for row in alarms["Custom"]:
        text = ("Custom CloudWatch alarm of the migration baseline, deployed with StackSets, that fires when a customer-managed key "
                "is used while it is scheduled for deletion.")
        _add_detective(fw, "ALARM-CMK-PENDING-DELETION", row["control"], text, row, "cloudwatch alarm", "custom", caf_names,
                       extra=["CLOUDWATCH", "CLOUDWATCH-LOGS"])

    for group, rows in design["cloudwatch_events"].items():
        for row in rows:
            mandatory = group.startswith("ControlTower")
            name = row["control"].replace(" (mandatory)", "")
            text = (f"EventBridge (CloudWatch Events) rule of the migration baseline, {'set up by Control Tower' if mandatory else 'deployed with StackSets'}, "
                    f"scoped to the {row['scope'].lower()}{'' if 'account' in row['scope'].lower() else ' accounts'}; it forwards matching events for alerting.")
            item = _add_detective(fw, "EVENT-" + slug(name), name, text, row, "cloudwatch event",
                                  "Control Tower" if mandatory else "custom", caf_names, extra=["EVENTBRIDGE"])
            if mandatory:
                item.attributes["guidance"] = "mandatory"

    expected = (sum(v for k, v in counts["config_rules"].items() if not k.startswith("ControlTower"))
                + sum(counts["cloudwatch_alarms"].values()) + sum(counts["cloudwatch_events"].values()))
    assert len(fw.items) == expected, (len(fw.items), expected)
    return fw


def _add_detective(fw, ref_id, title, text, row, mechanism, origin, caf_names, extra=(), only=None):
    item = fw.add(Item(ref_id, title, text, attributes={
        "variant": "standard",
        "mechanism": mechanism,
        "origin": origin,
        "scope": row.get("scope"),
        "trigger": row.get("trigger"),
        "implementation": row.get("implementation"),
        "implemented_by": row.get("implemented_by"),
        "source": f"migops_security_docs.yaml {DETECTIVE_DOC}",
    }))
    # An FSBP row takes its services from the FSBP control itself rather than from its wording.
    services = list(only) if only is not None else detective_services(f"{ref_id} {title}")
    for s in list(extra):
        if s not in services:
            services.append(s)
    if not services:
        raise ValueError(f"no service for detective control {ref_id}")
    for s in services:
        fw.link(f"config:{ref_id}", f"service:{s}", "intersects-with",
                "The control watches this service (editorial, from its wording).")
    fw.link(f"config:{ref_id}", "caf:CAF-SEC-TD", "intersects-with", f"A detective control: serves {caf_names['CAF-SEC-TD']}.")
    return item
