//! Recording accepted mappings from a requirement to catalogue items (or other requirements).

use crate::error::Result;
use crate::refs::{resolve, Want};
use crosswalk_domain::{FrameworkKind, MappingStatus, Origin, Relationship, Responsibility};
use crosswalk_store::{Actor, Engagement, ItemRef, MappingChange, MappingInput};
use serde::Serialize;
use std::path::Path;

/// `map REQ TARGET...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapRequest {
    /// `REF` or `SET:REF`.
    pub requirement: String,
    /// `REF`, `FRAMEWORK:REF` or `SET:REF` each.
    pub targets: Vec<String>,
    /// Default: subset-of, "the target does all the requirement asks".
    pub relationship: Option<Relationship>,
    /// Default: from the target's kind (landing-zone control → inherited, service → workload).
    pub responsibility: Option<Responsibility>,
    pub rationale: Option<String>,
}

/// One recorded mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappedTarget {
    #[serde(rename = "ref")]
    pub reference: String,
    pub kind: crosswalk_domain::TargetKind,
    pub title: String,
    pub relationship: Relationship,
    pub responsibility: Option<Responsibility>,
    pub change: MappingChange,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MapReport {
    pub requirement: String,
    pub mappings: Vec<MappedTarget>,
    /// Ends of the mapping gone from their latest source (removed by a re-import, or dropped
    /// from the catalogue): the mapping is recorded, but it is worth a second look.
    pub warnings: Vec<String>,
}

/// Who usually carries a control of this kind, when the consultant does not say.
pub(crate) fn default_responsibility(kind: FrameworkKind) -> Option<Responsibility> {
    match kind {
        FrameworkKind::LzControls => Some(Responsibility::Inherited),
        FrameworkKind::Services => Some(Responsibility::Workload),
        FrameworkKind::Caf | FrameworkKind::Standard | FrameworkKind::Requirements => None,
    }
}

fn mapped(target: &ItemRef, input: &MappingInput, change: MappingChange) -> MappedTarget {
    MappedTarget {
        reference: target.qualified().to_string(),
        kind: target.kind.target_kind(),
        title: target.title.clone(),
        relationship: input.relationship,
        responsibility: input.responsibility,
        change,
    }
}

/// Records accepted, manual mappings from one requirement to each target, in one transaction.
/// Every ref is resolved first: one unknown or ambiguous ref and nothing is written. The
/// engagement file must exist (there would be no requirement to map otherwise).
pub fn map(db: &Path, actor: &Actor, request: &MapRequest) -> Result<MapReport> {
    let mut e = Engagement::open(db, actor, crate::shipped_catalogue())?;
    let requirement = resolve(&e, &request.requirement, Want::Requirement)?;
    let targets = request
        .targets
        .iter()
        .map(|t| resolve(&e, t, Want::Target))
        .collect::<Result<Vec<_>>>()?;
    let relationship = request.relationship.unwrap_or(Relationship::SubsetOf);
    let inputs: Vec<MappingInput> = targets
        .iter()
        .map(|t| MappingInput {
            source: requirement.id,
            target: t.id,
            relationship,
            responsibility: request
                .responsibility
                .or_else(|| default_responsibility(t.kind)),
            status: MappingStatus::Accepted,
            rationale: request.rationale.clone().unwrap_or_default(),
            origin: Origin::Manual,
        })
        .collect();
    let changes = e.put_mappings(actor, &inputs)?;
    e.close()?;
    let warnings = std::iter::once(&requirement)
        .chain(&targets)
        .filter(|i| i.removed)
        .map(|i| {
            format!(
                "{} is no longer in the latest {} of '{}'; the mapping is kept with it",
                i.qualified(),
                if i.shipped { "catalogue" } else { "import" },
                i.framework
            )
        })
        .collect();
    Ok(MapReport {
        warnings,
        requirement: requirement.qualified().to_string(),
        mappings: targets
            .iter()
            .zip(&inputs)
            .zip(changes)
            .map(|((t, i), c)| mapped(t, i, c))
            .collect(),
    })
}
