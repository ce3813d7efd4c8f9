"""The kernel and pool sizes the architecture descriptions print are read from the model."""

from torch import nn

from nnrec.torch_models.geometry import layer_geometry


def test_layer_geometry_reads_kernels_and_pools_from_the_model():
    m = nn.Sequential(nn.Conv2d(1, 4, 5, padding=2), nn.MaxPool2d(2), nn.Conv2d(4, 4, 5, padding=2), nn.AvgPool2d(3),
                      nn.AdaptiveAvgPool2d(1))
    g = layer_geometry(m)
    assert g["conv_kernels"] == [[5, 5], [5, 5]] and g["conv_kernel"] == 5
    assert g["pool_kernels"] == [[2, 2], [3, 3]] and g["pool_kinds"] == ["max", "avg"] and g["pool_kernel"] is None
    assert g["global_pools"] == 1
    g = layer_geometry(nn.Sequential(nn.Conv2d(3, 8, 2), nn.Conv2d(8, 8, (3, 1))))
    assert g["conv_kernels"] == [[2, 2], [3, 1]] and g["conv_kernel"] is None and g["pool_kernel"] is None


def test_the_workflow_models_record_what_the_text_says():
    from nnrec.torch_models.nist36 import build_model

    g = layer_geometry(build_model("cnn", {"widths": [4, 8], "hidden": 16, "dropout": 0.0}))
    assert g["conv_kernel"] == 3 and g["pool_kernel"] == 2 and len(g["conv_kernels"]) == 4
