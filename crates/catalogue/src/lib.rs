//! The shipped reference catalogue: loads and validates the files under data/catalogue.
//!
//! The shipped files are embedded at compile time, so the binary needs no data folder. Framework
//! ids in qualified refs: `service`, `caf`, `ct`, `scp`, `config`, `fsbp`, `nist`, `wa`, `msr`
//! (see `data/catalogue/README.md` for each one's source and caveats).

mod error;
mod load;
mod profiles;
mod search;

pub use error::CatalogueError;
pub use load::{is_version, version_numbers, MANIFEST};
pub use profiles::{parse_profiles, LandingZoneProfile, PROFILES_FILE};
pub use search::{search, SearchHit};

use crosswalk_domain::{Catalogue, CatalogueLink, QualifiedRef};
use std::path::Path;
use std::sync::OnceLock;

/// The shipped files, by the names the manifest uses. Keep in step with `catalogue.toml`
/// (a test fails when a listed file is missing here).
const SHIPPED_FILES: &[(&str, &str)] = &[
    (
        MANIFEST,
        include_str!("../../../data/catalogue/catalogue.toml"),
    ),
    (
        "service.toml",
        include_str!("../../../data/catalogue/service.toml"),
    ),
    ("caf.toml", include_str!("../../../data/catalogue/caf.toml")),
    ("ct.toml", include_str!("../../../data/catalogue/ct.toml")),
    ("scp.toml", include_str!("../../../data/catalogue/scp.toml")),
    (
        "config.toml",
        include_str!("../../../data/catalogue/config.toml"),
    ),
    (
        "fsbp.toml",
        include_str!("../../../data/catalogue/fsbp.toml"),
    ),
    (
        "nist.toml",
        include_str!("../../../data/catalogue/nist.toml"),
    ),
    ("wa.toml", include_str!("../../../data/catalogue/wa.toml")),
    ("msr.toml", include_str!("../../../data/catalogue/msr.toml")),
];

const SHIPPED_PROFILES: &str = include_str!("../../../data/catalogue/profiles.toml");

/// The catalogue shipped with this build, parsed once.
///
/// The embedded files are checked by this crate's tests, so a build that passed them always
/// loads; a failure here is a packaging bug, not bad user input.
pub fn shipped() -> &'static Catalogue {
    static SHIPPED: OnceLock<Catalogue> = OnceLock::new();
    SHIPPED.get_or_init(|| {
        load_shipped().unwrap_or_else(|e| panic!("the embedded catalogue is invalid: {e}"))
    })
}

/// The landing-zone profile presets shipped with this build, resolved against [`shipped`].
pub fn shipped_profiles() -> &'static [LandingZoneProfile] {
    static PROFILES: OnceLock<Vec<LandingZoneProfile>> = OnceLock::new();
    PROFILES.get_or_init(|| {
        parse_profiles(PROFILES_FILE, SHIPPED_PROFILES, shipped())
            .unwrap_or_else(|e| panic!("the embedded profiles are invalid: {e}"))
    })
}

/// One shipped preset by id.
pub fn shipped_profile(id: &str) -> Option<&'static LandingZoneProfile> {
    shipped_profiles().iter().find(|p| p.id == id)
}

/// Parses the embedded files without caching, reporting errors instead of panicking.
pub fn load_shipped() -> Result<Catalogue, CatalogueError> {
    let manifest = shipped_file(MANIFEST)?;
    load::assemble(manifest, |name| shipped_file(name).map(str::to_string))
}

fn shipped_file(name: &str) -> Result<&'static str, CatalogueError> {
    SHIPPED_FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
        .ok_or_else(|| CatalogueError::Invalid {
            file: MANIFEST.to_string(),
            entry: format!("framework file '{name}'"),
            line: None,
            message: "listed, but not embedded in this build".to_string(),
        })
}

/// Loads and validates a catalogue folder laid out like `data/catalogue`: `catalogue.toml`
/// names the version and the framework files. A `.toml` file in the folder that the manifest
/// does not list is an error (a forgotten framework would otherwise vanish silently), except
/// `profiles.toml`.
pub fn load_dir(dir: &Path) -> Result<Catalogue, CatalogueError> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path).map_err(|source| CatalogueError::Io { path, source })
    };
    let manifest = read(MANIFEST)?;
    let mut listed = Vec::new();
    let catalogue = load::assemble(&manifest, |name| {
        listed.push(name.to_string());
        read(name)
    })?;
    let entries = std::fs::read_dir(dir).map_err(|source| CatalogueError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| CatalogueError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".toml")
            && name != MANIFEST
            && name != PROFILES_FILE
            && !listed.contains(&name)
        {
            return Err(CatalogueError::Invalid {
                file: name,
                entry: "file".to_string(),
                line: None,
                message: format!("a framework file that {MANIFEST} does not list"),
            });
        }
    }
    Ok(catalogue)
}

/// Reads `profiles.toml` from a catalogue folder and resolves it against `catalogue`.
pub fn load_profiles(
    dir: &Path,
    catalogue: &Catalogue,
) -> Result<Vec<LandingZoneProfile>, CatalogueError> {
    let path = dir.join(PROFILES_FILE);
    let text = std::fs::read_to_string(&path).map_err(|source| CatalogueError::Io {
        path: path.clone(),
        source,
    })?;
    parse_profiles(PROFILES_FILE, &text, catalogue)
}

/// The shipped links that touch `item`, in either direction.
pub fn links_of<'a>(
    catalogue: &'a Catalogue,
    item: &'a QualifiedRef,
) -> impl Iterator<Item = &'a CatalogueLink> + 'a {
    catalogue
        .links
        .iter()
        .filter(move |l| &l.from == item || &l.to == item)
}

/// What differs between two catalogues, item by item: the input a store needs to upgrade an
/// engagement (new items to add, changed ones to refresh, removed ones to mark withdrawn).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogueChanges {
    pub added: Vec<QualifiedRef>,
    /// Items whose title, text, parent, details flag or attributes differ.
    pub changed: Vec<QualifiedRef>,
    pub removed: Vec<QualifiedRef>,
    pub links_added: usize,
    pub links_removed: usize,
}

/// Compares an older catalogue with a newer one. Lists follow catalogue order (the newer one for
/// added and changed items, the older one for removed items).
pub fn changes(old: &Catalogue, new: &Catalogue) -> CatalogueChanges {
    use crosswalk_domain::CatalogueItem;
    use std::collections::{HashMap, HashSet};
    fn index(c: &Catalogue) -> HashMap<QualifiedRef, &CatalogueItem> {
        c.frameworks
            .iter()
            .flat_map(|fw| {
                fw.items
                    .iter()
                    .map(|i| (QualifiedRef::new(&fw.id, &i.reference), i))
            })
            .collect()
    }
    let (before, after) = (index(old), index(new));
    let mut out = CatalogueChanges::default();
    for fw in &new.frameworks {
        for item in &fw.items {
            let r = QualifiedRef::new(&fw.id, &item.reference);
            match before.get(&r) {
                None => out.added.push(r),
                Some(previous) if *previous != item => out.changed.push(r),
                Some(_) => {}
            }
        }
    }
    for fw in &old.frameworks {
        for item in &fw.items {
            let r = QualifiedRef::new(&fw.id, &item.reference);
            if !after.contains_key(&r) {
                out.removed.push(r);
            }
        }
    }
    let key = |l: &CatalogueLink| (l.from.clone(), l.to.clone(), l.relationship);
    let old_links: HashSet<_> = old.links.iter().map(key).collect();
    let new_links: HashSet<_> = new.links.iter().map(key).collect();
    out.links_added = new_links.difference(&old_links).count();
    out.links_removed = old_links.difference(&new_links).count();
    out
}
