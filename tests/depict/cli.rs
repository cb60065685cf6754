//! The `textchem layout` command: JSON lines in the layout_metrics.py format.

use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn layout_command_writes_one_record_per_line() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_textchem"))
        .args(["layout", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"CCO ethanol\nC1CC broken\n\nc1ccccc1\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["id"], "ethanol");
    assert_eq!(lines[0]["atoms"].as_array().unwrap().len(), 3);
    assert_eq!(lines[0]["bonds"][1], serde_json::json!([1, 2]));
    assert!(lines[0]["t_layout"].as_f64().unwrap() >= 0.0);
    assert_eq!(lines[1]["id"], "broken");
    assert!(lines[1]["error"].as_str().unwrap().contains("ring"));
    // No id: named by its line number, as layout_metrics.py does.
    assert_eq!(lines[2]["id"], "3");
}
