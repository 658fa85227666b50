//! Loading rejects broken catalogue folders with an error that names the file and the entry.

use crosswalk_catalogue::{load_dir, load_profiles, CatalogueError};
use std::fs;
use std::path::Path;

const MANIFEST: &str = "version = \"2.1.0\"\nframeworks = [\"svc.toml\", \"std.toml\"]\n";

const SVC: &str = r#"
[framework]
id = "svc"
name = "Services"
kind = "services"
version = "1.0.0"
provenance = "test"

[[item]]
ref = "KMS"
title = "Key Management"
text = "Keys."
[item.attributes]
category = "data_protection"

[[item]]
ref = "S3"
title = "Object storage"
"#;

const STD: &str = r#"
[framework]
id = "std"
name = "A standard"
kind = "lz_controls"
version = "1.0.0"
provenance = "test"

[[item]]
ref = "A"
title = "Family A"

[[item]]
ref = "A-1"
title = "Control A-1"
parent = "A"

[[link]]
from = "std:A-1"
to = "svc:KMS"
relationship = "subset-of"
note = "test"
"#;

fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        fs::write(dir.path().join(name), text).expect("write test file");
    }
    dir
}

fn valid_with(name: &str, text: &str) -> tempfile::TempDir {
    let mut files = vec![
        ("catalogue.toml", MANIFEST),
        ("svc.toml", SVC),
        ("std.toml", STD),
    ];
    files.retain(|(n, _)| *n != name);
    files.push((name, text));
    folder(&files)
}

fn error_of(dir: &Path) -> String {
    match load_dir(dir) {
        Ok(_) => panic!("the folder should have been rejected"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_valid_folder_loads_with_its_version_items_and_links() {
    let dir = valid_with("std.toml", STD);
    let c = load_dir(dir.path()).expect("valid folder");
    assert_eq!(c.version, "2.1.0");
    assert_eq!(c.frameworks.len(), 2);
    assert_eq!(c.links.len(), 1);
    let kms = &c.frameworks[0].items[0];
    assert_eq!(kms.attributes.get("category"), Some("data_protection"));
    assert!(
        kms.details_published,
        "details are published unless a file says otherwise"
    );
    assert_eq!(c.frameworks[1].items[1].parent.as_deref(), Some("A"));
}

#[test]
fn an_unknown_field_is_rejected_with_the_file_name() {
    let dir = valid_with(
        "svc.toml",
        &SVC.replace("text = \"Keys.\"", "text = \"Keys.\"\nseverity = \"HIGH\""),
    );
    let e = error_of(dir.path());
    assert!(e.starts_with("svc.toml:"), "{e}");
    assert!(
        e.contains("severity"),
        "the message names the unknown field: {e}"
    );
}

#[test]
fn a_duplicate_ref_names_the_entry_and_both_lines() {
    let dir = valid_with("svc.toml", &SVC.replace("ref = \"S3\"", "ref = \"KMS\""));
    let e = error_of(dir.path());
    assert!(e.starts_with("svc.toml: item 'KMS' (line 16)"), "{e}");
    assert!(e.contains("first defined at line 9"), "{e}");
}

#[test]
fn a_dangling_link_names_the_missing_target() {
    let dir = valid_with("std.toml", &STD.replace("svc:KMS", "svc:EC2"));
    let e = error_of(dir.path());
    assert!(e.starts_with("std.toml: link 'std:A-1 -> svc:EC2'"), "{e}");
    assert!(e.contains("svc:EC2, which is not in the catalogue"), "{e}");
}

#[test]
fn a_link_must_live_in_the_file_of_its_source_framework() {
    let dir = valid_with(
        "std.toml",
        &STD.replace("from = \"std:A-1\"", "from = \"svc:S3\""),
    );
    let e = error_of(dir.path());
    assert!(
        e.contains("link 'svc:S3 -> svc:KMS'") && e.contains("'std'"),
        "{e}"
    );
}

#[test]
fn a_duplicate_link_is_rejected() {
    let twice = format!(
        "{STD}\n[[link]]\nfrom = \"std:A-1\"\nto = \"svc:KMS\"\nrelationship = \"equivalent\"\n"
    );
    let dir = valid_with("std.toml", &twice);
    assert!(error_of(dir.path()).contains("duplicate link"));
}

#[test]
fn an_unknown_relationship_is_a_parse_error() {
    let dir = valid_with("std.toml", &STD.replace("subset-of", "part-of"));
    let e = error_of(dir.path());
    assert!(e.starts_with("std.toml:") && e.contains("part-of"), "{e}");
}

#[test]
fn versions_must_be_major_minor_patch() {
    let dir = valid_with("catalogue.toml", &MANIFEST.replace("2.1.0", "2.1"));
    assert!(error_of(dir.path()).starts_with("catalogue.toml: version (line 1)"));
    let dir = valid_with(
        "svc.toml",
        &SVC.replace("version = \"1.0.0\"", "version = \"June 2023\""),
    );
    let e = error_of(dir.path());
    assert!(
        e.starts_with("svc.toml: framework 'svc'") && e.contains("June 2023"),
        "{e}"
    );
}

#[test]
fn a_missing_parent_and_a_parent_loop_are_rejected() {
    let dir = valid_with("std.toml", &STD.replace("parent = \"A\"", "parent = \"B\""));
    let e = error_of(dir.path());
    assert!(e.contains("item 'A-1'") && e.contains("parent 'B'"), "{e}");
    let looped = STD.replace(
        "title = \"Family A\"",
        "title = \"Family A\"\nparent = \"A-1\"",
    );
    let dir = valid_with("std.toml", &looped);
    assert!(error_of(dir.path()).contains("loops back"));
}

#[test]
fn a_framework_file_the_manifest_forgot_is_an_error() {
    let dir = valid_with("extra.toml", &SVC.replace("\"svc\"", "\"extra\""));
    let e = error_of(dir.path());
    assert!(
        e.starts_with("extra.toml:") && e.contains("does not list"),
        "{e}"
    );
}

#[test]
fn a_listed_file_that_is_missing_names_its_path() {
    let dir = folder(&[("catalogue.toml", MANIFEST), ("svc.toml", SVC)]);
    let e = load_dir(dir.path()).expect_err("std.toml is missing");
    assert!(
        matches!(&e, CatalogueError::Io { path, .. } if path.ends_with("std.toml")),
        "{e}"
    );
}

#[test]
fn a_framework_id_must_match_its_file_name() {
    let dir = valid_with(
        "svc.toml",
        &SVC.replace("id = \"svc\"", "id = \"services\""),
    );
    assert!(error_of(dir.path()).contains("services.toml"));
}

#[test]
fn profiles_enable_only_existing_landing_zone_controls() {
    let dir = valid_with("std.toml", STD);
    let c = load_dir(dir.path()).expect("valid folder");
    let good =
        "version = \"1.0.0\"\n[[profile]]\nid = \"p\"\nname = \"P\"\nenable = [\"std:A-1\"]\n";
    fs::write(dir.path().join("profiles.toml"), good).expect("write");
    let profiles = load_profiles(dir.path(), &c).expect("valid profiles");
    assert_eq!(profiles[0].controls.len(), 1);

    for (bad, expected) in [
        ("enable = [\"std:Z-9\"]", "std:Z-9, which is not in the catalogue"),
        ("enable = [\"svc:KMS\"]", "holds no landing-zone controls"),
        ("extends = \"q\"", "extends 'q'"),
        ("[[profile.select]]\nframework = \"std\"\nattribute = \"guidance\"\nvalues = [\"mandatory\"]", "matches no control"),
    ] {
        let text = format!("version = \"1.0.0\"\n[[profile]]\nid = \"p\"\nname = \"P\"\n{bad}\n");
        fs::write(dir.path().join("profiles.toml"), text).expect("write");
        let e = load_profiles(dir.path(), &c).expect_err(bad).to_string();
        assert!(e.starts_with("profiles.toml: profile 'p' (line 2)"), "{e}");
        assert!(e.contains(expected), "{bad}: {e}");
    }
}

#[test]
fn changes_between_two_versions_list_added_changed_and_removed_items() {
    let old_dir = valid_with("std.toml", STD);
    let newer_std = STD
        .replace(
            "title = \"Control A-1\"",
            "title = \"Control A-1, reworded\"",
        )
        .replace(
            "[[link]]",
            "[[item]]\nref = \"A-2\"\ntitle = \"New control\"\nparent = \"A\"\n\n[[link]]",
        );
    let newer_svc = SVC.replace(
        "ref = \"S3\"\ntitle = \"Object storage\"",
        "ref = \"EC2\"\ntitle = \"Compute\"",
    );
    let new_dir = folder(&[
        ("catalogue.toml", &MANIFEST.replace("2.1.0", "3.0.0")),
        ("svc.toml", &newer_svc),
        ("std.toml", &newer_std),
    ]);
    let old = load_dir(old_dir.path()).expect("old version");
    let new = load_dir(new_dir.path()).expect("new version");
    let diff = crosswalk_catalogue::changes(&old, &new);
    let names =
        |v: &[crosswalk_domain::QualifiedRef]| v.iter().map(|r| r.to_string()).collect::<Vec<_>>();
    assert_eq!(names(&diff.added), ["svc:EC2", "std:A-2"]);
    assert_eq!(
        names(&diff.changed),
        ["std:A-1"],
        "only the reworded title changed"
    );
    assert_eq!(
        names(&diff.removed),
        ["svc:S3"],
        "S3 disappeared upstream and must be marked withdrawn"
    );
    assert_eq!((diff.links_added, diff.links_removed), (0, 0));
    assert_eq!(
        crosswalk_catalogue::changes(&new, &new),
        Default::default(),
        "a catalogue equals itself"
    );
}

#[test]
fn attributes_keep_the_order_they_are_written_in() {
    let dir = valid_with(
        "svc.toml",
        &SVC.replace(
            "category = \"data_protection\"",
            "zeta = \"1\"\ncategory = \"data_protection\"\nalpha = \"2\"",
        ),
    );
    let c = load_dir(dir.path()).expect("valid folder");
    let keys: Vec<&str> = c.frameworks[0].items[0]
        .attributes
        .iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        keys,
        ["zeta", "category", "alpha"],
        "file order, not sorted"
    );
}
