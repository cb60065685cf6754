//! The module arrows `lib.rs` promises, checked against the source: every `crate::<module>`
//! reference under `src/<module>` must point down the layering, so no two modules import
//! each other.

use std::collections::BTreeSet;
use std::path::Path;

/// Top-level modules, lowest first: a module may use only modules before it.
const LAYERS: [&str; 9] = [
    "chem", "depict", "export", "model", "eval", "gpu", "runtime", "app", "cli",
];

fn references_in(dir: &Path, found: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            references_in(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, _) in text.match_indices("crate::") {
                let name: String = text[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                found.insert(name);
            }
        }
    }
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut upward = vec![];
    for (level, module) in LAYERS.iter().enumerate() {
        let mut used = BTreeSet::new();
        references_in(&src.join(module), &mut used);
        for other in used {
            match LAYERS.iter().position(|m| *m == other) {
                Some(l) if l > level => upward.push(format!("{module} uses {other}")),
                _ => {}
            }
        }
    }
    assert!(upward.is_empty(), "upward references: {upward:?}");
}
