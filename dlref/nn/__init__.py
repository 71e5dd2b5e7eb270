"""Networks with their derivations in code: modules whose backward pass is written by hand."""

from dlref.nn.mlp import MLP

__all__ = ["MLP"]
