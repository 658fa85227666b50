//! Crash safety of the engagement file, through the real `crosswalk` binary: an import killed
//! with SIGKILL at many random points leaves a file that opens, passes `PRAGMA integrity_check`
//! and holds either the state before the import or the whole import; two processes writing one
//! file at once both succeed or one is refused with a clear "busy" message, never corruption.
//!
//! Set CROSSWALK_CRASH_SEED to replay the kill points of an earlier run (it is printed).

use crosswalk_bench::generate;
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The `crosswalk` binary of this build profile, built if needed (a no-op when it is fresh;
/// `cargo test` at the root has built it already).
fn cli() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().expect("test binary path");
        // target/<profile>/deps/crash_safety-… → target/<profile>
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>")
            .to_path_buf();
        let mut build = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        build.current_dir(crosswalk_bench::workspace_root()).args([
            "build",
            "-q",
            "-p",
            "crosswalk-cli",
            "--bin",
            "crosswalk",
        ]);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            build.arg("--release");
        }
        let status = build.status().expect("starting cargo build");
        assert!(status.success(), "building the crosswalk binary failed");
        let bin = profile_dir.join("crosswalk");
        assert!(bin.is_file(), "{} was not built", bin.display());
        bin
    })
}

fn crosswalk(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(cli());
    c.arg("--db").arg(db).args(args);
    c.stdin(Stdio::null());
    c
}

fn run_ok(db: &Path, args: &[&str]) -> Output {
    let out = crosswalk(db, args).output().expect("running crosswalk");
    assert!(
        out.status.success(),
        "crosswalk {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A generated requirement sheet of `rows` rows as CSV in `dir`.
fn sheet(dir: &Path, name: &str, rows: usize) -> PathBuf {
    let path = dir.join(name);
    let bytes = generate::csv(&generate::requirements(rows)).expect("generating");
    std::fs::write(&path, bytes).expect("writing the sheet");
    path
}

/// Row count of every table, the state an import either changes entirely or not at all.
type State = BTreeMap<String, i64>;

/// Opens the file as a user would next (recovering the WAL), checks its integrity, and returns
/// its state.
fn check(db: &Path) -> Result<State, Box<dyn std::error::Error>> {
    let conn = Connection::open(db)?;
    let integrity: Vec<String> = conn
        .prepare("PRAGMA integrity_check")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    assert_eq!(integrity, ["ok"], "{} is damaged", db.display());
    let fk: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })?;
    assert_eq!(fk, 0, "foreign keys broken in {}", db.display());
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut state = State::new();
    for t in tables {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))?;
        state.insert(t, n);
    }
    // Counts alone miss a re-import killed half way through updating rows in place: the
    // requirements' content is part of the state too.
    let content: String = conn.query_row(
        "SELECT coalesce(group_concat(f.key || '|' || i.ref || '|' || i.title || '|' || i.text
                                      || '|' || i.removed,
                                      char(10)), '')
         FROM (SELECT * FROM items ORDER BY framework_id, ref) i
         JOIN frameworks f ON f.id = i.framework_id
         WHERE f.kind = 'requirements'",
        [],
        |r| r.get(0),
    )?;
    state.insert(format!("content:{:016x}", fnv(content.as_bytes())), 0);
    drop(conn);
    // And the application agrees: the audit chain verifies.
    crosswalk_api::engagement_summary(db)?;
    Ok(state)
}

/// FNV-1a, enough to tell two contents apart in a state.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// SplitMix64, seeded from the clock unless CROSSWALK_CRASH_SEED is set.
struct Rng(u64);
impl Rng {
    fn new() -> Rng {
        let seed = std::env::var("CROSSWALK_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
            });
        eprintln!("kill points from CROSSWALK_CRASH_SEED={seed}");
        Rng(seed)
    }
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Runs `args` against a copy of `before_db` (or against no file when `before_db` is `None`),
/// killing it with SIGKILL at `kills` random points spread over the time a whole run takes and
/// a little past it (the commit and the check-point at the end matter most). Each killed file
/// must hold `before` or `after` exactly; every few kills the same command, run again on the
/// killed file, must complete it. Returns how many kills left the old state and the new one.
fn kill_at_random_points(
    dir: &Path,
    label: &str,
    before_db: Option<&Path>,
    args: &[&str],
    kills: usize,
) -> Result<(usize, usize), Box<dyn std::error::Error>> {
    let fresh = |name: String| -> Result<PathBuf, Box<dyn std::error::Error>> {
        let db = dir.join(name);
        if let Some(b) = before_db {
            std::fs::copy(b, &db)?;
        }
        Ok(db)
    };
    let state_of = |db: &Path| -> Result<Option<State>, Box<dyn std::error::Error>> {
        if db.exists() {
            Ok(Some(check(db)?))
        } else {
            Ok(None)
        }
    };
    let before = match before_db {
        Some(b) => Some(check(b)?),
        None => None,
    };
    let after_db = fresh(format!("{label}-after.crosswalk"))?;
    let t = Instant::now();
    run_ok(&after_db, args);
    let full = t.elapsed();
    let after = check(&after_db)?;
    assert_ne!(
        before.as_ref(),
        Some(&after),
        "{label}: the command changes the file"
    );

    let mut rng = Rng::new();
    let (mut old, mut new) = (0, 0);
    for i in 0..kills {
        let db = fresh(format!("{label}-killed-{i}.crosswalk"))?;
        let at = full.mul_f64(1.1 * rng.unit());
        let mut child = crosswalk(&db, args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        std::thread::sleep(at);
        let _ = child.kill(); // SIGKILL; it may have finished already
        child.wait()?;
        let state = state_of(&db)?;
        if state == before {
            old += 1;
        } else if state.as_ref() == Some(&after) {
            new += 1;
        } else {
            panic!(
                "{label}: killed after {at:?}: the file holds part of the change\nbefore {before:?}\nafter {after:?}\nfound {state:?}"
            );
        }
        // The file stays usable: the same command, run again, completes it.
        if i % 4 == 3 {
            run_ok(&db, args);
            let again = check(&db)?;
            assert_eq!(
                again.get("items"),
                after.get("items"),
                "{label}: run again after a kill"
            );
        }
    }
    eprintln!("{label}: a run of {full:?}: {old} kills left the old state, {new} the whole change");
    Ok((old, new))
}

#[test]
fn an_import_killed_at_any_point_leaves_the_old_state_or_the_whole_import() -> TestResult {
    let dir = tempfile::tempdir()?;
    let small = sheet(dir.path(), "first.csv", 40);
    let big = sheet(dir.path(), "large.csv", 1_000);

    // The state before: an engagement holding one small set.
    let before_db = dir.path().join("before.crosswalk");
    run_ok(&before_db, &["import", path(&small), "--set", "first"]);
    let before = check(&before_db)?;
    let probe = dir.path().join("probe.crosswalk");
    std::fs::copy(&before_db, &probe)?;
    run_ok(&probe, &["import", path(&big), "--set", "large"]);
    assert_eq!(
        check(&probe)?["items"] - before["items"],
        1_000,
        "every row of the sheet became a requirement"
    );

    kill_at_random_points(
        dir.path(),
        "new-set",
        Some(&before_db),
        &["import", path(&big), "--set", "large"],
        12,
    )?;
    Ok(())
}

#[test]
fn a_reimport_killed_while_updating_rows_leaves_the_old_rows_or_all_new_ones() -> TestResult {
    let dir = tempfile::tempdir()?;
    let base = sheet(dir.path(), "v1.csv", 1_000);
    let before_db = dir.path().join("v1.crosswalk");
    run_ok(&before_db, &["import", path(&base), "--set", "reqs"]);

    // The next version of the same sheet: every third requirement reworded, the last 100 gone
    // (300 of the 900 kept are reworded).
    let mut sections = generate::requirements(1_000);
    let mut n = 0;
    for section in &mut sections {
        for row in &mut section.rows {
            if n % 3 == 0 {
                row.cells[3].push_str(" (revised in version 2)");
            }
            n += 1;
        }
    }
    let mut left = 900;
    for section in &mut sections {
        let keep = section.rows.len().min(left);
        section.rows.truncate(keep);
        left -= keep;
    }
    sections.retain(|s| !s.rows.is_empty());
    let v2 = dir.path().join("v2.csv");
    std::fs::write(&v2, generate::csv(&sections)?)?;

    let check_after = dir.path().join("probe.crosswalk");
    std::fs::copy(&before_db, &check_after)?;
    let out = run_ok(&check_after, &["import", path(&v2), "--set", "reqs"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("300 changed") && text.contains("100 removed"),
        "the second version changes and removes rows: {text}"
    );

    kill_at_random_points(
        dir.path(),
        "reimport",
        Some(&before_db),
        &["import", path(&v2), "--set", "reqs"],
        10,
    )?;
    Ok(())
}

#[test]
fn a_first_import_killed_at_any_point_leaves_no_file_or_a_whole_engagement() -> TestResult {
    let dir = tempfile::tempdir()?;
    let big = sheet(dir.path(), "large.csv", 1_000);
    // The engagement file is made by the import itself: killed early, there must be no file
    // (not one that every later command refuses as "not an engagement"); killed late, the
    // whole import.
    let (none, whole) = kill_at_random_points(
        dir.path(),
        "first-import",
        None,
        &["import", path(&big), "--set", "large"],
        12,
    )?;
    assert_eq!(none + whole, 12);
    Ok(())
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

/// Whether a refused writer said clearly that the file was busy.
fn refused_as_busy(out: &Output) -> bool {
    let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
    out.status.code() == Some(1) && (err.contains("busy") || err.contains("in use"))
}

#[test]
fn two_processes_writing_one_file_both_succeed_or_one_is_told_it_is_busy() -> TestResult {
    let dir = tempfile::tempdir()?;
    let a = sheet(dir.path(), "a.csv", 700);
    let b = sheet(dir.path(), "b.csv", 500);
    let base = dir.path().join("base.crosswalk");
    run_ok(&base, &["import", path(&b), "--set", "base"]);
    for round in 0..2 {
        let db = dir.path().join(format!("shared-{round}.crosswalk"));
        std::fs::copy(&base, &db)?;
        // Round 0: two imports into different sets; round 1: an import and a suggest accepting
        // mappings on the set already there.
        let first = crosswalk(&db, &["import", path(&a), "--set", "one"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let second_args: Vec<&str> = if round == 0 {
            vec!["import", path(&b), "--set", "two"]
        } else {
            vec!["suggest", "--set", "base", "--accept-above", "0.5"]
        };
        let second = crosswalk(&db, &second_args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let first = first.wait_with_output()?;
        let second = second.wait_with_output()?;
        for (what, out) in [("import one", &first), (second_args[0], &second)] {
            assert!(
                out.status.success() || refused_as_busy(out),
                "round {round}: {what} neither succeeded nor said the file was busy: {}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let state = check(&db)?;
        let conn = Connection::open(&db)?;
        let sets: i64 = conn.query_row(
            "SELECT count(*) FROM frameworks WHERE kind = 'requirements'",
            [],
            |r| r.get(0),
        )?;
        let second_import = round == 0 && second.status.success();
        let expected_sets = 1 + i64::from(first.status.success()) + i64::from(second_import);
        assert_eq!(sets, expected_sets, "round {round}: {state:?}");
        let items: i64 = conn.query_row(
            "SELECT count(*) FROM items i JOIN frameworks f ON f.id = i.framework_id
             WHERE f.kind = 'requirements'",
            [],
            |r| r.get(0),
        )?;
        let expected_items = 500
            + if first.status.success() { 700 } else { 0 }
            + if second_import { 500 } else { 0 };
        assert_eq!(items, expected_items, "round {round}");
        if round == 1 && second.status.success() {
            let mappings: i64 =
                conn.query_row("SELECT count(*) FROM mappings", [], |r| r.get(0))?;
            assert!(mappings > 0, "the suggest run accepted mappings");
        }
    }
    Ok(())
}

#[test]
fn a_reader_during_an_import_sees_the_old_state_or_the_new_one() -> TestResult {
    let dir = tempfile::tempdir()?;
    let big = sheet(dir.path(), "large.csv", 800);
    let db = dir.path().join("read-while-writing.crosswalk");
    run_ok(
        &db,
        &[
            "import",
            path(&sheet(dir.path(), "s.csv", 10)),
            "--set",
            "s",
        ],
    );
    let mut child = crosswalk(&db, &["import", path(&big), "--set", "large"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = std::collections::BTreeSet::new();
    while child.try_wait()?.is_none() && Instant::now() < deadline {
        let out = crosswalk(&db, &["list", "--json"]).output()?;
        assert!(
            out.status.success() || refused_as_busy(&out),
            "a reader failed during an import: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if out.status.success() {
            let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
            seen.insert(v["requirements"].as_array().map_or(0, Vec::len));
        }
    }
    assert!(child.wait()?.success());
    for n in &seen {
        assert!(
            *n == 10 || *n == 810,
            "a reader saw {n} requirements: part of an import"
        );
    }
    Ok(())
}
