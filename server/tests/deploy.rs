//! The systemd unit in `deploy/`, as operators install it: systemd itself reads it without a
//! complaint (`systemd-analyze verify`, with `ExecStart` pointed at this build's binary) and
//! rates its sandbox (`systemd-analyze security --offline`) as exposing little.

use std::process::Command;

const SERVER: &str = env!("CARGO_BIN_EXE_trackline-server");
const UNIT: &str = include_str!("../../deploy/trackline.service");

/// The highest exposure accepted, on systemd's scale from 0 (all locked) to 10 ("UNSAFE").
const MOST_EXPOSURE: f64 = 2.0;

/// The unit, its binary this build's, written where systemd-analyze can read it.
fn unit_file() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("trackline-unit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a folder");
    let path = dir.join("trackline.service");
    assert!(UNIT.contains("ExecStart=/usr/local/bin/trackline-server "));
    std::fs::write(
        &path,
        UNIT.replace("/usr/local/bin/trackline-server", SERVER),
    )
    .expect("the unit is written");
    path
}

fn systemd_analyze(args: &[&str]) -> std::process::Output {
    Command::new("systemd-analyze")
        .args(args)
        .output()
        .expect("systemd-analyze runs (cargo xtask setup installs systemd)")
}

#[test]
fn systemd_reads_the_unit_without_a_complaint() {
    let unit = unit_file();
    let checked = systemd_analyze(&["verify", &unit.to_string_lossy()]);
    let complaints = String::from_utf8_lossy(&checked.stderr);
    assert!(checked.status.success(), "{complaints}");
    assert!(
        !complaints.contains("trackline.service"),
        "systemd complains about the unit: {complaints}"
    );
}

#[test]
fn the_units_sandbox_exposes_little() {
    let unit = unit_file();
    let rated = systemd_analyze(&["security", "--offline=yes", &unit.to_string_lossy()]);
    let report = String::from_utf8_lossy(&rated.stdout);
    let exposure = report
        .lines()
        .find_map(|line| line.split_once("Overall exposure level for trackline.service:"))
        .and_then(|(_, rest)| rest.split_whitespace().next()?.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("no exposure in: {report}"));
    assert!(
        exposure <= MOST_EXPOSURE,
        "exposure {exposure} > {MOST_EXPOSURE}:\n{report}"
    );
}
