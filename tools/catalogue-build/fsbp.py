"""The `fsbp` framework (Security Hub foundational best practices) and the `nist` ids it maps to."""

import re

from common import Framework, Item, load_reference
from ct import category_caf
from services import service_refs

SCHEDULE_TEXT = {
    "Change triggered": "whenever a matching resource changes",
    "Periodic": "on a fixed schedule",
    "Periodic and change triggered": "on a schedule and whenever a matching resource changes",
}

ENHANCEMENT = re.compile(r"^([A-Z]{2}-\d+)\((\d+)\)$")
CONTROL = re.compile(r"^[A-Z]{2}-\d+$")


def load():
    ref = load_reference("fsbp.yaml")
    return ref, {c["id"]: c for c in ref["controls"]}


def build(caf_names):
    ref, _ = load()
    counts = ref["counts"]
    fw = Framework(
        id="fsbp",
        name="AWS Security Hub Foundational Security Best Practices",
        kind="standard",
        version="1.0.0",
        purpose="AWS Security Hub foundational security best practices (FSBP): each check with service, severity, Config rule and NIST SP 800-53 r5 mappings.",
        provenance=(
            "AWS Security Hub User Guide source (archived awsdocs/aws-security-hub-user-guide at 47bfe2f, 2023-06-15): the FSBP "
            "membership list, the controls reference (ids, related requirements, titles, severities, schedules) and the per-service "
            "pages (category, resource types, Config rules). Source file: fsbp.yaml.\n"
            "Caveats:\n"
            f"- {ref['snapshot']}\n"
            f"- {counts['fsbp_controls']} controls belong to FSBP in that snapshot ({counts['controls_in_reference_all_standards']} "
            "controls exist across all Security Hub standards); all of them carry NIST SP 800-53 r5 related requirements.\n"
            "- NIST ids are the 'Related requirements' Security Hub publishes with the prefix NIST.800-53.r5 removed; a check relates "
            "to part of a NIST control, never the whole of it.\n"
            "- ELB.1 has no category in the source. Categories are written inconsistently upstream and are kept as written.\n"
            "- The migops detective-controls design names ELBv2.1, which is not an id of the June 2023 docs (ELB.1 carries its title).\n"
            "- Descriptions are written for this catalogue from the facts (service, resources, severity, rule, schedule).\n"
        ),
    )
    for c in ref["controls"]:
        rules = c.get("config_rules") or []
        sentences = [
            f"Security Hub check on {c['service']} ({', '.join(c['resource_types'])}), rated {c['severity'].lower()} severity.",
        ]
        if rules:
            # Security Hub's own rules are annotated after a stray backtick in the source.
            names = [r.split("`")[0].strip() for r in rules]
            custom = any("custom rule" in r.lower() for r in rules)
            kind = "custom AWS Config rule (maintained by Security Hub)" if custom else "AWS Config rule"
            sentences.append(f"The {kind} {', '.join(names)} evaluates it {SCHEDULE_TEXT[c['schedule']]}.")
        else:
            sentences.append(f"Security Hub evaluates it itself {SCHEDULE_TEXT[c['schedule']]}.")
        if c.get("category"):
            sentences.append(f"Security Hub files it under {c['category']}.")
        nist = c["nist_800_53_r5"]
        sentences.append(f"It relates to {len(nist)} NIST SP 800-53 r5 control{'s' if len(nist) != 1 else ''}.")
        fw.add(Item(c["id"], c["title"], " ".join(sentences), attributes={
            "service": c["service"],
            "severity": c["severity"],
            "category": c.get("category"),
            "resource_types": c["resource_types"],
            "config_rules": rules,
            "schedule": c["schedule"],
            "nist_800_53_r5": nist,
            "other_related_requirements": c.get("other_related_requirements"),
            "doc": c["doc_anchor"],
            "source": "fsbp.yaml controls (Security Hub user guide, 2023-06-15)",
            "caveat": None if c.get("category") else "No category in the source",
        }))
        for s in service_refs(c["service"]):
            fw.link(f"fsbp:{c['id']}", f"service:{s}", "intersects-with",
                    "The check evaluates resources of this service (service named in fsbp.yaml).")
        for n in dict.fromkeys(nist):
            fw.link(f"fsbp:{c['id']}", f"nist:{n}", "subset-of",
                    "Security Hub lists this NIST SP 800-53 r5 control among the check's related requirements; the check covers part of it.")
        if c.get("category"):
            cap = category_caf(c["category"])
            fw.link(f"fsbp:{c['id']}", f"caf:{cap}", "intersects-with",
                    f"Serves {caf_names[cap]} (editorial, from the Security Hub category).")
    assert len(fw.items) == counts["fsbp_controls"]
    return fw


def build_nist():
    ref, _ = load()
    mapped = {}
    for c in ref["controls"]:
        for n in c["nist_800_53_r5"]:
            mapped.setdefault(n, []).append(c["id"])
    ids = set(mapped)
    # A base control is added for every enhancement so that AC-2(1) sits under AC-2.
    for n in list(ids):
        m = ENHANCEMENT.match(n)
        if m:
            ids.add(m.group(1))
        elif not CONTROL.match(n):
            raise ValueError(f"unexpected NIST id {n!r}")
    fw = Framework(
        id="nist",
        name="NIST SP 800-53 Rev. 5 (ids reached through FSBP)",
        kind="standard",
        version="1.0.0",
        purpose="NIST SP 800-53 Rev. 5 control ids that Security Hub FSBP checks relate to; ids only, titles are not in the reference set.",
        provenance=(
            "Every NIST SP 800-53 r5 id named in the 'Related requirements' of the FSBP controls (fsbp.yaml), plus the base control of "
            "each enhancement so that enhancements have a parent.\n"
            "Caveats:\n"
            "- The reference set holds no NIST titles or control text, so every item has details_published = false and an empty title.\n"
            "- Only the controls that FSBP checks relate to are present; this is not the whole NIST catalogue.\n"
            "- Base controls added as parents of enhancements may have no FSBP check of their own.\n"
        ),
    )
    for n in sorted(ids, key=nist_sort_key):
        m = ENHANCEMENT.match(n)
        checks = mapped.get(n, [])
        if checks:
            text = (f"NIST SP 800-53 r5 {'control enhancement' if m else 'control'} {n}. Security Hub relates "
                    f"{len(checks)} FSBP check{'s' if len(checks) != 1 else ''} to it. Its title is not part of the reference set.")
        else:
            text = f"NIST SP 800-53 r5 control {n}, present as the parent of its enhancements. Its title is not part of the reference set."
        fw.add(Item(n, "", text, parent=m.group(1) if m else None, details_published=False, attributes={
            "family": n[:2],
            "fsbp_checks": len(checks),
            "source": "fsbp.yaml nist_800_53_r5 (related requirements)",
        }))
    return fw, mapped


def nist_sort_key(n):
    m = ENHANCEMENT.match(n)
    family, number = (m.group(1) if m else n).split("-")
    return (family, int(number), int(m.group(2)) if m else 0)
