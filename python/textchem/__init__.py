"""textchem from Python: molecular properties, canonical SMILES, 2D drawings and the
Text+Chem T5 model runtime, computed by textchem's Rust core with the GIL released.

>>> import textchem
>>> textchem.canonical("OCC")
'CCO'
>>> textchem.props(["CCO ethanol"])[0]["formula"]
'C2H6O'

See docs/python.md in the textchem repository.
"""

from ._native import PROPS_COLUMNS, Model, canonical, draw, props

__all__ = ["Model", "PROPS_COLUMNS", "canonical", "draw", "props"]
