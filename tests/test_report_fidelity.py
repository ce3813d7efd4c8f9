"""The report's NIST36 wording (issue 20): captions name the NIST36 source, the cover says what a
substitute is and is not."""

import json
from pathlib import Path

import numpy as np
import pytest

from nnrec.report.render import Renderer

ROOT = Path(__file__).resolve().parents[1]
SUB = "NIST36 substitute from EMNIST ByClass (NIST SD19)"


def _prov(tmp: Path, name: str, **fields) -> Path:
    path = tmp / "resources" / name / "provenance.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"dataset": name, "available": True, **fields}))
    return path


def _png(path: Path) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(path)


# ------------------------------------------------------------------ captions and cover (issue 20)
def test_captions_name_the_nist36_source_between_caption_data_calls(tmp_path):
    _png(tmp_path / "results/a.png")
    (tmp_path / "sections").mkdir()
    (tmp_path / "sections/10_x.html.j2").write_text(
        '{{ figure("a.png", "before") }}{{ caption_data("nist36") }}{{ figure("a.png", "inside") }}'
        '<table>{{ table_caption("tab") }}</table>{{ caption_data(none) }}{{ figure("a.png", "after") }}')
    (tmp_path / "sections/20_y.html.j2").write_text('{{ figure("a.png", "next fragment") }}')
    prov = _prov(tmp_path, "nist36", source="substitute", description=SUB, caveats=["c1"])
    from nnrec.report.provenance import datasets

    r = Renderer(ROOT, results_root=tmp_path / "results", sections_dir=tmp_path / "sections", on_fragment_error="fail")
    out = {s["name"]: str(s["html"]) for s in r.render_sections(r.context({"datasets": datasets([prov])}))}
    tag = f"Data: {SUB}: real data from NIST36&#39;s own source, not NIST36 itself; caveats on the cover."
    x = out["10_x.html.j2"]
    assert x.count(tag) == 2  # the figure and the table between the two calls
    assert tag not in x[:x.index("inside")] and x.index("inside") < x.index(tag)  # after its caption text
    assert tag not in x[x.index("after"):]
    assert tag not in out["20_y.html.j2"]  # a fragment starts without one


def test_the_cover_says_a_substitute_is_real_data_from_the_source_but_not_the_dataset(tmp_path):
    provs = [_prov(tmp_path, "nist36", source="substitute", description=SUB, caveats=["EMNIST caveat"]),
             _prov(tmp_path, "cifar10", source="mirror")]
    r = Renderer(ROOT, results_root=tmp_path / "results", sections_dir=tmp_path / "none")
    html = r.render_html(provenance_files=provs, meta={"config_hash": "h", "commit": "c"})
    cover = html[html.index('<section class="cover">'):html.index("</section>")]
    assert f"{SUB}, a SUBSTITUTE: real data from NIST36" in cover and "but not NIST36 itself" in cover
    assert "EMNIST caveat" in cover
    assert "nist36 was rebuilt as " + SUB in cover and "comparable in kind, not equal" in cover
    assert "All datasets are the original files" not in cover


def test_the_summary_names_a_stand_in_and_the_course_data_from_provenance(tmp_path):
    from nnrec.report.provenance import caption_words, datasets

    rows = datasets([_prov(tmp_path, "nist36", source="mirror", description="NIST36 (the course's data.zip)")])
    assert caption_words(rows[0]) == "NIST36 (the course's data.zip)"
    rows = datasets([_prov(tmp_path, "nist36", source="standin", description="NIST36 offline stand-in")])
    assert caption_words(rows[0]) == "NIST36 offline stand-in: synthetic, not the real data; caveats on the cover"
    assert caption_words(None) == "source not recorded with these results"
