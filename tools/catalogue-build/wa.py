"""The `wa` framework: the Well-Architected security pillar's questions and best practices."""

from common import Framework, Item, load_reference

AREA_CAF = {
    "Security foundations": "CAF-SEC-GOV",
    "Identity and access management": "CAF-SEC-IAM",
    "Detection": "CAF-SEC-TD",
    "Infrastructure protection": "CAF-SEC-IP",
    "Data protection": "CAF-SEC-DP",
    "Incident response": "CAF-SEC-IR",
    "Application security": "CAF-SEC-APPSEC",
}

# Best practices whose subject sits in a different capability than their question's area.
BP_CAF = {
    "SEC01-BP03": ["CAF-SEC-GOV", "CAF-SEC-ASSURE"],
    "SEC01-BP04": ["CAF-SEC-GOV", "CAF-SEC-TD"],
    "SEC01-BP07": ["CAF-SEC-GOV", "CAF-SEC-APPSEC"],
    "SEC04-BP04": ["CAF-SEC-TD", "CAF-SEC-IR"],
    "SEC06-BP01": ["CAF-SEC-VM"],
    "SEC11-BP03": ["CAF-SEC-APPSEC", "CAF-SEC-VM"],
}

RISK_TEXT = {
    "High": "high",
    "Medium": "medium",
    "Low": "low",
}


def build(caf_names):
    ref = load_reference("wa_security.yaml")
    fw = Framework(
        id="wa",
        name="AWS Well-Architected Framework: security pillar",
        kind="standard",
        version="1.0.0",
        purpose="The AWS Well-Architected security pillar: its 11 questions and their best practices with the risk of not establishing each.",
        provenance=(
            "Security pillar as published on 6 November 2024; best-practice ids, titles and risk levels read from an AWS-authored sample "
            "(aws-samples/sample-well-architected-skills-and-steering at 4b58ba0) that embeds the pillar with per-practice source "
            "URLs. Source file: wa_security.yaml.\n"
            "Caveats:\n"
            "- Best-practice numbering depends on the pillar revision: a newer revision renumbers SEC01 (for example SEC01-BP02 becomes "
            "'Identify and validate control objectives'). Pin this version when mapping.\n"
            "- The sample file shortens the SEC11 question; the full wording is used here.\n"
            "- The Migration Lens security best practices (MIG-SEC-*) that the workplan also cites are not catalogued.\n"
            "- Links to CAF capabilities follow each question's area, with a few best practices placed by their subject; they are "
            "editorial.\n"
        ),
    )
    total = 0
    for qn in ref["questions"]:
        bps = qn["best_practices"]
        assert qn["bp_count"] == len(bps), qn["id"]
        fw.add(Item(qn["id"], qn["question"],
                    f"Question {int(qn['id'][3:])} of the security pillar, in the {qn['area'].lower()} area. "
                    f"The pillar answers it through {len(bps)} best practices, {bps[0]['id']} to {bps[-1]['id']}.",
                    attributes={"area": qn["area"], "best_practices": len(bps),
                                "source": "wa_security.yaml questions",
                                "caveat": "Question text completed from other copies of the pillar" if qn.get("question_note") else None}))
        cap = AREA_CAF[qn["area"]]
        fw.link(f"wa:{qn['id']}", f"caf:{cap}", "intersects-with",
                f"The question's area maps to {caf_names[cap]} (editorial).")
        for bp in bps:
            total += 1
            number = int(bp["id"].split("-BP")[1])
            fw.add(Item(bp["id"], bp["title"],
                        f"Best practice {number} of {qn['id']} ({qn['area'].lower()}). The pillar rates the risk of leaving it "
                        f"unestablished as {RISK_TEXT[bp['risk_if_not_established']]}.",
                        parent=qn["id"],
                        attributes={"area": qn["area"], "risk_if_not_established": bp["risk_if_not_established"],
                                    "doc": bp["doc_url"], "source": "wa_security.yaml best_practices"}))
            for cap in BP_CAF.get(bp["id"], [AREA_CAF[qn["area"]]]):
                fw.link(f"wa:{bp['id']}", f"caf:{cap}", "intersects-with",
                        f"Serves {caf_names[cap]} (editorial, from the question's area or the practice's subject).")
    assert len(ref["questions"]) == ref["counts"]["questions"] == 11
    assert total == ref["counts"]["best_practices"]
    return fw
