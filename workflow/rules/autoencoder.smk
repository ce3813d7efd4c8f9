# Q5: the numpy autoencoder, PSNR and the PCA baseline (docs/architecture.md for conventions).
# Config section: autoencoder. Each entry of autoencoder.runs is its own target; the first one
# is the assignment's defaults and gives the headline number.

AE = config["autoencoder"]
AE_RUNS = autoencoder_runs()
AE_SHARED = {k: AE[k] for k in ("seed", "code_size", "batch_size", "momentum", "loss_reduction", "dtype")}


rule autoencoder_train:
    input:
        prov=prov("nist36"),
    output:
        metrics="results/autoencoder/{run}/metrics.json",
        weights="results/autoencoder/{run}/weights.npz",
        weights_sha256=checksum("results/autoencoder/{run}/weights.npz"),
    log:
        "logs/autoencoder/train_{run}.log",
    benchmark:
        "benchmarks/autoencoder/train_{run}.tsv"
    wildcard_constraints:
        run="|".join(AE_RUNS),
    cache: cache_mode()
    threads: 1
    resources:
        mem_mb=1500,
        runtime=20,
    params:
        cache_key=cache_key("autoencoder_train.py", "nist36"),
        cfg=AE_SHARED,
        run=lambda w: AE["runs"][w.run],
    script:
        "../scripts/autoencoder_train.py"


rule autoencoder_summary:
    input:
        prov=prov("nist36"),
        metrics=expand("results/autoencoder/{run}/metrics.json", run=AE_RUNS),
        weights=expand("results/autoencoder/{run}/weights.npz", run=AE_RUNS),
    output:
        metrics="results/autoencoder/metrics.json",
        recon_fig="results/autoencoder/reconstructions.png",
        loss_fig="results/autoencoder/loss.png",
        psnr_fig="results/autoencoder/psnr_per_class.png",
        headline="results/autoencoder/headline.json",
    log:
        "logs/autoencoder/summary.log",
    benchmark:
        "benchmarks/autoencoder/summary.tsv"
    threads: 1
    resources:
        mem_mb=2500,
        runtime=10,
    params:
        cfg=AE_SHARED | {k: AE[k] for k in ("pca_components", "show_classes", "show_per_class", "gradcheck")},
        runs={run: f"results/autoencoder/{run}" for run in AE_RUNS},  # {name: folder}, read by name
    script:
        "../scripts/autoencoder_summary.py"
