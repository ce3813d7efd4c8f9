"""Q6.1.4: the HW1 bag-of-visual-words system on the SUN subset (same split as the CNN)."""

from nnrec.workflow import start

job = start(snakemake, blas_threads=1)  # noqa: F821  (one BLAS thread per worker; the rule's threads are workers)

from nnrec.bow import BowSettings, run_bow
from nnrec.common import save_figure, write_json
from nnrec.plots import plot_confusion
from nnrec.torch_models.scenes import load_scene_splits

sm = snakemake  # noqa: F821
cfg, seed, workers = dict(sm.params.cfg), int(sm.params.seed), int(sm.threads)
train, test = load_scene_splits(job.data_dir, sm.params.max_per_class)
settings = BowSettings.from_config(cfg)
job.log.info(f"train={len(train['y'])} test={len(test['y'])} settings={settings} workers={workers}; data: {job.source}")
res = run_bow(train["x"], train["y"], test["x"], test["y"], settings, seed, workers=workers, logger=job.log)
classes = [str(c) for c in train["classes"]]
job.log.info(f"test accuracy: NN (histogram intersection, k={settings.knn_k}) {res['test_acc_nn']:.4f}, "
             f"linear {res['test_acc_linear']:.4f}; {res['time_total_s']:.0f}s")
save_figure(plot_confusion(res["confusion_nn"], classes, "SUN bag of words (NN, intersection)"), sm.output.confusion)
classifier = "nearest neighbour" if settings.knn_k <= 1 else f"{settings.knn_k}-NN"
write_json(sm.output.metrics, {
    "part": "q6_1_4", "experiment": "sun_bow",
    "method": f"HW1 bag of words: {3 * 4 * len(settings.scales)} filter responses (Lab), k-means K={settings.k}, "
              f"{settings.layers}-level spatial pyramid, {classifier} with histogram intersection",
    "test_acc": res["test_acc_nn"], "test_acc_nn": res["test_acc_nn"], "test_acc_linear": res["test_acc_linear"],
    "confusion_nn": res["confusion_nn"], "confusion_linear": res["confusion_linear"], "classes": classes,
    "feature_dim": int(res["train_features"].shape[1]),
    "time_dictionary_s": res["time_dictionary_s"], "time_features_s": res["time_features_s"],
    "train_time_s": res["time_total_s"], "workers": workers,
    "n_train": int(len(train["y"])), "n_test": int(len(test["y"])), "config": cfg,
    **job.meta(cfg, seed=seed),
})
