//! One backlog from two sources: the stories the consultant wrote from readiness gaps, and the
//! requirements whose coverage is a gap. Drafts that put the same control or service in place
//! become one story, so nobody implements the same thing twice from two tickets.
//!
//! The rules:
//! - each readiness story stays a story of its own, as the consultant wrote it (two readiness
//!   stories naming one control are two decisions, not a duplicate);
//! - a requirement gap joins the first readiness story that shares a control with it;
//! - otherwise requirement gaps of one section of the customer's sheet sharing a control merge
//!   into one story (transitively), so a story stays a backlog item a team can take on rather
//!   than "put IAM in place for 233 requirements" across the whole sheet;
//! - a requirement gap without any control is a story of its own;
//! - no draft ends up in two stories.

use crate::model::{ControlRef, Story, StoryDraft, StorySource};
use crosswalk_domain::QualifiedRef;
use std::collections::HashMap;

#[derive(Default)]
struct Group {
    anchor: Option<StoryDraft>,
    gaps: Vec<StoryDraft>,
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Merges readiness stories and requirement-gap drafts into the backlog, most urgent first
/// (ties keep readiness stories first, then the order the drafts came in).
pub fn merge_stories(readiness: Vec<StoryDraft>, gaps: Vec<StoryDraft>) -> Vec<Story> {
    let mut groups: Vec<Group> = Vec::new();
    let mut parent: Vec<usize> = Vec::new();
    // The readiness story that first named a control, and per section the story a gap with a
    // control went to.
    let mut owner: HashMap<QualifiedRef, usize> = HashMap::new();
    let mut gap_owner: HashMap<(Option<String>, QualifiedRef), usize> = HashMap::new();

    for draft in readiness {
        let at = groups.len();
        for c in &draft.controls {
            owner.entry(c.reference.clone()).or_insert(at);
        }
        groups.push(Group {
            anchor: Some(draft),
            gaps: Vec::new(),
        });
        parent.push(at);
    }

    for draft in gaps {
        let mut touched: Vec<usize> = Vec::new();
        for c in &draft.controls {
            let by_section = gap_owner.get(&(draft.section.clone(), c.reference.clone()));
            for &g in owner.get(&c.reference).into_iter().chain(by_section) {
                let root = find(&mut parent, g);
                if !touched.contains(&root) {
                    touched.push(root);
                }
            }
        }
        touched.sort_unstable();
        let target = match touched
            .iter()
            .copied()
            .find(|&g| groups[g].anchor.is_some())
            .or_else(|| touched.first().copied())
        {
            Some(t) => t,
            None => {
                groups.push(Group::default());
                parent.push(groups.len() - 1);
                groups.len() - 1
            }
        };
        // Gap-only groups that share a control with this draft fold into its story; another
        // readiness story keeps its own controls and its own gaps.
        for &other in touched.iter().filter(|&&g| g != target) {
            if groups[other].anchor.is_none() {
                let moved = std::mem::take(&mut groups[other].gaps);
                groups[target].gaps.extend(moved);
                parent[other] = target;
            }
        }
        for c in &draft.controls {
            gap_owner
                .entry((draft.section.clone(), c.reference.clone()))
                .or_insert(target);
        }
        groups[target].gaps.push(draft);
    }

    let mut stories: Vec<Story> = groups
        .into_iter()
        .enumerate()
        .filter(|(i, g)| parent[*i] == *i && (g.anchor.is_some() || !g.gaps.is_empty()))
        .map(|(_, g)| build(g))
        .collect();
    stories.sort_by_key(|s| std::cmp::Reverse(s.priority.rank()));
    stories
}

fn push_unique<T: PartialEq>(list: &mut Vec<T>, value: T) {
    if !list.contains(&value) {
        list.push(value);
    }
}

fn gap_line(source: &StorySource, fallback: &str) -> String {
    match source {
        StorySource::Requirement { title, .. } if !title.trim().is_empty() => {
            format!("- {}: {}", source.key(), title.trim())
        }
        _ => format!("- {}: {}", source.key(), first_words(fallback, 120)),
    }
}

fn first_words(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        format!("{}…", one_line.chars().take(max).collect::<String>())
    }
}

/// The control most of the group's gaps name (the first one on a tie).
fn shared_control(gaps: &[StoryDraft]) -> Option<&ControlRef> {
    let mut best: Option<(&ControlRef, usize)> = None;
    for c in gaps.iter().flat_map(|g| &g.controls) {
        let n = gaps
            .iter()
            .filter(|g| g.controls.iter().any(|x| x.reference == c.reference))
            .count();
        if best.is_none_or(|(_, m)| n > m) {
            best = Some((c, n));
        }
    }
    best.map(|(c, _)| c)
}

fn build(group: Group) -> Story {
    let Group { anchor, gaps } = group;
    let mut sources = Vec::new();
    let mut domains = Vec::new();
    let mut controls: Vec<ControlRef> = Vec::new();
    let mut criteria: Vec<String> = Vec::new();
    let mut priority = None;
    for draft in anchor.iter().chain(&gaps) {
        sources.push(draft.source.clone());
        if let Some(d) = draft.domain {
            push_unique(&mut domains, d);
        }
        for c in &draft.controls {
            if !controls.iter().any(|x| x.reference == c.reference) {
                controls.push(c.clone());
            }
        }
        for a in &draft.acceptance_criteria {
            push_unique(&mut criteria, a.clone());
        }
        if priority.is_none_or(|p: crate::Priority| draft.priority.rank() > p.rank()) {
            priority = Some(draft.priority);
        }
    }

    let title = match (&anchor, gaps.as_slice()) {
        (Some(a), _) => a.title.clone(),
        (None, [one]) => one.title.clone(),
        (None, many) => {
            let of_section = match &many[0].section {
                Some(s) if !s.trim().is_empty() => format!(" of {}", first_words(s, 60)),
                _ => String::new(),
            };
            match shared_control(many) {
                Some(c) => format!(
                    "Put {} in place for {} requirements{of_section}",
                    if c.title.trim().is_empty() {
                        c.reference.to_string()
                    } else {
                        c.title.trim().to_string()
                    },
                    many.len()
                ),
                None => format!("Close {} requirement gaps{of_section}", many.len()),
            }
        }
    };

    let mut parts: Vec<String> = Vec::new();
    if let Some(a) = &anchor {
        if !a.description.trim().is_empty() {
            parts.push(a.description.trim().to_string());
        }
    }
    match (&anchor, gaps.as_slice()) {
        (_, []) => {}
        (None, [one]) => {
            if !one.description.trim().is_empty() {
                parts.push(one.description.trim().to_string());
            }
        }
        (a, many) => {
            let heading = if a.is_some() {
                "It also closes these requirement gaps:"
            } else {
                "Requirements that nothing accepted covers yet:"
            };
            let lines: Vec<String> = many
                .iter()
                .map(|g| gap_line(&g.source, &g.description))
                .collect();
            parts.push(format!("{heading}\n{}", lines.join("\n")));
        }
    }
    if !controls.is_empty() {
        let names: Vec<String> = controls.iter().map(ControlRef::display).collect();
        parts.push(format!("Controls and services: {}.", names.join("; ")));
    }

    let mut labels = vec!["crosswalk".to_string()];
    for d in &domains {
        labels.push(d.tag());
    }
    if anchor.is_some() {
        labels.push("readiness-gap".into());
    }
    if !gaps.is_empty() {
        labels.push("requirement-gap".into());
    }

    let key = match (&anchor, gaps.first()) {
        (
            Some(StoryDraft {
                source: StorySource::Readiness { story_id, .. },
                ..
            }),
            _,
        ) => format!("story-{story_id}"),
        (Some(a), _) => format!("story-{}", a.source.key()),
        (None, Some(g)) => format!("gap-{}", g.source.key()),
        (None, None) => String::new(),
    };

    Story {
        key,
        title,
        description: parts.join("\n\n"),
        acceptance_criteria: criteria,
        controls,
        priority: priority.unwrap_or(crate::Priority::Medium),
        domains,
        sources,
        labels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Dimension, Priority, SecurityDomain};

    fn control(r: &str) -> ControlRef {
        let q = QualifiedRef::parse(r).expect("qualified");
        ControlRef {
            title: format!("{} title", q.reference),
            reference: q,
        }
    }

    fn readiness(id: i64, title: &str, controls: &[&str], priority: Priority) -> StoryDraft {
        StoryDraft {
            source: StorySource::Readiness {
                story_id: id,
                domain: SecurityDomain::Iam,
                dimension: Some(Dimension::Tools),
            },
            domain: Some(SecurityDomain::Iam),
            section: None,
            title: title.into(),
            description: format!("{title} description"),
            acceptance_criteria: vec![format!("{title} is done")],
            controls: controls.iter().map(|c| control(c)).collect(),
            priority,
        }
    }

    fn gap(reference: &str, controls: &[&str]) -> StoryDraft {
        gap_in(None, reference, controls)
    }

    fn gap_in(section: Option<&str>, reference: &str, controls: &[&str]) -> StoryDraft {
        StoryDraft {
            source: StorySource::Requirement {
                set: "acme".into(),
                reference: reference.into(),
                title: format!("{reference} title"),
            },
            domain: None,
            section: section.map(str::to_string),
            title: format!("Meet {reference}"),
            description: format!("{reference} text"),
            acceptance_criteria: vec![format!("acme:{reference} is no longer a gap")],
            controls: controls.iter().map(|c| control(c)).collect(),
            priority: Priority::High,
        }
    }

    #[test]
    fn a_readiness_gap_and_a_requirement_gap_on_one_control_make_one_story() {
        let stories = merge_stories(
            vec![readiness(
                7,
                "Enforce root MFA",
                &["ct:ROOT_MFA"],
                Priority::Medium,
            )],
            vec![gap("R-1", &["ct:ROOT_MFA"])],
        );
        assert_eq!(stories.len(), 1, "the shared control makes them one story");
        let s = &stories[0];
        assert_eq!(s.key, "story-7", "the readiness story gives the key");
        assert_eq!(
            s.title, "Enforce root MFA",
            "the consultant's title is kept"
        );
        assert_eq!(s.sources.len(), 2);
        assert_eq!(
            s.priority,
            Priority::High,
            "the more urgent of the two wins"
        );
        assert_eq!(
            s.acceptance_criteria,
            ["Enforce root MFA is done", "acme:R-1 is no longer a gap"],
            "both criteria, the readiness story's first"
        );
        assert!(
            s.description.contains("- acme:R-1: R-1 title"),
            "the description names the requirement it also closes: {}",
            s.description
        );
        assert_eq!(
            s.labels,
            ["crosswalk", "iam", "readiness-gap", "requirement-gap"]
        );
    }

    #[test]
    fn requirement_gaps_sharing_a_control_merge_transitively() {
        let stories = merge_stories(
            Vec::new(),
            vec![
                gap("R-1", &["service:S3", "ct:X"]),
                gap("R-2", &["ct:X", "service:KMS"]),
                gap("R-3", &["service:KMS"]),
                gap("R-4", &["service:GUARDDUTY"]),
                gap("R-5", &[]),
            ],
        );
        let keys: Vec<&str> = stories.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(
            keys,
            ["gap-acme:R-1", "gap-acme:R-4", "gap-acme:R-5"],
            "R-1..R-3 chain through ct:X and KMS; R-4 and R-5 stand alone"
        );
        assert_eq!(stories[0].sources.len(), 3);
        assert_eq!(
            stories[0].title, "Put X title in place for 3 requirements",
            "named after the control most of its gaps share"
        );
        assert_eq!(
            stories[2].title, "Meet R-5",
            "a lone gap keeps its own title"
        );
    }

    #[test]
    fn two_readiness_stories_on_one_control_stay_two_and_the_gap_joins_the_first() {
        let stories = merge_stories(
            vec![
                readiness(
                    1,
                    "Turn GuardDuty on",
                    &["service:GUARDDUTY"],
                    Priority::Medium,
                ),
                readiness(
                    2,
                    "Route findings",
                    &["service:GUARDDUTY"],
                    Priority::Medium,
                ),
            ],
            vec![gap("R-9", &["service:GUARDDUTY"])],
        );
        assert_eq!(
            stories.len(),
            2,
            "each readiness story is a decision of its own"
        );
        let with_gap: Vec<&str> = stories
            .iter()
            .filter(|s| s.sources.len() == 2)
            .map(|s| s.key.as_str())
            .collect();
        assert_eq!(
            with_gap,
            ["story-1"],
            "the gap is listed once, with the first story"
        );
    }

    #[test]
    fn a_gap_bridging_a_readiness_story_and_a_gap_group_pulls_the_group_in() {
        let stories = merge_stories(
            vec![readiness(
                3,
                "Central logging",
                &["service:CLOUDTRAIL"],
                Priority::Low,
            )],
            vec![
                gap("R-1", &["service:CLOUDWATCH"]),
                gap("R-2", &["service:CLOUDWATCH", "service:CLOUDTRAIL"]),
            ],
        );
        assert_eq!(
            stories.len(),
            1,
            "R-2 links R-1's group to the readiness story"
        );
        let keys: Vec<String> = stories[0].sources.iter().map(|s| s.key()).collect();
        assert_eq!(keys, ["readiness:iam/tools", "acme:R-1", "acme:R-2"]);
    }

    #[test]
    fn the_backlog_is_ordered_most_urgent_first() {
        let stories = merge_stories(
            vec![
                readiness(1, "Low one", &[], Priority::Low),
                readiness(2, "Urgent one", &[], Priority::Highest),
            ],
            vec![gap("R-1", &[])],
        );
        let titles: Vec<&str> = stories.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["Urgent one", "Meet R-1", "Low one"]);
    }

    #[test]
    fn gaps_of_different_sections_make_one_story_per_section() {
        let stories = merge_stories(
            vec![readiness(
                4,
                "Central audit trail",
                &["service:CLOUDTRAIL"],
                Priority::Medium,
            )],
            vec![
                gap_in(Some("Identity — part 1"), "IAM-1", &["service:IAM"]),
                gap_in(Some("Logging"), "LOG-1", &["service:IAM", "ct:X"]),
                gap_in(Some("Identity — part 1"), "IAM-2", &["service:IAM", "ct:X"]),
                gap_in(Some("Logging"), "LOG-2", &["ct:X"]),
                gap_in(Some("Identity — part 2"), "IAM-3", &["service:IAM"]),
                // A readiness story still closes the gaps of any section that need its control.
                gap_in(Some("Logging"), "LOG-3", &["service:CLOUDTRAIL"]),
                gap_in(Some("Identity — part 2"), "IAM-4", &["service:CLOUDTRAIL"]),
            ],
        );
        let summary: Vec<(String, Vec<String>)> = stories
            .iter()
            .map(|s| (s.title.clone(), s.sources.iter().map(|x| x.key()).collect()))
            .collect();
        let expected: Vec<(String, Vec<String>)> = [
            (
                "Central audit trail",
                vec!["readiness:iam/tools", "acme:LOG-3", "acme:IAM-4"],
            ),
            (
                "Put IAM title in place for 2 requirements of Identity — part 1",
                vec!["acme:IAM-1", "acme:IAM-2"],
            ),
            (
                "Put X title in place for 2 requirements of Logging",
                vec!["acme:LOG-1", "acme:LOG-2"],
            ),
            ("Meet IAM-3", vec!["acme:IAM-3"]),
        ]
        .iter()
        .map(|(t, k)| (t.to_string(), k.iter().map(|s| s.to_string()).collect()))
        .collect();
        assert_eq!(summary, expected);
    }
}
