"""Draw the till's icon: installers/assets/loyalty-pos.png (256 px) and loyalty-pos.ico.

    .venv/bin/python installers/assets/make_icons.py

The PNG goes into the Linux tarball (desktop entry) and the frozen app; the ICO is the Windows
executable's and installer's icon. Both are committed; run this only to change the drawing.
"""

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SIZE = 256
GREEN, DARK, GOLD = (21, 128, 61), (12, 74, 36), (250, 204, 21)


def draw() -> Image.Image:
    scale = 4  # draw large, shrink: smooth edges without an anti-aliasing library
    big = SIZE * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((8 * scale, 8 * scale, big - 8 * scale, big - 8 * scale),
                          radius=48 * scale, fill=GREEN, outline=DARK, width=6 * scale)
    # a loyalty card with a barcode ...
    pen.rounded_rectangle((40 * scale, 70 * scale, 216 * scale, 186 * scale),
                          radius=14 * scale, fill=(255, 255, 255))
    x = 56
    for width in (4, 2, 6, 2, 4, 8, 2, 4, 2, 6, 4, 2, 6, 2, 4):
        pen.rectangle((x * scale, 140 * scale, (x + width) * scale, 172 * scale), fill=DARK)
        x += width + 4
    # ... and a gold point coin on it
    pen.ellipse((150 * scale, 82 * scale, 200 * scale, 132 * scale), fill=GOLD,
                outline=(161, 98, 7), width=4 * scale)
    return image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def main() -> None:
    image = draw()
    image.save(HERE / "loyalty-pos.png")
    image.save(HERE / "loyalty-pos.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48),
                                                (64, 64), (128, 128), (256, 256)])
    print(f"wrote {HERE / 'loyalty-pos.png'} and {HERE / 'loyalty-pos.ico'}")


if __name__ == "__main__":
    main()
