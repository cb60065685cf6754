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

#[test]
fn draw_command_writes_svg_and_png_and_explains_bad_input() {
    let dir = std::env::temp_dir().join(format!("textchem-draw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_textchem"))
            .arg("draw")
            .args(args)
            .output()
            .unwrap()
    };
    let svg = dir.join("aspirin.svg");
    let out = run(&["CC(=O)Oc1ccccc1C(=O)O", "-o", svg.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));
    let png = dir.join("rxn.png");
    let out = run(&["CCO.CC(=O)O>[H+]>CCOC(C)=O", "-o", png.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    let out = run(&["C1CC", "-o", svg.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("SMILES"));
    let out = run(&["CCO", "-o", dir.join("x.gif").to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains(".svg or .png"));
    std::fs::remove_dir_all(&dir).ok();
}
