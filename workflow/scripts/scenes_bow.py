"""Q6.1.4: the HW1 bag-of-visual-words system on the SUN subset (same split as the CNN)."""

import time
from pathlib import Path

from nnrec.common import config_hash, get_logger, save_figure, set_threads, write_json

sm = snakemake  # noqa: F821
log = get_logger("scenes_bow", sm.log[0])
set_threads(1)  # one BLAS thread per worker process; the workers use the rule's threads

from nnrec.data.missing import skip_if_missing  # noqa: E402

if skip_if_missing(sm, [sm.input.prov]):
    log.warning("SUN data unavailable: wrote 'missing' placeholders")
    raise SystemExit(0)

from nnrec.bow import BowSettings, run_bow  # noqa: E402
from nnrec.data import describe_source  # noqa: E402
from nnrec.torch_models.scenes import load_scene_splits, plot_confusion  # noqa: E402

t0 = time.perf_counter()
cfg, seed = dict(sm.params.cfg), int(sm.params.seed)
data_dir = Path(sm.input.prov).parent
train, test = load_scene_splits(data_dir, sm.params.max_per_class)
source = describe_source(sm.input.prov)
settings = BowSettings.from_config(cfg)
log.info(f"train={len(train['y'])} test={len(test['y'])} settings={settings} workers={sm.threads}; data: {source}")
res = run_bow(train["x"], train["y"], test["x"], test["y"], settings, seed, workers=int(sm.threads), logger=log)
classes = [str(c) for c in train["classes"]]
log.info(f"test accuracy: NN (histogram intersection, k={settings.knn_k}) {res['test_acc_nn']:.4f}, "
         f"linear {res['test_acc_linear']:.4f}; {res['time_total_s']:.0f}s")
save_figure(plot_confusion(res["confusion_nn"], classes, "SUN bag of words (NN, intersection)"), sm.output.confusion)
metrics = {
    "part": "q6_1_4", "experiment": "sun_bow",
    "method": f"HW1 bag of words: {3 * 4 * len(settings.scales)} filter responses (Lab), k-means K={settings.k}, "
              f"{settings.layers}-level spatial pyramid, {'nearest neighbour' if settings.knn_k <= 1 else f'{settings.knn_k}-NN'} "
              "with histogram intersection",
    "test_acc": res["test_acc_nn"], "test_acc_nn": res["test_acc_nn"], "test_acc_linear": res["test_acc_linear"],
    "confusion_nn": res["confusion_nn"], "confusion_linear": res["confusion_linear"], "classes": classes,
    "feature_dim": int(res["train_features"].shape[1]),
    "time_dictionary_s": res["time_dictionary_s"], "time_features_s": res["time_features_s"],
    "train_time_s": res["time_total_s"], "workers": int(sm.threads),
    "n_train": int(len(train["y"])), "n_test": int(len(test["y"])),
    "seed": seed, "config": cfg, "config_hash": config_hash(cfg), "data_source": source,
    "wall_time_s": time.perf_counter() - t0,
}
write_json(sm.output.metrics, metrics)
