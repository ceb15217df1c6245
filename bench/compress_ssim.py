"""SSIM of each tool's outputs against a reference made from the fully decoded original
(Pillow decode, EXIF transpose, Lanczos resize to the output's own size). SSIM as Wang et al.
define it: on luma (ITU-R 601), Gaussian window sigma 1.5, via scikit-image; also the mean over
R, G, B for comparison. Usage: compress_ssim.py CORPUS_DIR NAME=OUTDIR...
Prints one line per tool: NAME luma_mean luma_min count rgb_mean"""
import os
import sys

import numpy as np
from PIL import Image, ImageOps
from skimage.metrics import structural_similarity


def load_rgb(path):
    with Image.open(path) as im:
        return ImageOps.exif_transpose(im).convert("RGB")


def ssim(a, b, channel_axis=None):
    return structural_similarity(a, b, channel_axis=channel_axis, data_range=255, gaussian_weights=True,
                                 sigma=1.5, use_sample_covariance=False)


def main():
    corpus = sys.argv[1]
    tools = [a.split("=", 1) for a in sys.argv[2:]]
    originals = sorted(f for f in os.listdir(corpus) if f.lower().endswith(".jpg"))
    scores = {name: [] for name, _ in tools}
    rgb = {name: [] for name, _ in tools}
    for f in originals:
        full = load_rgb(os.path.join(corpus, f))
        stem = os.path.splitext(f)[0]
        refs = {}
        for name, outdir in tools:
            out_path = os.path.join(outdir, stem + ".jpg")
            if not os.path.exists(out_path):
                continue
            out = load_rgb(out_path)
            if out.size not in refs:
                refs[out.size] = full.resize(out.size, Image.LANCZOS)
            ref = refs[out.size]
            scores[name].append(ssim(np.asarray(ref.convert("L")), np.asarray(out.convert("L"))))
            rgb[name].append(ssim(np.asarray(ref), np.asarray(out), channel_axis=2))
    for name, _ in tools:
        v = scores[name]
        print(f"{name} {np.mean(v):.4f} {np.min(v):.4f} {len(v)} {np.mean(rgb[name]):.4f}")


if __name__ == "__main__":
    main()
