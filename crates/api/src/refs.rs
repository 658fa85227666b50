//! Turning what a user types (`REF`, `SET:REF`, `FRAMEWORK:REF`) into one item.

use crate::error::{ApiError, Result};
use crosswalk_domain::FrameworkKind;
use crosswalk_store::{ItemRef, View};

/// What kind of item a ref must name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    Requirement,
    Target,
}

impl Want {
    fn accepts(self, item: &ItemRef) -> bool {
        match self {
            Want::Requirement => item.kind == FrameworkKind::Requirements,
            Want::Target => true,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Want::Requirement => "requirement",
            Want::Target => "catalogue item or requirement",
        }
    }
}

/// Resolves `text` to exactly one item. `SET:REF` / `FRAMEWORK:REF` always work; a bare `REF`
/// works when only one item has it; otherwise the error lists every candidate.
pub(crate) fn resolve(view: &View, text: &str, want: Want) -> Result<ItemRef> {
    let text = text.trim();
    let mut found = Vec::new();
    if let Some((framework, reference)) = text.split_once(':') {
        found = view.find_items(Some(framework), reference)?;
    }
    // A colon may also be part of a bare ref (`R:12`); fall back to the whole text.
    if found.is_empty() {
        found = view.find_items(None, text)?;
    }
    found.retain(|i| want.accepts(i));
    // Items gone from their latest source only count when nothing current matches.
    if found.iter().any(|i| !i.removed) {
        found.retain(|i| !i.removed);
    }
    match found.len() {
        0 => Err(ApiError::NotFound {
            what: want.noun(),
            text: text.to_string(),
            hint: match want {
                Want::Requirement => "; `crosswalk list` shows the requirements".into(),
                Want::Target => "; `crosswalk catalogue search TEXT` finds catalogue items".into(),
            },
        }),
        1 => Ok(found.remove(0)),
        _ => Err(ApiError::Ambiguous {
            text: text.to_string(),
            candidates: found.iter().map(|i| i.qualified().to_string()).collect(),
        }),
    }
}
