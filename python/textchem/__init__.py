"""textchem from Python: molecular properties, canonical SMILES, InChI, fingerprints and
similarity, SMARTS matching, 2D drawings, the papers' evaluation metrics and the Text+Chem T5
model runtime, computed by textchem's Rust core with the GIL released.

>>> import textchem
>>> textchem.canonical("OCC")
'CCO'
>>> textchem.props(["CCO ethanol"])[0]["formula"]
'C2H6O'
>>> textchem.match("[OX2H]", ["OCCO", "CC"])
[2, 0]

See docs/python.md in the textchem repository.
"""

from ._native import (
    PROPS_COLUMNS,
    Model,
    canonical,
    draw,
    evaluate,
    fingerprint,
    inchi,
    match,
    props,
    similar,
    tanimoto,
)

__all__ = [
    "Model",
    "PROPS_COLUMNS",
    "canonical",
    "draw",
    "evaluate",
    "fingerprint",
    "inchi",
    "match",
    "props",
    "similar",
    "tanimoto",
]
