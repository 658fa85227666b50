//! Landing-zone profile presets: which landing-zone controls a typical landing zone has on.

use crate::error::{line_of, CatalogueError};
use crate::load::is_version;
use crosswalk_domain::{Catalogue, FrameworkKind, QualifiedRef};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use toml::Spanned;

/// The file that holds the presets, next to the framework files.
pub const PROFILES_FILE: &str = "profiles.toml";

/// A preset of enabled landing-zone controls, resolved against a catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LandingZoneProfile {
    pub id: String,
    pub name: String,
    /// What the preset stands for, in plain words.
    pub text: String,
    /// The profile it starts from, if any; its controls are included in `controls`.
    pub extends: Option<String>,
    /// Every enabled control, in catalogue order, without duplicates. Only `lz_controls` items.
    pub controls: Vec<QualifiedRef>,
}

impl LandingZoneProfile {
    pub fn enables(&self, r: &QualifiedRef) -> bool {
        self.controls.contains(r)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfilesFile {
    version: Spanned<String>,
    #[serde(default)]
    profile: Vec<Spanned<ProfileEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileEntry {
    id: String,
    name: String,
    #[serde(default)]
    text: String,
    extends: Option<String>,
    /// Explicit controls as `FRAMEWORK:REF`.
    #[serde(default)]
    enable: Vec<String>,
    /// Controls chosen by framework and, optionally, an attribute value.
    #[serde(default)]
    select: Vec<Selector>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Selector {
    framework: String,
    /// With no attribute, the selector takes every item of the framework.
    attribute: Option<String>,
    #[serde(default)]
    values: Vec<String>,
}

/// Reads profile presets and resolves them against `catalogue`. Unknown controls, controls that
/// are not landing-zone controls, unknown or cyclic `extends` and duplicate ids are errors.
pub fn parse_profiles(
    file: &str,
    text: &str,
    catalogue: &Catalogue,
) -> Result<Vec<LandingZoneProfile>, CatalogueError> {
    let parsed: ProfilesFile = toml::from_str(text).map_err(|e| CatalogueError::parse(file, e))?;
    if !is_version(parsed.version.get_ref()) {
        return Err(CatalogueError::invalid(
            file,
            "version",
            Some(line_of(text, parsed.version.span().start)),
            format!(
                "'{}' is not a version of the form MAJOR.MINOR.PATCH",
                parsed.version.get_ref()
            ),
        ));
    }
    let mut by_id: HashMap<String, (usize, ProfileEntry)> = HashMap::new();
    let mut order = Vec::new();
    for spanned in parsed.profile {
        let line = line_of(text, spanned.span().start);
        let entry = spanned.into_inner();
        if entry.id.trim().is_empty() || entry.name.trim().is_empty() {
            return Err(CatalogueError::invalid(
                file,
                format!("profile '{}'", entry.id),
                Some(line),
                "id and name must not be empty",
            ));
        }
        if let Some((first, _)) = by_id.get(&entry.id) {
            return Err(CatalogueError::invalid(
                file,
                format!("profile '{}'", entry.id),
                Some(line),
                format!("duplicate profile id, first defined at line {first}"),
            ));
        }
        order.push(entry.id.clone());
        by_id.insert(entry.id.clone(), (line, entry));
    }

    let mut resolved: HashMap<String, Vec<QualifiedRef>> = HashMap::new();
    let mut out = Vec::new();
    for id in &order {
        let controls = resolve(file, id, &by_id, catalogue, &mut resolved, &mut Vec::new())?;
        let (_, entry) = &by_id[id];
        out.push(LandingZoneProfile {
            id: entry.id.clone(),
            name: entry.name.clone(),
            text: entry.text.clone(),
            extends: entry.extends.clone(),
            controls,
        });
    }
    Ok(out)
}

fn resolve(
    file: &str,
    id: &str,
    by_id: &HashMap<String, (usize, ProfileEntry)>,
    catalogue: &Catalogue,
    done: &mut HashMap<String, Vec<QualifiedRef>>,
    stack: &mut Vec<String>,
) -> Result<Vec<QualifiedRef>, CatalogueError> {
    if let Some(controls) = done.get(id) {
        return Ok(controls.clone());
    }
    let (line, entry) = &by_id[id];
    let label = format!("profile '{id}'");
    let err = |message: String| CatalogueError::invalid(file, &label, Some(*line), message);
    if stack.iter().any(|s| s == id) {
        return Err(err(format!(
            "'extends' loops: {} -> {id}",
            stack.join(" -> ")
        )));
    }
    stack.push(id.to_string());

    let mut wanted: HashSet<QualifiedRef> = HashSet::new();
    if let Some(base) = &entry.extends {
        if !by_id.contains_key(base) {
            return Err(err(format!(
                "extends '{base}', which is not a profile in this file"
            )));
        }
        wanted.extend(resolve(file, base, by_id, catalogue, done, stack)?);
    }
    for text in &entry.enable {
        let r = QualifiedRef::parse(text)
            .ok_or_else(|| err(format!("'{text}' is not FRAMEWORK:REF")))?;
        let (fw, _) = catalogue
            .item(&r)
            .ok_or_else(|| err(format!("enables {r}, which is not in the catalogue")))?;
        if fw.kind != FrameworkKind::LzControls {
            return Err(err(format!(
                "enables {r}, but framework '{}' holds no landing-zone controls",
                fw.id
            )));
        }
        wanted.insert(r);
    }
    for selector in &entry.select {
        let fw = catalogue.framework(&selector.framework).ok_or_else(|| {
            err(format!(
                "selects from framework '{}', which is not in the catalogue",
                selector.framework
            ))
        })?;
        if fw.kind != FrameworkKind::LzControls {
            return Err(err(format!(
                "selects from framework '{}', which holds no landing-zone controls",
                fw.id
            )));
        }
        if selector.attribute.is_some() && selector.values.is_empty() {
            return Err(err(format!(
                "the selector on '{}' names an attribute but no values",
                fw.id
            )));
        }
        let before = wanted.len();
        for item in &fw.items {
            let hit = match &selector.attribute {
                None => true,
                Some(a) => item
                    .attributes
                    .get(a)
                    .is_some_and(|v| selector.values.iter().any(|w| w == v)),
            };
            if hit {
                wanted.insert(QualifiedRef::new(&fw.id, &item.reference));
            }
        }
        if wanted.len() == before && !fw.items.is_empty() {
            // A selector that matches nothing is almost always a misspelt attribute or value.
            return Err(err(format!(
                "the selector on '{}' matches no control that is not already enabled",
                fw.id
            )));
        }
    }

    // Catalogue order keeps the list stable and readable.
    let mut controls = Vec::with_capacity(wanted.len());
    for fw in &catalogue.frameworks {
        for item in &fw.items {
            let r = QualifiedRef::new(&fw.id, &item.reference);
            if wanted.contains(&r) {
                controls.push(r);
            }
        }
    }
    stack.pop();
    done.insert(id.to_string(), controls.clone());
    Ok(controls)
}
