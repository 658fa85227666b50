//! Records exchanged between layers: what an importer produces, what the catalogue holds.

use crate::{FrameworkKind, Relationship};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

/// Every source column that has no role of its own, in source order, as (header, value).
/// An import keeps all of them: nothing from a source row is dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "indexmap_like::Pairs")]
pub struct Attributes(pub Vec<(String, String)>);

impl Attributes {
    pub fn get(&self, header: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(h, _)| h == header)
            .map(|(_, v)| v.as_str())
    }

    pub fn push(&mut self, header: impl Into<String>, value: impl Into<String>) {
        self.0.push((header.into(), value.into()));
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(h, v)| (h.as_str(), v.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Serialised as a JSON object `{header: value}` in source order.
impl Serialize for Attributes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (h, v) in &self.0 {
            map.serialize_entry(h, v)?;
        }
        map.end()
    }
}

mod indexmap_like {
    use serde::de::{MapAccess, Visitor};
    use serde::{Deserialize, Deserializer};
    use std::fmt;

    pub struct Pairs(Vec<(String, String)>);

    impl<'de> Deserialize<'de> for Pairs {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Pairs;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a map of header to value")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Pairs, A::Error> {
                    let mut out = Vec::new();
                    while let Some((k, v)) = m.next_entry::<String, String>()? {
                        out.push((k, v));
                    }
                    Ok(Pairs(out))
                }
            }
            d.deserialize_map(V)
        }
    }

    impl From<Pairs> for super::Attributes {
        fn from(p: Pairs) -> Self {
            super::Attributes(p.0)
        }
    }
}

/// The role an importer gave a source column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnRole {
    Id,
    Title,
    Text,
    Section,
    Parent,
    /// Kept as an attribute.
    Attribute,
}

/// One column of an imported sheet, as reported to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnInfo {
    /// 0-based column index in the sheet.
    pub index: u32,
    pub header: String,
    pub role: ColumnRole,
    /// Why the importer gave the column this role (header name, content, explicit choice).
    #[serde(default)]
    pub reason: String,
}

/// What an importer found in one sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetReport {
    pub name: String,
    /// 1-based, as in Excel.
    pub header_row: u32,
    pub columns: Vec<ColumnInfo>,
    /// Requirement rows taken from this sheet.
    pub rows: u32,
    /// How the sheet and its header row were chosen, and rows skipped on purpose.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// One requirement as read from a customer sheet, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedRequirement {
    /// The normalised ref, unique within the set.
    #[serde(rename = "ref")]
    pub reference: String,
    /// The id exactly as written in the source, when it differs from `reference`
    /// or when `reference` was generated.
    pub source_ref: Option<String>,
    /// True when the source row had no id and `reference` was generated from its content.
    pub generated_ref: bool,
    pub title: String,
    pub text: String,
    pub section: Option<String>,
    /// The ref of the parent requirement in the same set.
    pub parent: Option<String>,
    pub sheet: String,
    /// 1-based row in the source sheet.
    pub row: u32,
    pub attributes: Attributes,
    /// True when the source marks the requirement withdrawn; it is kept, not dropped.
    #[serde(default)]
    pub withdrawn: bool,
}

/// A warning about the input that did not stop the import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportWarning {
    pub sheet: Option<String>,
    /// 1-based row, when the warning is about one row.
    pub row: Option<u32>,
    /// The column header, when the warning is about one column.
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(sheet) = &self.sheet {
            write!(f, "sheet '{sheet}'")?;
            if let Some(row) = self.row {
                write!(f, ", row {row}")?;
            }
            if let Some(column) = &self.column {
                write!(f, ", column '{column}'")?;
            }
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

/// Everything an importer read from one file, ready to be stored in one transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetImport {
    /// The file name as given (no directory).
    pub file: String,
    /// SHA-256 of the file's bytes, hex.
    pub file_sha256: String,
    pub sheets: Vec<SheetReport>,
    pub requirements: Vec<ImportedRequirement>,
    pub warnings: Vec<ImportWarning>,
    /// Why these sheets were chosen over the others in the file.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Sheets of the same shape that were not imported because they are alternatives to the
    /// chosen one (for example other baselines); pick one with `--sheet`.
    #[serde(default)]
    pub alternative_sheets: Vec<String>,
}

/// A reference to an item of a framework: `framework:REF`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct QualifiedRef {
    pub framework: String,
    #[serde(rename = "ref")]
    pub reference: String,
}

impl QualifiedRef {
    pub fn new(framework: impl Into<String>, reference: impl Into<String>) -> Self {
        QualifiedRef {
            framework: framework.into(),
            reference: reference.into(),
        }
    }

    /// Splits `framework:REF` at the first colon; `None` when there is no framework part.
    pub fn parse(text: &str) -> Option<Self> {
        let (fw, r) = text.split_once(':')?;
        let (fw, r) = (fw.trim(), r.trim());
        (!fw.is_empty() && !r.is_empty()).then(|| QualifiedRef::new(fw, r))
    }
}

impl std::fmt::Display for QualifiedRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.framework, self.reference)
    }
}

/// One item of a shipped framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueItem {
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    /// The description, written for this catalogue. Empty when the source publishes none.
    pub text: String,
    /// Ref of the parent item in the same framework.
    pub parent: Option<String>,
    /// False when the source names the id but publishes no title or details for it.
    pub details_published: bool,
    /// Other facts (severity, behaviour, config rule, …), in a stable order.
    pub attributes: Attributes,
}

/// The sheet of an exported traceability matrix that lists the requirements, and the very hidden
/// sheet that marks a workbook as a Crosswalk matrix (`crosswalk-matrix` writes both). An
/// importer given a matrix as a requirement sheet reads the first, whatever the other sheets'
/// sizes.
pub const MATRIX_SHEET: &str = "Matrix";
pub const MATRIX_INTEGRITY_SHEET: &str = "_crosswalk";

/// What is shown in place of the title of an item whose source names the id but publishes no
/// title or details: the catalogue never invents one.
pub const NO_PUBLISHED_DETAILS: &str = "no published details";

impl CatalogueItem {
    /// The title, or "(no published details)" when the source publishes none.
    pub fn display_title(&self) -> std::borrow::Cow<'_, str> {
        display_title(&self.title, self.details_published)
    }
}

/// The title to show for an item: its own, or "(no published details)" when it has none and its
/// source publishes none.
pub fn display_title(title: &str, details_published: bool) -> std::borrow::Cow<'_, str> {
    if title.trim().is_empty() && !details_published {
        std::borrow::Cow::Owned(format!("({NO_PUBLISHED_DETAILS})"))
    } else {
        std::borrow::Cow::Borrowed(title)
    }
}

/// One shipped framework: services, CAF, landing-zone controls, a standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueFramework {
    /// Short, stable id used in qualified refs (`service`, `caf`, `ct`, `fsbp`, …).
    pub id: String,
    pub name: String,
    pub kind: FrameworkKind,
    pub version: String,
    /// Where the facts come from and the caveats of that source.
    pub provenance: String,
    pub items: Vec<CatalogueItem>,
}

/// A shipped link between two catalogue items ("from *relationship* to").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueLink {
    pub from: QualifiedRef,
    pub to: QualifiedRef,
    pub relationship: Relationship,
    /// Why the link holds, or where it is published.
    pub note: String,
}

/// The whole shipped catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    /// Version of the catalogue as a whole; an engagement records which one it used.
    pub version: String,
    pub frameworks: Vec<CatalogueFramework>,
    pub links: Vec<CatalogueLink>,
}

impl Catalogue {
    pub fn framework(&self, id: &str) -> Option<&CatalogueFramework> {
        self.frameworks.iter().find(|f| f.id == id)
    }

    pub fn item(&self, r: &QualifiedRef) -> Option<(&CatalogueFramework, &CatalogueItem)> {
        let fw = self.framework(&r.framework)?;
        fw.items
            .iter()
            .find(|i| i.reference == r.reference)
            .map(|i| (fw, i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_serialize_as_an_object_in_source_order() {
        let mut a = Attributes::default();
        a.push("Zeta", "1");
        a.push("Alpha", "2");
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(
            json, r#"{"Zeta":"1","Alpha":"2"}"#,
            "source order, not sorted"
        );
        let back: Attributes = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn an_item_without_published_details_is_shown_as_such_never_with_an_invented_title() {
        let mut item = CatalogueItem {
            reference: "MSR.IAM.1".into(),
            title: String::new(),
            text: String::new(),
            parent: None,
            details_published: false,
            attributes: Attributes::default(),
        };
        assert_eq!(item.display_title(), "(no published details)");
        item.details_published = true;
        item.title = "Use MFA".into();
        assert_eq!(item.display_title(), "Use MFA");
        assert_eq!(display_title("Known subject", false), "Known subject");
    }

    #[test]
    fn qualified_refs_split_at_the_first_colon() {
        let q = QualifiedRef::parse("ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED").unwrap();
        assert_eq!(q.framework, "ct");
        assert_eq!(q.reference, "AWS-GR_ROOT_ACCOUNT_MFA_ENABLED");
        assert_eq!(QualifiedRef::parse("acme:R:12").unwrap().reference, "R:12");
        assert_eq!(QualifiedRef::parse("KMS"), None);
        assert_eq!(QualifiedRef::parse(":x"), None);
    }
}
