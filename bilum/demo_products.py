"""Product pictures of the demonstration's offerings, drawn from a seed: bilum bags looped in bands of zig-zags and
diamonds, each stitch shaded like yarn, and a kraft bag of Highland arabica with roasted beans before it.

Drawn by the project (see ``bilum.demo_pictures`` for the licence); the label's letters are Pillow's built-in
Aileron (CC0). Nothing is read from a file or the network."""

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from bilum.demo_scenes import fractal_noise, paint, smooth_noise

SIDE = 1200
# Yarn colours: the Highlands' traditional red, yellow, black, green, white, orange and purple, and the bright acrylics
# younger weavers loop.
YARN = {
    "red": (0.70, 0.08, 0.08),
    "yellow": (0.96, 0.74, 0.10),
    "black": (0.09, 0.08, 0.08),
    "green": (0.08, 0.42, 0.22),
    "white": (0.93, 0.90, 0.82),
    "orange": (0.90, 0.42, 0.06),
    "purple": (0.40, 0.14, 0.46),
    "blue": (0.12, 0.30, 0.62),
    "pink": (0.90, 0.30, 0.52),
    "teal": (0.05, 0.55, 0.56),
    "lime": (0.60, 0.75, 0.15),
}
# Bands top to bottom: (share of the height, motif, yarn colours).
CARRY_BAG_BANDS = [
    (0.06, "stripes", ("black", "red")),
    (0.14, "zigzag", ("red", "yellow", "black")),
    (0.05, "stripes", ("black", "white", "black")),
    (0.17, "diamonds", ("green", "yellow", "red")),
    (0.05, "stripes", ("black", "orange", "black")),
    (0.14, "zigzag", ("purple", "white", "purple")),
    (0.06, "checks", ("black", "yellow")),
    (0.17, "diamonds", ("red", "black", "yellow")),
    (0.16, "teeth", ("black", "orange")),
]
_STRIPES = ("pink", "white", "teal", "yellow", "purple", "white", "orange", "lime", "pink", "white", "blue", "yellow")
SHOULDER_BAG_BANDS = [(1 / len(_STRIPES), "stripes", (colour,)) for colour in _STRIPES]


def backdrop(top, bottom) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A studio sweep lit from above: the canvas, and the rows and columns of its pixels."""
    rows, columns = np.mgrid[0:SIDE, 0:SIDE].astype(np.float32)
    fall = (rows / SIDE)[..., None]
    canvas = np.asarray(top, np.float32) * (1 - fall) + np.asarray(bottom, np.float32) * fall
    glow = np.exp(-(((columns - SIDE * 0.45) / (SIDE * 0.5)) ** 2 + ((rows - SIDE * 0.4) / (SIDE * 0.45)) ** 2))
    return canvas * (0.9 + 0.12 * glow[..., None]), rows, columns


def _box(centre: tuple[float, float], reach: tuple[float, float]):
    """The rows and columns within ``reach`` of ``centre``, cut to the picture."""
    top, bottom = max(0, int(centre[1] - reach[1])), min(SIDE, int(centre[1] + reach[1]) + 1)
    left, right = max(0, int(centre[0] - reach[0])), min(SIDE, int(centre[0] + reach[0]) + 1)
    return np.s_[top:bottom, left:right]


def shadow(canvas, rows, columns, centre: tuple[float, float], radii: tuple[float, float], depth: float) -> None:
    box = _box(centre, (radii[0] * 2, radii[1] * 2))
    distance = ((columns[box] - centre[0]) / radii[0]) ** 2 + ((rows[box] - centre[1]) / radii[1]) ** 2
    paint(canvas[box], np.exp(-distance * 2.2) * depth, np.zeros(3, np.float32))


def stitch_light(fx: np.ndarray, fy: np.ndarray) -> np.ndarray:
    """The light on one looped stitch: two slanted lobes of yarn, a V, with a dark hole between stitches."""
    lobes = []
    for centre, angle in ((0.3, 0.55), (0.7, -0.55)):
        dx, dy = fx - centre, fy - 0.5
        along, across = dx * np.cos(angle) + dy * np.sin(angle), -dx * np.sin(angle) + dy * np.cos(angle)
        lobes.append(np.exp(-((along / 0.2) ** 2) - (across / 0.48) ** 2))
    return 0.3 + 0.8 * np.maximum(*lobes)


def _motif(kind: str, colours, across: np.ndarray, down: np.ndarray, band_px: float) -> np.ndarray:
    """Which of the band's colours each stitch is, from its place ``across`` (px) and ``down`` the band (0 to 1)."""
    phase = (across / (band_px * 1.5)) % 1
    tooth = np.abs(2 * phase - 1)
    if kind == "zigzag":
        line = np.abs(down - (0.15 + 0.7 * tooth))
        return np.where(line < 0.13, 1, np.where(line < 0.26, 2, 0))
    if kind == "diamonds":
        reach = np.abs(2 * ((across / (band_px * 1.1)) % 1) - 1) + np.abs(2 * down - 1)
        return np.where(reach < 0.35, 2, np.where(reach < 0.8, 1, 0))
    if kind == "checks":
        return ((across // (band_px / 2)).astype(int) + (down * 2).astype(int)) % 2
    if kind == "teeth":
        return (down > 0.1 + 0.8 * tooth).astype(int)
    return np.minimum((down * len(colours)).astype(int), len(colours) - 1)


def looped_fabric(across: np.ndarray, down: np.ndarray, height: float, bands, stitch: tuple[float, float]):
    """The colour and the light of looped yarn: the pattern read at each stitch's centre, so that every stitch is
    one colour, as when it is looped."""
    width, tall = stitch
    row = np.floor(down / tall)
    shifted = across / width + 0.5 * (row % 2)
    fx, fy = shifted % 1, (down / tall) % 1
    centre_across, centre_down = (np.floor(shifted) + 0.5 - 0.5 * (row % 2)) * width, (row + 0.5) * tall
    colour = np.zeros((*across.shape, 3), np.float32)
    start = 0.0
    for share, kind, names in bands:
        band_px = share * height
        inside = (centre_down >= start) & (centre_down < start + band_px)
        choice = _motif(kind, names, centre_across, (centre_down - start) / band_px, band_px)
        for index, name in enumerate(names):
            colour[inside & (choice == index)] = YARN[name]
        start += band_px
    return colour, stitch_light(fx, fy)


def _half_widths(v: np.ndarray, shape: tuple[float, float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    """A bilum's outline, wider towards the bottom: the body's half width, and the outline's once the bottom
    corners are rounded off."""
    _, _, height, width = shape
    body = width * 0.4 + width * 0.1 * np.sin(np.pi / 2 * (v / 0.78).clip(0, 1))
    corner = width * 0.16
    into = (v * height - (height - corner)).clip(0, corner)
    return body, body - (corner - np.sqrt((corner**2 - into**2).clip(0)))


def bag(canvas, rng, rows, columns, shape: tuple[float, float, float, float], bands, stitch) -> None:
    """A bilum seen from the front, lit from the upper left: ``shape`` is its centre, top, height and full width."""
    centre, top, height, width = shape
    v = (rows - top) / height
    body, outline = _half_widths(v, shape)
    u = ((columns - centre) / body).clip(-1, 1)
    alpha = ((outline - np.abs(columns - centre)) / 1.2 + 0.5).clip(0, 1) * ((rows - top) / 1.2 + 0.5).clip(0, 1)
    alpha *= v <= 1
    across = np.arcsin(u) * width * 0.42
    down = (v - 0.035 * u**2).clip(0) * height
    colour, light = looped_fabric(across, down, height, bands, stitch)
    fuzz = smooth_noise(rng, rows.shape, (SIDE // 3, SIDE // 3))
    roundness = np.sqrt(1 - u**2)
    bottom = 1 - 0.35 * ((v - 0.85) / 0.15).clip(0, 1) ** 2
    shade = (0.42 + 0.5 * (roundness * 0.85 - u * 0.3).clip(0, 1) + 0.12 * (1 - v).clip(0, 1)) * bottom
    paint(canvas, alpha, colour * (light * shade * (0.92 + 0.16 * fuzz))[..., None])
    rim = np.exp(-(((rows - top - stitch[1] * 0.6) / (stitch[1] * 0.9)) ** 2)) * alpha
    paint(canvas, rim * 0.85, np.asarray(YARN["black"], np.float32) * (0.6 + 0.6 * light)[..., None])


def strap(canvas, rows, columns, points: list[tuple[float, float]], width: float, colours, stitch: float) -> None:
    """A looped strap along ``points``, striped across, round (dark at its edges) and stitched like the bag."""
    layer = Image.new("RGBA", (SIDE * 2, SIDE * 2))
    draw = ImageDraw.Draw(layer)
    scaled = [(x * 2, y * 2) for x, y in points]
    for index in range(len(scaled) - 1):
        fill = tuple(int(255 * channel) for channel in YARN[colours[(index // 3) % len(colours)]])
        draw.line(scaled[index : index + 2], fill=(*fill, 255), width=int(width * 2), joint="curve")
    outline = Image.new("L", layer.size)
    ImageDraw.Draw(outline).line(scaled, fill=255, width=int(width * 2), joint="curve")
    core = Image.new("L", layer.size)
    ImageDraw.Draw(core).line([(x - width * 0.3, y) for x, y in scaled], fill=255, width=int(width), joint="curve")
    half = (SIDE, SIDE)
    shrink = Image.Resampling.LANCZOS
    yarn = np.asarray(layer.resize(half, shrink), np.float32) / 255
    mask = np.asarray(outline.resize(half, shrink), np.float32) / 255
    lit = np.asarray(core.resize(half, shrink).filter(ImageFilter.GaussianBlur(width * 0.3)), np.float32) / 255
    light = stitch_light((columns / stitch) % 1, (rows / (stitch * 0.8)) % 1)
    paint(canvas, mask, yarn[..., :3] * (light * (0.55 + 0.5 * lit))[..., None])


def carry_bag(rng) -> Image.Image:
    canvas, rows, columns = backdrop((0.95, 0.93, 0.89), (0.80, 0.76, 0.70))
    shadow(canvas, rows, columns, (SIDE * 0.52, SIDE * 0.9), (SIDE * 0.33, SIDE * 0.05), 0.45)
    arc = [
        (SIDE * 0.5 + SIDE * 0.2 * np.cos(t), SIDE * 0.43 - SIDE * 0.37 * np.sin(t)) for t in np.linspace(0, np.pi, 90)
    ]
    strap(canvas, rows, columns, arc, SIDE * 0.035, ("red", "yellow", "black", "green"), SIDE * 0.008)
    bag(canvas, rng, rows, columns, (SIDE * 0.5, SIDE * 0.42, SIDE * 0.48, SIDE * 0.56), CARRY_BAG_BANDS, (10.0, 8.0))
    return _picture(canvas)


def shoulder_bag(rng) -> Image.Image:
    canvas, rows, columns = backdrop((0.90, 0.93, 0.95), (0.72, 0.76, 0.80))
    shadow(canvas, rows, columns, (SIDE * 0.52, SIDE * 0.86), (SIDE * 0.25, SIDE * 0.045), 0.4)
    arc = [
        (SIDE * 0.5 + SIDE * 0.15 * np.cos(t), SIDE * 0.53 - SIDE * 0.46 * np.sin(t) ** 0.8)
        for t in np.linspace(0, np.pi, 90)
    ]
    strap(canvas, rows, columns, arc, SIDE * 0.022, ("pink", "teal", "yellow", "purple"), SIDE * 0.007)
    bag(canvas, rng, rows, columns, (SIDE * 0.5, SIDE * 0.49, SIDE * 0.36, SIDE * 0.44), SHOULDER_BAG_BANDS, (9.0, 7.0))
    return _picture(canvas)


def carry_bag_detail(rng) -> Image.Image:
    """The looping close up: a hand's width of the carry bag's bands, with the folds of soft yarn."""
    canvas, rows, columns = backdrop((0.9, 0.9, 0.9), (0.9, 0.9, 0.9))
    folds = fractal_noise(rng, rows.shape, (2, 3), octaves=3)
    down = rows + SIDE * 0.08 * np.sin(columns / SIDE * 2.4 + 0.6) + SIDE * 0.05 * (folds - 0.5)
    colour, light = looped_fabric(columns + SIDE * 0.3, down + SIDE * 0.25, SIDE * 2.2, CARRY_BAG_BANDS, (34.0, 27.0))
    fibres = fractal_noise(rng, rows.shape, (200, 200), octaves=2)
    glow = np.exp(-(((columns - SIDE * 0.4) / SIDE) ** 2 + ((rows - SIDE * 0.35) / SIDE) ** 2) * 1.5)
    canvas[:] = colour * (light * (0.6 + 0.5 * folds) * (0.9 + 0.2 * fibres) * (0.65 + 0.6 * glow))[..., None]
    return _picture(canvas)


def _picture(canvas: np.ndarray) -> Image.Image:
    return Image.fromarray((canvas.clip(0, 1) * 255 + 0.5).astype(np.uint8), "RGB")


def _bean(rng, length: float) -> Image.Image:
    """One roasted bean, seen from its flat side: glossy brown, the crease curving down its middle."""
    size = int(length * 1.3) + 4
    rows, columns = np.mgrid[0:size, 0:size].astype(np.float32) - size / 2
    u, v = columns / (length * 0.5), rows / (length * 0.36)
    body = 1 - u**2 - v**2
    crease = np.exp(-(((v - 0.18 * np.sin(u * 2.6)) / 0.08) ** 2)) * (1 - np.abs(u)).clip(0, 0.25) * 4
    roast = np.asarray((0.30, 0.17, 0.09), np.float32) * (0.65 + 0.5 * rng.random())
    light = 0.5 + 0.55 * np.sqrt(body.clip(0)) + 0.5 * np.exp(-(((u + 0.3) / 0.3) ** 2 + ((v + 0.45) / 0.22) ** 2))
    colour = roast * (light * (1 - 0.7 * crease))[..., None]
    alpha = (body * length * 0.25).clip(0, 1)
    tile = np.dstack([colour.clip(0, 1), alpha]) * 255
    return Image.fromarray(tile.astype(np.uint8), "RGBA").rotate(rng.random() * 360, Image.Resampling.BICUBIC)


def scatter_beans(canvas, rng, rows, columns, spots: list[tuple[float, float]], length: float) -> None:
    for x, y in spots:
        shadow(canvas, rows, columns, (x + length * 0.12, y + length * 0.2), (length * 0.55, length * 0.4), 0.35)
        tile = np.asarray(_bean(rng, length * (0.85 + 0.3 * rng.random())), np.float32) / 255
        top, left = int(y - tile.shape[0] / 2), int(x - tile.shape[1] / 2)
        cut_top, cut_left = max(0, top), max(0, left)
        cut_bottom, cut_right = min(SIDE, top + tile.shape[0]), min(SIDE, left + tile.shape[1])
        if cut_bottom > cut_top and cut_right > cut_left:
            part = tile[cut_top - top : cut_bottom - top, cut_left - left : cut_right - left]
            paint(canvas[cut_top:cut_bottom, cut_left:cut_right], part[..., 3], part[..., :3])


def _label(width: int, height: int) -> np.ndarray:
    """The bag's label: a cream card with the mountains, a sprig of ripe cherry and what is in the bag."""
    card = Image.new("RGB", (width * 2, height * 2), (246, 238, 220))
    draw = ImageDraw.Draw(card)
    w, h = width * 2, height * 2
    draw.rectangle((12, 12, w - 13, h - 13), outline=(34, 78, 50), width=5)
    draw.polygon(
        [(40, h * 0.36), (w * 0.3, h * 0.12), (w * 0.5, h * 0.28), (w * 0.72, h * 0.08), (w - 40, h * 0.36)],
        fill=(34, 78, 50),
    )
    draw.polygon([(40, h * 0.36), (w * 0.22, h * 0.24), (w * 0.45, h * 0.36)], fill=(62, 112, 70))
    draw.ellipse((w * 0.8, h * 0.06, w * 0.9, h * 0.06 + w * 0.1), fill=(226, 160, 40))
    for dx in (-26, 26):
        draw.ellipse((w / 2 + dx - 24, h * 0.41, w / 2 + dx + 24, h * 0.41 + 48), fill=(176, 24, 30))
    draw.ellipse((w / 2 - 120, h * 0.4, w / 2 - 44, h * 0.4 + 30), fill=(48, 110, 60))
    draw.ellipse((w / 2 + 44, h * 0.4, w / 2 + 120, h * 0.4 + 30), fill=(48, 110, 60))
    lines = [
        ("HIGHLAND", 0.53, 74),
        ("ARABICA", 0.62, 92),
        ("Papua New Guinea", 0.735, 40),
        ("whole bean, medium roast", 0.8, 34),
        ("250 g", 0.87, 62),
    ]
    for text, place, size in lines:
        draw.text((w / 2, h * place), text, fill=(40, 32, 26), font=ImageFont.load_default(size=size), anchor="mm")
    return np.asarray(card.resize((width, height), Image.Resampling.LANCZOS), np.float32) / 255


def coffee_bag(rng) -> Image.Image:
    """A kraft stand-up bag with its valve and label on a wooden table, roasted beans before it."""
    canvas, rows, columns = backdrop((0.94, 0.90, 0.84), (0.86, 0.80, 0.72))
    table = SIDE * 0.74
    grain = fractal_noise(rng, rows.shape, (120, 4), octaves=3)
    wood = np.asarray((0.48, 0.31, 0.18), np.float32) * (0.8 + 0.35 * grain + 0.1 * (rows - table) / SIDE)[..., None]
    paint(canvas, ((rows - table) / 2).clip(0, 1), wood)
    shadow(canvas, rows, columns, (SIDE * 0.53, SIDE * 0.79), (SIDE * 0.28, SIDE * 0.035), 0.6)
    top, bottom, centre = SIDE * 0.12, SIDE * 0.775, SIDE * 0.5
    v = (rows - top) / (bottom - top)
    half = SIDE * (0.17 + 0.03 * np.sin(np.pi / 2 * (v / 0.6).clip(0, 1)))
    u = ((columns - centre) / half).clip(-1, 1)
    edge = bottom + SIDE * 0.02 * (1 - u**2)
    alpha = ((half - np.abs(columns - centre)) / 1.2 + 0.5).clip(0, 1) * ((rows - top) + 0.5).clip(0, 1)
    alpha *= ((edge - rows) + 0.5).clip(0, 1)
    fibres = (
        smooth_noise(rng, rows.shape, (SIDE // 2, SIDE // 2)) * 0.6 + smooth_noise(rng, rows.shape, (60, 300)) * 0.4
    )
    creases = sum(np.exp(-(((columns - centre - x * SIDE * 0.17) / 3) ** 2)) for x in rng.uniform(-0.8, 0.8, 5))
    light = 0.5 + 0.5 * (np.sqrt(1 - u**2) - u * 0.35).clip(0, 1) + 0.12 * creases * (v > 0.1)
    seal = np.where(v < 0.07, 0.9 + 0.1 * np.sin(rows * 1.3), 1.0)
    kraft = np.asarray((0.72, 0.54, 0.36), np.float32) * (light * seal * (0.88 + 0.22 * fibres))[..., None]
    paint(canvas, alpha, kraft)
    card = _label(int(SIDE * 0.25), int(SIDE * 0.34))
    card_top, card_left = int(SIDE * 0.33), int(centre - SIDE * 0.125)
    region = np.s_[card_top : card_top + card.shape[0], card_left : card_left + card.shape[1]]
    canvas[region] = card * (0.45 + 0.6 * light[region])[..., None] ** 0.8
    valve = np.sqrt((columns - centre) ** 2 + (rows - SIDE * 0.24) ** 2)
    paint(canvas, ((24 - valve) / 1.5).clip(0, 1) * 0.5, np.asarray((0.55, 0.42, 0.28), np.float32))
    paint(canvas, ((9 - valve) / 1.5).clip(0, 1) * 0.7, np.asarray((0.3, 0.22, 0.15), np.float32))
    beans = [(SIDE * (0.18 + 0.1 * rng.random()), SIDE * (0.82 + 0.1 * rng.random())) for _ in range(7)]
    beans += [(SIDE * (0.72 + 0.14 * rng.random()), SIDE * (0.83 + 0.1 * rng.random())) for _ in range(6)]
    scatter_beans(canvas, rng, rows, columns, beans, SIDE * 0.05)
    return _picture(canvas)


def roasted_beans(rng) -> Image.Image:
    """The beans close up, heaped: the medium roast a buyer will grind."""
    canvas, rows, columns = backdrop((0.30, 0.18, 0.10), (0.22, 0.13, 0.07))
    for layer in range(3):
        spots = [(SIDE * (1.1 * rng.random() - 0.05), SIDE * (1.1 * rng.random() - 0.05)) for _ in range(170)]
        scatter_beans(canvas, rng, rows, columns, spots, SIDE * (0.1 + 0.015 * layer))
    glow = np.exp(-(((columns - SIDE * 0.4) / SIDE) ** 2 + ((rows - SIDE * 0.3) / SIDE) ** 2) * 2)
    canvas *= (0.6 + 0.55 * glow)[..., None]
    sharp = _picture(canvas)
    far = ((0.45 - rows / SIDE) / 0.3).clip(0, 1)[..., None]
    blurred = np.asarray(sharp.filter(ImageFilter.GaussianBlur(6)), np.float32) / 255
    return _picture(canvas * (1 - far) + blurred * far)
