"""Photo-like Highlands scenes for the demonstration's producer groups, drawn from a seed: misty ranges, a weavers'
haus with bilums hanging in a row, or hillsides of coffee shrubs heavy with red cherries.

Drawn by the project (see ``bilum.demo_pictures`` for the licence); nothing is read from a file or the network. The
picture is a numpy array of light (0 to 1) painted far to near, then softened and given grain like a photograph."""

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1600, 1067
# Sky at the zenith and at the horizon, the sun's glow, the forest's green: morning, noon or late afternoon.
LIGHTS = {
    "morning": ((0.40, 0.56, 0.76), (0.92, 0.88, 0.80), (1.0, 0.88, 0.66), (0.16, 0.30, 0.15)),
    "noon": ((0.28, 0.50, 0.80), (0.84, 0.89, 0.92), (1.0, 0.97, 0.90), (0.15, 0.32, 0.14)),
    "afternoon": ((0.36, 0.48, 0.70), (0.95, 0.83, 0.68), (1.0, 0.76, 0.48), (0.18, 0.29, 0.13)),
}
# Yarn colours of the bilums on the line, three to a bag, as the Highlands loop them.
BILUM_COLOURS = [
    ((0.72, 0.10, 0.10), (0.98, 0.78, 0.12), (0.10, 0.09, 0.08)),
    ((0.10, 0.45, 0.25), (0.95, 0.93, 0.86), (0.75, 0.15, 0.12)),
    ((0.45, 0.15, 0.50), (0.98, 0.60, 0.10), (0.15, 0.35, 0.70)),
    ((0.85, 0.40, 0.05), (0.10, 0.09, 0.08), (0.95, 0.85, 0.30)),
    ((0.10, 0.55, 0.60), (0.90, 0.20, 0.40), (0.98, 0.95, 0.85)),
]
SUPERSAMPLING = 2


def smooth_noise(rng: np.random.Generator, shape: tuple[int, int], cells: tuple[int, int]) -> np.ndarray:
    """Value noise in 0..1: a coarse random grid of ``cells`` (rows, columns) smoothly enlarged to ``shape``."""
    coarse = Image.fromarray(rng.random((max(2, cells[0]), max(2, cells[1]))).astype(np.float32), "F")
    return np.asarray(coarse.resize((shape[1], shape[0]), Image.Resampling.BICUBIC)).clip(0, 1)


def fractal_noise(rng: np.random.Generator, shape: tuple[int, int], cells: tuple[int, int], octaves: int = 4):
    total, weight = np.zeros(shape, np.float32), 0.0
    for octave in range(octaves):
        amplitude = 0.5**octave
        total += amplitude * smooth_noise(rng, shape, (cells[0] * 2**octave, cells[1] * 2**octave))
        weight += amplitude
    return total / weight


def paint(canvas: np.ndarray, alpha: np.ndarray, colour) -> None:
    """Lay ``colour`` over ``canvas`` as much as ``alpha`` (0 to 1) says."""
    alpha = alpha[..., None] if alpha.ndim == 2 else alpha
    canvas *= 1 - alpha
    canvas += alpha * np.asarray(colour, np.float32)


def _below(line: np.ndarray, rows: np.ndarray, softness: float = 1.5) -> np.ndarray:
    return ((rows - line[None, :]) / softness + 0.5).clip(0, 1)


def _colours(light: str) -> list[np.ndarray]:
    return [np.asarray(colour, np.float32) for colour in LIGHTS[light]]


def _sky(rng: np.random.Generator, light: str, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    zenith, horizon, glow, _ = _colours(light)
    height = (rows / (HEIGHT * 0.6)).clip(0, 1)[..., None] ** 0.7
    canvas = zenith * (1 - height) + horizon * height
    sun_x = WIDTH * (0.2 if light == "afternoon" else 0.8)
    glare = np.exp(-(((columns - sun_x) / (WIDTH * 0.25)) ** 2 + ((rows - HEIGHT * 0.32) / (HEIGHT * 0.28)) ** 2))
    canvas += glare[..., None] * (glow - canvas) * 0.75
    clouds = fractal_noise(rng, (HEIGHT, WIDTH), (3, 5), octaves=6)
    cover = ((clouds - 0.5) / 0.12).clip(0, 1) * (1.15 - rows / (HEIGHT * 0.55)).clip(0, 1)
    body = 0.78 + 0.5 * (clouds - 0.5).clip(0, 0.4)
    paint(canvas, cover * 0.85, (horizon * 0.3 + 0.7) * body[..., None])
    return canvas


def _ranges(canvas, rng, light: str, rows, layers: int, mist: float) -> None:
    """Ranges far to near, bluer with distance, forest and gullies on their flanks, mist in the valleys between."""
    zenith, horizon, _, forest = _colours(light)
    haze = horizon * 0.55 + zenith * 0.25 + 0.12
    for layer in range(layers):
        depth = layer / (layers - 1)
        crest = fractal_noise(rng, (1, WIDTH), (1, 3 + 3 * layer), octaves=6)[0]
        ridge = HEIGHT * (0.40 + 0.2 * depth - (0.2 - 0.1 * depth) * (crest - 0.35) * 2)
        gullies = smooth_noise(rng, (HEIGHT, WIDTH), (10 + 8 * layer, 40 + 40 * layer))
        canopy = fractal_noise(rng, (HEIGHT, WIDTH), (20 + 20 * layer, 40 + 40 * layer), octaves=3)
        distant = zenith * 0.3 + horizon * 0.25 + forest * 0.6 + 0.04
        colour = distant * (1 - depth) + forest * 1.15 * depth
        shade = 0.7 + 0.18 * gullies + (0.25 + 0.35 * depth) * (canopy - 0.5)
        crown = np.exp(-((rows - ridge[None, :]) / (HEIGHT * 0.05)).clip(0, None))
        paint(canvas, _below(ridge, rows), colour * (shade + 0.25 * crown)[..., None])
        valley = np.exp(-(((rows - ridge[None, :] - HEIGHT * (0.1 - 0.03 * depth)) / (HEIGHT * 0.055)) ** 2))
        drift = fractal_noise(rng, (HEIGHT, WIDTH), (3, 9), octaves=4)
        paint(canvas, (valley * mist * (0.2 + drift) ** 1.5).clip(0, 0.92), haze * 0.45 + 0.55)


def _ground(canvas, rng, light: str, rows, columns, top: float) -> np.ndarray:
    """The near slope in kunai grass and garden, lit from the sun's side; its crest is where things stand."""
    forest = _colours(light)[3]
    crest = HEIGHT * top + HEIGHT * 0.025 * np.sin(columns[0] / WIDTH * 3.1 + rng.random() * 6)
    patches = fractal_noise(rng, (HEIGHT, WIDTH), (6, 12), octaves=4)
    blades = smooth_noise(rng, (HEIGHT, WIDTH), (90, 700))
    green = forest * 1.45 + np.asarray((0.13, 0.11, 0.01), np.float32)
    dry = np.asarray((0.55, 0.52, 0.28), np.float32)
    grass = green + (dry - green) * ((patches - 0.45) * 2.5).clip(0, 0.6)[..., None]
    shade = (0.62 + 0.3 * patches + 0.28 * blades) * (1.12 - 0.5 * (rows / HEIGHT))
    paint(canvas, _below(crest, rows, 2.5), grass * shade[..., None])
    return crest


def _foliage(canvas, rng, centre: tuple[float, float], radii: tuple[float, float], colour, sun: float) -> None:
    """A clump of leaves: a ragged edge, lit on the sun's side and on top, dark inside."""
    (x, y), (rx, ry) = centre, radii
    top, bottom = max(0, int(y - ry * 1.4)), min(HEIGHT, int(y + ry * 1.4))
    left, right = max(0, int(x - rx * 1.4)), min(WIDTH, int(x + rx * 1.4))
    if bottom - top < 2 or right - left < 2:
        return
    ys, xs = np.mgrid[top:bottom, left:right].astype(np.float32)
    u, v = (xs - x) / rx, (ys - y) / ry
    leaves = fractal_noise(rng, ys.shape, (max(2, int(ry / 5)), max(2, int(rx / 5))), octaves=3)
    alpha = ((1 - np.sqrt(u**2 + v**2) + (leaves - 0.5) * 0.9) * 5).clip(0, 1)
    lit = (0.45 + 0.5 * (sun * u * 0.5 - v * 0.6 + 0.4).clip(0, 1)) * (0.55 + 0.75 * leaves)
    paint(canvas[top:bottom, left:right], alpha, np.asarray(colour, np.float32) * lit[..., None])


def _disc(canvas, x: float, y: float, radius: float, colour) -> None:
    top, left = max(0, int(y - radius - 2)), max(0, int(x - radius - 2))
    bottom, right = min(HEIGHT, int(y + radius + 3)), min(WIDTH, int(x + radius + 3))
    if bottom <= top or right <= left:
        return
    ys, xs = np.mgrid[top:bottom, left:right].astype(np.float32)
    alpha = (radius + 0.5 - np.sqrt((xs - x) ** 2 + (ys - y) ** 2)).clip(0, 1)
    shine = 1 + 0.5 * np.exp(-(((xs - x + radius * 0.35) ** 2 + (ys - y + radius * 0.35) ** 2) / (radius * 0.4) ** 2))
    paint(canvas[top:bottom, left:right], alpha, colour * shine[..., None])


def _tree(canvas, rng, x: float, base: float, height: float, sun: float) -> None:
    """A casuarina, the Highlands' shade and boundary tree: a thin trunk under tiers of dark, feathery foliage."""
    trunk = max(2, int(height * 0.012))
    canvas[int(base - height * 0.9) : int(base), int(x) - trunk : int(x) + trunk] = (0.22, 0.17, 0.13)
    for tier in range(8):
        level = base - height * (0.3 + 0.085 * tier)
        spread = height * (0.17 - 0.015 * tier) * (0.75 + 0.5 * rng.random())
        offset = (rng.random() - 0.5) * height * 0.08
        _foliage(canvas, rng, (x + offset, level), (spread, height * 0.06), (0.13, 0.25, 0.16), sun)


def _overlay(canvas: np.ndarray, shapes) -> None:
    """Shapes drawn at twice the size and shrunk, so their edges are smooth; ``shapes(draw, scale)`` draws them."""
    layer = Image.new("RGBA", (WIDTH * SUPERSAMPLING, HEIGHT * SUPERSAMPLING), (0, 0, 0, 0))
    shapes(ImageDraw.Draw(layer), SUPERSAMPLING)
    shrunk = np.asarray(layer.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS), np.float32) / 255
    paint(canvas, shrunk[..., 3], shrunk[..., :3])


def _rgb(colour, tone: float = 1.0) -> tuple[int, int, int]:
    red, green, blue = (int(255 * min(1.0, channel * tone)) for channel in colour)
    return red, green, blue


def _haus(draw: ImageDraw.ImageDraw, scale: float, rng, x: float, base: float, radius: float) -> None:
    """A round Highlands haus: woven pitpit walls and a dark doorway under a deep cone of kunai-grass thatch."""
    x, base, radius = x * scale, base * scale, radius * scale
    wall_top = base - radius * 0.72
    for k in range(int(radius * 2)):
        curve = np.sin(np.pi * k / (radius * 2))
        tone = (0.45 + 0.55 * curve**0.7 * (0.75 + 0.25 * k / (radius * 2))) * (0.9 + 0.18 * ((k // 7) % 2))
        top = wall_top + radius * 0.05 * (1 - curve)
        draw.line(
            (x - radius + k, top, x - radius + k, base - radius * 0.05 * (1 - curve)),
            fill=_rgb((0.58, 0.45, 0.3), tone),
        )
    for band in (0.3, 0.62):
        y = wall_top + (base - wall_top) * band
        draw.line((x - radius, y, x + radius, y), fill=(72, 54, 36), width=int(2 * scale))
    draw.rectangle((x - radius, wall_top, x + radius, wall_top + radius * 0.16), fill=(20, 14, 8, 110))
    door = (x - radius * 0.42, base - radius * 0.52, x - radius * 0.08, base - radius * 0.02)
    draw.rectangle(door, fill=(26, 19, 14))
    eave, apex = radius * 1.32, base - radius * 2.0
    rim = wall_top + radius * 0.1
    draw.polygon([(x - eave, rim), (x, apex), (x + eave, rim)], fill=(112, 92, 60))
    for _ in range(2600):
        spread = rng.random() * 2 - 1
        shade = 0.5 + 0.35 * (spread + 1) / 2 + 0.25 * rng.random()
        start = (x + spread * radius * 0.04, apex + radius * 0.05)
        end = (x + spread * eave, rim + rng.random() * radius * 0.14)
        draw.line((start, end), fill=_rgb((0.66, 0.55, 0.36), shade), width=int(scale))
    draw.line((x, apex - radius * 0.2, x, apex + radius * 0.1), fill=(60, 45, 30), width=int(4 * scale))


def _bilum(draw: ImageDraw.ImageDraw, scale: float, hook: tuple[float, float], size: float, colours) -> None:
    """A bilum hanging from its strap: a looped pouch, fuller at the bottom, in bands with zig-zags between."""
    x, y, size = hook[0] * scale, hook[1] * scale, size * scale
    width, top = size * 0.8, y + size * 0.35
    strap = _rgb(colours[0], 0.8)
    draw.line(((x, y), (x - width * 0.38, top + size * 0.05)), fill=strap, width=int(3 * scale))
    draw.line(((x, y), (x + width * 0.38, top + size * 0.05)), fill=strap, width=int(3 * scale))
    bands = 7
    for band in range(bands):
        y0, y1 = top + size * band / bands, top + size * (band + 1) / bands
        fullness = 0.36 + 0.14 * np.sin(np.pi * (band + 0.7) / (bands + 1)) + 0.04 * band / bands
        half0, half1 = width * fullness, width * (0.36 + 0.14 * np.sin(np.pi * (band + 1.7) / (bands + 1)))
        outline = [(x - half0, y0), (x + half0, y0), (x + half1, y1), (x - half1, y1)]
        draw.polygon(outline, fill=_rgb(colours[band % 3], 0.95))
        shadow = [(x - half0, y0), (x - half0 * 0.5, y0), (x - half1 * 0.5, y1), (x - half1, y1)]
        draw.polygon(shadow, fill=_rgb(colours[band % 3], 0.72))
        teeth = 7
        zig = [(x - half0 + k * 2 * half0 / teeth, y0 + (y1 - y0) * (0.2 if k % 2 else 0.8)) for k in range(teeth + 1)]
        draw.line(zig, fill=_rgb(colours[(band + 1) % 3]), width=int(2 * scale))
    draw.chord((x - width * 0.42, top + size * 0.8, x + width * 0.42, top + size * 1.12), 0, 180, fill=_rgb(colours[2]))


def _coffee_garden(canvas, rng, crest: np.ndarray, sun: float) -> None:
    """Rows of coffee along the slope, small far up and large near, the near ones hung with clusters of cherry."""
    rows = 10
    for row in range(rows):
        depth = row / (rows - 1)
        size = HEIGHT * (0.014 + 0.085 * depth**2)
        y_row = float(crest.min()) + HEIGHT * (0.03 + 0.5 * depth**1.5)
        step = size * 1.9
        earth = canvas[int(y_row + size * 0.2) : int(y_row + size * 1.1)]
        paint(earth, np.full(earth.shape[:2], 0.45, np.float32), (0.34, 0.23, 0.15))
        for shrub in range(int(WIDTH / step) + 2):
            x = shrub * step + (rng.random() - 0.5) * step * 0.3 + (row % 2) * step / 2
            y = y_row + np.sin(x / WIDTH * 4 + row * 0.7) * HEIGHT * 0.012 * (1 + depth)
            _foliage(canvas, rng, (x, y), (size * 1.0, size * 0.9), (0.12, 0.31, 0.12), sun)
            for _ in range(int(10 * depth**2)):
                branch = (x + (rng.random() - 0.5) * size * 1.2, y + (rng.random() - 0.3) * size * 0.8)
                ripe = rng.random()
                colour = (0.72, 0.06, 0.07) if ripe < 0.65 else (0.86, 0.45, 0.08) if ripe < 0.85 else (0.5, 0.62, 0.2)
                radius = max(1.2, size * 0.055)
                for _ in range(3 + int(rng.random() * 4)):
                    cherry = (
                        branch[0] + (rng.random() - 0.5) * radius * 3.4,
                        branch[1] + (rng.random() - 0.5) * radius * 2,
                    )
                    _disc(canvas, *cherry, radius, np.asarray(colour, np.float32) * (0.8 + 0.3 * rng.random()))


def _weavers_place(canvas, rng, rows, columns, crest: np.ndarray, sun: float) -> None:
    """A haus among casuarinas, the path to its door, and the week's bilums hanging on a line beside it."""
    haus_x, radius = WIDTH * (0.22 + 0.12 * rng.random()), HEIGHT * (0.17 + 0.05 * rng.random())
    base = HEIGHT * (0.82 + 0.04 * rng.random())
    _earth(canvas, rows, columns, (haus_x, base), radius)
    for _ in range(int(rng.integers(3, 6))):
        x = WIDTH * (0.02 + 0.46 * rng.random())
        _tree(canvas, rng, x, float(crest[int(x)]) + HEIGHT * 0.03, HEIGHT * (0.42 + 0.12 * rng.random()), sun)
    start, sag = 0.5 + 0.06 * rng.random(), 0.03 + 0.03 * rng.random()
    line = [
        (WIDTH * (start + (0.95 - start) * t), HEIGHT * (0.56 + sag * np.sin(np.pi * t))) for t in np.linspace(0, 1, 31)
    ]
    bags = int(rng.integers(5, 8))
    colours = np.roll(np.arange(len(BILUM_COLOURS)), int(rng.integers(0, len(BILUM_COLOURS))))

    def place(draw, scale):
        _haus(draw, scale, rng, haus_x, base, radius)
        for post in (line[0], line[-1]):
            end = (post[0] * scale, (post[1] - 8) * scale, post[0] * scale, HEIGHT * 0.86 * scale)
            draw.line(end, fill=(62, 45, 30), width=int(8 * scale))
        draw.line([(x * scale, y * scale) for x, y in line], fill=(96, 76, 50), width=int(3 * scale))
        for number, hook in enumerate(np.linspace(3, 27, bags).astype(int)):
            colour = BILUM_COLOURS[colours[number % len(colours)]]
            _bilum(draw, scale, line[hook], HEIGHT * (0.09 + 0.03 * rng.random()) * 6 / bags, colour)

    _overlay(canvas, place)


def scene(kind: str, seed: int, light: str, mirrored: bool = False) -> Image.Image:
    """A weavers' (``weavers``) or a coffee growers' (``growers``) place, as a photograph would show it; mirrored,
    the haus stands on the right."""
    rng = np.random.default_rng(seed)
    sun = -1.0 if light == "afternoon" else 1.0
    rows, columns = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    canvas = _sky(rng, light, rows, columns)
    _ranges(canvas, rng, light, rows, layers=4 if kind == "weavers" else 5, mist=0.75 if kind == "weavers" else 1.0)
    canvas = np.asarray(_softened(canvas, 1.6), np.float32) / 255
    crest = _ground(canvas, rng, light, rows, columns, 0.66 if kind == "weavers" else 0.58)
    if kind == "weavers":
        _weavers_place(canvas, rng, rows, columns, crest, sun)
    else:
        for _ in range(3):
            x = WIDTH * rng.random()
            _tree(canvas, rng, x, float(crest[int(x)]) + HEIGHT * 0.05, HEIGHT * (0.4 + 0.1 * rng.random()), sun)
        _coffee_garden(canvas, rng, crest, sun)
    if mirrored:
        canvas = np.ascontiguousarray(canvas[:, ::-1])
    return _photographed(canvas, rng, rows, columns)


def _softened(canvas: np.ndarray, radius: float) -> Image.Image:
    return Image.fromarray((canvas.clip(0, 1) * 255).astype(np.uint8), "RGB").filter(ImageFilter.GaussianBlur(radius))


def _earth(canvas, rows, columns, door: tuple[float, float], radius: float) -> None:
    """The trodden red-brown earth around the haus and the path from its door down the slope."""
    x, base = door
    yard = np.exp(-(((columns - x) / (radius * 1.7)) ** 2) - ((rows - base) / (radius * 0.16)) ** 2)
    centre = x - radius * 0.25 + (rows - base) * 0.9
    path = np.exp(-(((columns - centre) / (radius * 0.12 + (rows - base).clip(0) * 0.35)) ** 2)) * (rows > base)
    paint(canvas, (np.maximum(yard, path) * 0.75).clip(0, 0.75), (0.40, 0.27, 0.17))


def _photographed(canvas: np.ndarray, rng, rows, columns) -> Image.Image:
    """Softened a little, darker at the corners, with a film's grain: a photograph, not a drawing."""
    soft = np.asarray(_softened(canvas, 0.9), np.float32) / 255
    corners = ((rows / HEIGHT - 0.5) ** 2 + (columns / WIDTH - 0.5) ** 2) * 1.6
    soft *= (1 - corners.clip(0, 0.5) * 0.5)[..., None]
    soft += rng.normal(0, 0.016, soft.shape).astype(np.float32)
    return Image.fromarray((soft.clip(0, 1) * 255 + 0.5).astype(np.uint8), "RGB")
