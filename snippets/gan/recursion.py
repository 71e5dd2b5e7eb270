"""The layer recursion in D, the gradient reaching G through D's first layer, and ∇θ_g — against autograd."""
import torch

from dlref import check

torch.manual_seed(2)
n, k, m, K1, K2 = 5, 4, 3, 6, 5  # batch, data dim, noise dim, D's hidden widths
f64 = dict(dtype=torch.float64)
X, Z = torch.randn(n, k, **f64), torch.randn(n, m, **f64)
W1, W2, W3 = torch.randn(K1, k, **f64), torch.randn(K2, K1, **f64), torch.randn(1, K2, **f64)  # D, no biases
Wg1, Wg2 = torch.randn(K1, m, **f64), torch.randn(k, K1, **f64)  # G: G(z) = W_g² tanh(W_g¹ z)
g = {1: torch.tanh, 2: torch.nn.functional.softplus}  # g_d^1, g_d^2
dg = {1: lambda z: 1 - torch.tanh(z) ** 2, 2: torch.sigmoid}  # their derivatives


def D_forward(x, W1, W2, W3):
    """Rows are samples: z^l = A^{l−1} (W^l)ᵀ, A^l = g^l(z^l); returns the z's and A's."""
    z1 = x @ W1.T  # (n, k)(k, K1) → (n, K1)
    z2 = g[1](z1) @ W2.T  # (n, K1)(K1, K2) → (n, K2)
    z3 = g[2](z2) @ W3.T  # (n, K2)(K2, 1) → (n, 1)
    return {1: z1, 2: z2, 3: z3}, {0: x, 1: g[1](z1), 2: g[2](z2)}


def L_from(l, z_real, z_fake, W1=W1, W2=W2, W3=W3):
    """L evaluated from layer l's pre-activations upward (l = 1, 2, 3)."""
    W = {1: W1, 2: W2, 3: W3}

    def up(z):
        for j in range(l, 3):
            z = g[j](z) @ W[j + 1].T  # (n, K_j)(K_j, K_{j+1}) → (n, K_{j+1})
        return z[:, 0]

    return (torch.log(torch.sigmoid(up(z_real))) + torch.log(1 - torch.sigmoid(up(z_fake)))).mean()


def G_forward(Z, Wg1, Wg2):
    u = Z @ Wg1.T  # (n, m)(m, K1) → (n, K1)
    return u, torch.tanh(u) @ Wg2.T  # (n, K1)(K1, k) → (n, k)


u, G = G_forward(Z, Wg1, Wg2)
zr, Ar = D_forward(X, W1, W2, W3)
zf, Af = D_forward(G, W1, W2, W3)

# Output layer: δ^L = (1 − D(X^i))/n for real rows, −D(G(Z^i))/n for fake rows.
delta_r = {3: (1 - torch.sigmoid(zr[3])) / n}
delta_f = {3: -torch.sigmoid(zf[3]) / n}
W = {1: W1, 2: W2, 3: W3}
for l in (2, 1):  # δ^l = (W^{l+1})ᵀ δ^{l+1} ⊙ g'(z^l); rows: δ^l = (δ^{l+1} W^{l+1}) ⊙ g'(z^l)
    delta_r[l] = (delta_r[l + 1] @ W[l + 1]) * dg[l](zr[l])  # (n, K_{l+1})(K_{l+1}, K_l) → (n, K_l)
    delta_f[l] = (delta_f[l + 1] @ W[l + 1]) * dg[l](zf[l])

for l in (3, 2, 1):
    check.check_gradients(lambda zr_l, zf_l, l=l: L_from(l, zr_l, zf_l), {"zr_l": zr[l], "zf_l": zf[l]},
                          {"zr_l": delta_r[l], "zf_l": delta_f[l]}, finite_difference_tol=None,
                          labels={"zr_l": f"δ^{l} real", "zf_l": f"δ^{l} fake"})

# ∇W^l = Σ_i δ^l_i (A^{l−1}_i)ᵀ over real and fake samples.
grad_W = {l: delta_r[l].T @ Ar[l - 1] + delta_f[l].T @ Af[l - 1] for l in (1, 2, 3)}  # (K_l, n)(n, K_{l−1})
check.check_gradients(lambda W1, W2, W3: L_from(1, X @ W1.T, G @ W1.T, W1, W2, W3),
                      {"W1": W1, "W2": W2, "W3": W3}, {f"W{l}": grad_W[l] for l in (1, 2, 3)},
                      finite_difference_tol=None, labels={f"W{l}": f"∇W_d^{l}" for l in (1, 2, 3)})

# Into the generator: ∂L/∂G_i = (W_d^1)ᵀ δ^1(G_i); rows: δ^1_fake W^1.
dL_dG = delta_f[1] @ W1  # (n, K1)(K1, k) → (n, k)
check.check_gradients(lambda G: L_from(1, X @ W1.T, G @ W1.T), {"G": G}, {"G": dL_dG},
                      finite_difference_tol=None, labels={"G": "∂L/∂G(Z^i)"})

# ∇θ_g L = Σ_i (∂G_i/∂θ_g)ᵀ ∂L/∂G_i — a sum, no extra 1/n (δ already carries it).
grad_Wg2 = dL_dG.T @ torch.tanh(u)  # (k, n)(n, K1) → (k, K1)
grad_Wg1 = ((dL_dG @ Wg2) * (1 - torch.tanh(u) ** 2)).T @ Z  # (K1, n)(n, m) → (K1, m)


def L_of_G(Wg1, Wg2):
    return L_from(1, X @ W1.T, G_forward(Z, Wg1, Wg2)[1] @ W1.T)


check.check_gradients(L_of_G, {"Wg1": Wg1, "Wg2": Wg2}, {"Wg1": grad_Wg1, "Wg2": grad_Wg2},
                      labels={"Wg1": "∇W_g^1", "Wg2": "∇W_g^2"})
