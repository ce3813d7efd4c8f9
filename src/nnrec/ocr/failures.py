"""Q4.1: generated pages on which ``find_letters``' assumptions break (touching letters, ruled
paper, a hard shadow), built on the generated pages of :mod:`nnrec.data.pages`."""

from __future__ import annotations

import numpy as np

from nnrec.data.pages import GeneratedPage, compose_page, resolve


def failure_examples(cfg: dict | None, standin_cfg: dict | None = None) -> dict[str, GeneratedPage]:
    """Pages on which the detector's assumptions break (Q4.1):

    * ``touching``: cursive-like writing, letters overlapping (negative gaps): one box per word;
    * ``ruled``: lined paper with dark ruling touching the letters' baselines: letters fuse with
      the rules (rejected as a border or merged into one huge box);
    * ``shadow``: a hard-edged dark shadow over part of the page (a fold or a phone's shadow):
      the background estimate lags at the edge and the shadow's border becomes ink.
    """
    c = resolve(cfg)
    out = {}
    text = ["MINIMUM", "CURSIVE"]
    # touching: letter gaps negative
    touch_cfg = {**c, "letter_gap": [-0.22, -0.12], "word_gap": [1.2, 1.4]}
    out["touching"] = compose_page(text, np.random.default_rng([int(c["seed"]), 101]), touch_cfg, standin_cfg)
    # ruled: draw ruling lines through the baselines and midlines
    base = compose_page(["RULED PAPER", "FAILS HERE"], np.random.default_rng([int(c["seed"]), 102]), c, standin_cfg)
    img = base.image.astype(float) / 255
    H = int(c["char_height"])
    sw = max(2, H // 12)
    rule_rows = []
    for li in sorted(set(base.line_of_box)):
        bb = base.boxes[[i for i, l in enumerate(base.line_of_box) if l == li]]
        top, bottom = float(np.median(bb[:, 0])), float(np.median(bb[:, 2]))
        rule_rows += [int(bottom) - sw // 2, int((top + bottom) / 2)]  # baseline and midline
    for r in rule_rows:
        img[max(0, r):r + sw, :, :] = np.array([0.35, 0.45, 0.7])
    ruled = GeneratedPage((img * 255).astype(np.uint8), base.lines, base.boxes, base.line_of_box)
    out["ruled"] = ruled
    # shadow: hard-edged darkening over the left 45 % of the page
    base = compose_page(["SHADOW ON", "THE PAGE"], np.random.default_rng([int(c["seed"]), 103]), c, standin_cfg)
    img = base.image.astype(float) / 255
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    edge = 0.45 * w + 0.15 * (yy - h / 2)
    shade = np.where(xx < edge, 0.45, 1.0)
    img = img * shade[..., None]
    out["shadow"] = GeneratedPage((np.clip(img, 0, 1) * 255).astype(np.uint8), base.lines, base.boxes,
                                  base.line_of_box)
    return out
