//! The known Text+Chem T5 checkpoints (`models/catalogue.json`, compiled in).

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CatalogueEntry {
    /// Short name used on the command line, e.g. `base-augm`.
    pub name: String,
    pub hub_id: String,
    /// The revision holding the weights (base-augm's safetensors only exist on `refs/pr/1`).
    pub revision: String,
    /// The weights file that revision ships.
    pub weights: String,
    pub shape: String,
    pub approx_size_mb: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Catalogue {
    pub default: String,
    pub models: Vec<CatalogueEntry>,
}

impl Catalogue {
    pub fn builtin() -> Catalogue {
        serde_json::from_str(include_str!("../../models/catalogue.json"))
            .expect("models/catalogue.json is checked by the catalogue tests")
    }

    /// The entry with this short name or hub id.
    pub fn find(&self, name_or_id: &str) -> Option<&CatalogueEntry> {
        self.models
            .iter()
            .find(|m| m.name == name_or_id || m.hub_id == name_or_id)
    }

    pub fn default_entry(&self) -> &CatalogueEntry {
        self.find(&self.default)
            .expect("the catalogue's default names one of its models")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_the_four_gt4sd_checkpoints_with_a_valid_default() {
        let catalogue = Catalogue::builtin();
        assert_eq!(catalogue.models.len(), 4);
        for size in ["small", "base"] {
            for data in ["standard", "augm"] {
                let id = format!("GT4SD/multitask-text-and-chemistry-t5-{size}-{data}");
                let entry = catalogue.find(&id).unwrap();
                assert_eq!(catalogue.find(&entry.name), Some(entry));
                assert!(
                    ["model.safetensors", "pytorch_model.bin"].contains(&entry.weights.as_str())
                );
            }
        }
        assert_eq!(catalogue.find("base-augm").unwrap().revision, "refs/pr/1");
        assert_eq!(catalogue.default_entry().name, catalogue.default);
    }
}
