//! CSV export of exchanges: one row per ranked result, RFC 4180 quoting, so the file opens
//! cleanly in LibreOffice and pandas.

use std::fmt::Write;

/// The header every export starts with, in this order.
pub const HEADER: [&str; 13] = [
    "timestamp",
    "task",
    "input",
    "rank",
    "output",
    "valid",
    "canonical_smiles",
    "formula",
    "average_mass",
    "score",
    "model",
    "status",
    "error",
];

/// One exported row; `None` fields are written as empty cells.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Row {
    pub timestamp: String,
    pub task: String,
    pub input: String,
    pub rank: Option<usize>,
    pub output: String,
    pub valid: Option<bool>,
    pub canonical_smiles: Option<String>,
    pub formula: Option<String>,
    pub average_mass: Option<f64>,
    pub score: Option<f32>,
    pub model: Option<String>,
    /// Where the exchange stands: local, running, done, failed, cancelled.
    pub status: String,
    /// Why the exchange or this result failed.
    pub error: Option<String>,
}

/// A field quoted as RFC 4180 requires: fields holding a comma, a quote, CR or LF are wrapped in
/// double quotes with inner quotes doubled; others are written as they are.
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The whole document: header and rows, each line ended by CRLF (RFC 4180).
pub fn to_csv(rows: &[Row]) -> String {
    let mut out = String::new();
    out.push_str(&HEADER.join(","));
    out.push_str("\r\n");
    for r in rows {
        let cells = [
            field(&r.timestamp),
            field(&r.task),
            field(&r.input),
            r.rank.map(|k| k.to_string()).unwrap_or_default(),
            field(&r.output),
            r.valid.map(|v| v.to_string()).unwrap_or_default(),
            field(r.canonical_smiles.as_deref().unwrap_or("")),
            field(r.formula.as_deref().unwrap_or("")),
            r.average_mass
                .map(|m| format!("{m:.3}"))
                .unwrap_or_default(),
            r.score.map(|s| format!("{s:.4}")).unwrap_or_default(),
            field(r.model.as_deref().unwrap_or("")),
            field(&r.status),
            field(r.error.as_deref().unwrap_or("")),
        ];
        let _ = write!(out, "{}\r\n", cells.join(","));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_quotes_or_newlines_are_quoted_and_quotes_doubled() {
        assert_eq!(field("CCO"), "CCO");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn rows_follow_the_header_with_empty_cells_for_missing_values() {
        let rows = [Row {
            timestamp: "2026-11-25T09:00:00Z".into(),
            task: "caption".into(),
            input: "CCO".into(),
            rank: Some(1),
            output: "The molecule is ethanol, a primary alcohol.".into(),
            valid: None,
            canonical_smiles: Some("CCO".into()),
            formula: Some("C2H6O".into()),
            average_mass: Some(46.069),
            score: Some(-0.25),
            model: None,
            status: "done".into(),
            error: None,
        }];
        let csv = to_csv(&rows);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "timestamp,task,input,rank,output,valid,canonical_smiles,formula,average_mass,score,model,\
             status,error"
        );
        assert_eq!(
            lines[1],
            "2026-11-25T09:00:00Z,caption,CCO,1,\"The molecule is ethanol, a primary alcohol.\",,CCO,C2H6O,46.069,-0.2500,,done,"
        );
        assert_eq!(lines[2], "");
    }
}
