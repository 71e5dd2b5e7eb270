"""A solution of the cnn/conv-as-matrix exercise, checked; then each known mistake's diagnosis."""
import torch

import dlref.exercises


def conv_matrix(Fw, H, W):
    """The matrix M with vec(conv2d(X, F)) = M vec(X), vec flattening (channel, row, column) row-major.

    Fw: (C_out, C_in, k, k); H, W: the input's height and width (stride 1, no padding).
    Return {"M": (C_out·(H−k+1)·(W−k+1), C_in·H·W)}.
    """
    C_out, C_in, k, _ = Fw.shape
    Ho, Wo = H - k + 1, W - k + 1
    M = torch.zeros(C_out, Ho, Wo, C_in, H, W, dtype=Fw.dtype)
    for i in range(Ho):
        for j in range(Wo):
            M[:, i, j, :, i:i + k, j:j + k] = Fw  # output (o, i, j) reads the window at (i, j)
    return {"M": M.reshape(C_out * Ho * Wo, C_in * H * W)}


report = dlref.exercises.check("cnn/conv-as-matrix", conv_matrix)
assert report.passed
print(dlref.exercises.verify_catalogue("cnn/conv-as-matrix"))
