"""The assignment's own constants, each with the words it is quoted from and where.

A template that needs one of these numbers takes it from here (``assignment.<name>.value``, with
``assignment.<name>.quote`` when the text cites the requirement) instead of typing it, and the
report tests allow exactly these numbers (besides the inputs) in the rendered text.
Source: the assignment text, ``shared/spec/assignment.txt`` (CMU 16-720 "Neural Networks for
Recognition").
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

ASSIGNMENT: dict[str, dict[str, Any]] = {
    "course": {"value": "16-720", "quote": "http://www.cs.cmu.edu/~lkeselma/16720a_data/data.zip",
               "where": "Section 3, the data URL"},
    "image_side": {"value": 32, "quote": "our input images are 32 × 32 images, unrolled into one 1024 dimensional vector",
                   "where": "Section 3"},
    "input_size": {"value": 1024, "quote": "unrolled into one 1024 dimensional vector", "where": "Section 3"},
    "n_letters": {"value": 26, "quote": "the 26 upper-case letters of the alphabet and the 10 digits", "where": "Section 3"},
    "n_digits": {"value": 10, "quote": "the 26 upper-case letters of the alphabet and the 10 digits", "where": "Section 3"},
    "n_classes": {"value": 36, "quote": "Select 5 classes from the total 36 classes", "where": "Q5.3.1"},
    "q3_hidden": {"value": 64, "quote": "Use a single hidden layer with 64 hidden units", "where": "Q3.1"},
    "q3_min_epochs": {"value": 30, "quote": "train for at least 30 epochs", "where": "Q3.1"},
    "q3_valid_bar": {"value": 0.75, "quote": "you should see an accuracy on the validation set of at least 75%",
                     "where": "Q3.1"},
    "q3_lr_factor": {"value": 10, "quote": "one with 10 times that learning rate and one with one tenth that learning rate",
                     "where": "Q3.2"},
    "q4_pages": {"value": 4, "quote": "01 list.jpg, 02 letters.jpg, 03 haiku.jpg and 04 deep.jpg", "where": "Section 4"},
    "ae_code": {"value": 32, "quote": "1024 to 32 dimensions, followed by a ReLU", "where": "Q5.1.1"},
    "ae_momentum": {"value": 0.9, "quote": "MW = 0.9MW − α ∂J/∂W", "where": "Q5.1.2"},
    "ae_epochs": {"value": 100, "quote": "train the network for 100 epochs", "where": "Q5.2"},
    "ae_classes": {"value": 5, "quote": "Select 5 classes from the total 36 classes", "where": "Q5.3.1"},
    "ae_per_class": {"value": 2, "quote": "for each selected class include in your report 2 validation images",
                     "where": "Q5.3.1"},
    "flowers_classes": {"value": 17, "quote": "on the flowers 17 (or flowers 102!) dataset using squeezenet1 1",
                        "where": "Q6.2.1"},
    "scratch_convs": {"value": 3, "quote": "3 conv layers, followed 2 fc layers", "where": "Q6.2.1"},
    "scratch_fcs": {"value": 2, "quote": "3 conv layers, followed 2 fc layers", "where": "Q6.2.1"},
    "xavier_equation": {"value": 16, "quote": "see eq 16 in the paper", "where": "Q2.1.2"},
    "xavier_figure": {"value": 6, "quote": "see near Fig 6 in the paper", "where": "Q2.1.3"},
}


def constants() -> MappingProxyType:
    """The table above, read-only (what templates see as ``assignment``)."""
    return MappingProxyType({k: MappingProxyType(v) for k, v in ASSIGNMENT.items()})


def allowed_numbers() -> set[str]:
    """Every number the constants contribute to a text, as it may be printed (``0.75`` as
    ``75``/``75%``/``0.75``; ``16-720`` as ``16``, ``720``)."""
    import re

    out: set[str] = set()
    for c in ASSIGNMENT.values():
        for part in re.findall(r"\d+(?:\.\d+)?", f"{c['value']} {c['quote']}"):
            out.add(part)
        v = c["value"]
        if isinstance(v, float) and v < 1:
            out.add(f"{100 * v:g}")
    return out
