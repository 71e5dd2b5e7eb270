"""Networks with their derivations in code: modules whose backward pass is written by hand."""

from dlref.nn.deep import ACTIVATIONS, DeepMLP, activation, activation_derivative
from dlref.nn.mlp import MLP

__all__ = ["ACTIVATIONS", "DeepMLP", "MLP", "activation", "activation_derivative"]
