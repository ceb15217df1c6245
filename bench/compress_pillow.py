"""The usual Python way of making a web-sized JPEG (the baseline the compressor is measured
against): Pillow, EXIF transpose, Lanczos thumbnail to 1600, quality 80, optimised Huffman.
Usage: compress_pillow.py OUTDIR MAX_EDGE QUALITY FILE..."""
import os
import sys

from PIL import Image, ImageOps


def main():
    out, edge, quality, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
    for f in files:
        with Image.open(f) as im:
            im = ImageOps.exif_transpose(im)
            im.thumbnail((edge, edge), Image.LANCZOS)
            if im.mode not in ("RGB", "L"):
                im = im.convert("RGB")
            stem = os.path.splitext(os.path.basename(f))[0]
            im.save(os.path.join(out, stem + ".jpg"), quality=quality, optimize=True)


if __name__ == "__main__":
    main()
