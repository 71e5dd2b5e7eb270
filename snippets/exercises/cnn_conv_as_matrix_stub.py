"""Exercise of cnn/conv-as-matrix: fill in conv_matrix, then run the check."""
import torch

import dlref.exercises


def conv_matrix(Fw, H, W):
    """The matrix M with vec(conv2d(X, F)) = M vec(X), vec flattening
        (channel, row, column) row-major.

    Fw: (C_out, C_in, k, k); H, W: the input's height and width
        (stride 1, no padding).
    Return {"M": (C_out·(H−k+1)·(W−k+1), C_in·H·W)}.
    """
    raise NotImplementedError  # your code here


dlref.exercises.check("cnn/conv-as-matrix", conv_matrix)
