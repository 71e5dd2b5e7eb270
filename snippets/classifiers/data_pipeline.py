"""What transforms.Normalize does, per channel; the grey-scale variant; dataset sizes from the loaded data."""
import torch
from torchvision import transforms

from dlref import check
from dlref.lab import data

# Normalize((m_1, …, m_C), (s_1, …, s_C)) maps each channel c of an image to (x_c − m_c) / s_c.
torch.manual_seed(0)
img = torch.rand(3, 4, 5)  # (C, H, W) in [0, 1], as ToTensor() returns
out = transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))(img)
check.compare("Normalize(0.5, 0.5) = (x − 0.5)/0.5", out, (img - 0.5) / 0.5, method="formula", tol=1e-6)
print(f"with mean = std = 0.5 the range [0, 1] becomes [{(0 - 0.5) / 0.5:.0f}, {(1 - 0.5) / 0.5:.0f}]")

# Grey images have one channel: one mean and one std. Fashion-MNIST's own statistics:
train = data.fashion_mnist(train=True, transform=transforms.ToTensor())
test = data.fashion_mnist(train=False, transform=transforms.ToTensor())
print(f"\nFashion-MNIST: {len(train)} training and {len(test)} test images of shape {tuple(train[0][0].shape)}")
X = train.data.unsqueeze(1).float() / 255  # (N, 1, 28, 28), what ToTensor gives for every image
mean, std = data.channel_stats(X)
print(f"training-set channel mean {mean.item():.4f}, std {std.item():.4f} → "
      f"transforms.Normalize(({mean.item():.4f},), ({std.item():.4f},))")
Z = transforms.Normalize(mean.tolist(), std.tolist())(X[:2000].squeeze(1)).unsqueeze(1)
print(f"after it, the first 2000 images have mean {Z.mean():.3f} and std {Z.std():.3f}")
# Normalize computes nothing from the data: it applies the numbers it is given, image by image.
Y = transforms.Normalize((0.5,), (0.5,))(X[:2000].squeeze(1))
alone = transforms.Normalize((0.5,), (0.5,))(X[7])  # one image on its own
check.compare("Normalize on one image = on the batch", alone, Y[7:8], method="same image inside the batch", tol=1e-15,
              quiet=True)
check.compare("Normalize(0.5, 0.5) = Normalize((0.5,), (0.5,))", transforms.Normalize(0.5, 0.5)(X[7]), alone,
              method="one-element tuples", tol=1e-15, quiet=True)  # (0.5) is a bare float; it is accepted too
print(f"Normalize((0.5,), (0.5,)) on the same images gives mean {Y.mean():.3f} and std {Y.std():.3f} "
      f"(not 0 and 1), and each image comes out the same alone as in the batch: the transform uses the "
      f"given numbers only, and no statistics of the samples")

# CIFAR-10, the dataset the recipes were written for:
try:
    cifar = data.cifar10(train=True, download=False)
    print(f"\nCIFAR-10: {len(cifar)} training images")
except data.DatasetNotFoundError as err:
    print(f"\nCIFAR-10 is not available on the machine that built this page:\n  {str(err)[:150]}…")
