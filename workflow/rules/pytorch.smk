# Q6.1.1-Q6.1.3: PyTorch on NIST36 (FC, CNN) and CIFAR-10, all through nnrec.torch_models.loop.
# Config section: pytorch. Every torch rule declares `gpu` (config pytorch.gpus, default 0) so a
# cluster profile or GPU user can ask for one; the scripts use CUDA whenever it is present
# (pytorch.device: auto).

PT = config["pytorch"]


rule torch_nist36_fc:
    """Q6.1.1: the Q3 network in PyTorch, from the numpy run's initial weights and batches (the run at
    the rate Q3.2's sweep chose, unless pytorch.nist36_fc.numpy_lr names one)."""
    input:
        prov=prov("nist36"),
        numpy_metrics=fc_numpy_file("metrics.json"),
        numpy_init=fc_numpy_file("weights_init.npz"),
    output:
        metrics="results/pytorch/nist36_fc/metrics.json",
        model="results/pytorch/nist36_fc/model.pt",
        model_sha256=checksum("results/pytorch/nist36_fc/model.pt"),
        curves="results/pytorch/nist36_fc/curves.png",
        crosscheck="results/pytorch/nist36_fc/crosscheck.png",
    log:
        "logs/pytorch/nist36_fc.log",
    benchmark:
        "benchmarks/pytorch/nist36_fc.tsv"
    cache: cache_mode()
    threads: PT["threads"]
    resources:
        **torch_resources("pytorch", 2000, 20),
    params:
        cache_key=cache_key("torch_nist36.py", "nist36"),
        arch="fc",
        top_pairs=config["numpy_nn"]["q3"]["top_pairs"],  # the test confusion's pairs, as Q3.4 lists them
        cfg=PT["nist36_fc"],
        seed=PT["seed"],
        device=PT["device"],
    script:
        "../scripts/torch_nist36.py"


rule torch_nist36_cnn:
    """Q6.1.2: a CNN on NIST36."""
    input:
        prov=prov("nist36"),
    output:
        metrics="results/pytorch/nist36_cnn/metrics.json",
        model="results/pytorch/nist36_cnn/model.pt",
        model_sha256=checksum("results/pytorch/nist36_cnn/model.pt"),
        curves="results/pytorch/nist36_cnn/curves.png",
    log:
        "logs/pytorch/nist36_cnn.log",
    benchmark:
        "benchmarks/pytorch/nist36_cnn.tsv"
    cache: cache_mode()
    priority: PRIORITY["torch_nist36_cnn"]
    threads: PT["threads"]
    resources:
        **torch_resources("pytorch", 2000, 30),
    params:
        cache_key=cache_key("torch_nist36.py", "nist36"),
        arch="cnn",
        top_pairs=config["numpy_nn"]["q3"]["top_pairs"],  # the test confusion's pairs, as Q3.4 lists them
        cfg=PT["nist36_cnn"],
        seed=PT["seed"],
        device=PT["device"],
    script:
        "../scripts/torch_nist36.py"


rule torch_cifar10:
    """Q6.1.3: the airbench-style CNN on CIFAR-10 (curves, test accuracy)."""
    input:
        prov=prov("cifar10"),
    output:
        metrics="results/pytorch/cifar10/metrics.json",
        model="results/pytorch/cifar10/model.pt",
        model_sha256=checksum("results/pytorch/cifar10/model.pt"),
        curves="results/pytorch/cifar10/curves.png",
    log:
        "logs/pytorch/cifar10.log",
    benchmark:
        "benchmarks/pytorch/cifar10.tsv"
    cache: cache_mode()
    priority: PRIORITY["torch_cifar10"]
    threads: PT["threads"]
    resources:
        **torch_resources("pytorch", 6000, 40),
    params:
        cache_key=cache_key("torch_cifar10.py", "cifar10"),
        cfg=PT["cifar10"],
        seed=PT["seed"],
        device=PT["device"],
    script:
        "../scripts/torch_cifar10.py"


rule torch_q6_1_summary:
    """FC vs CNN table and curves; headline numbers of Q6.1.1-Q6.1.3."""
    input:
        fc="results/pytorch/nist36_fc/metrics.json",
        cnn="results/pytorch/nist36_cnn/metrics.json",
        cifar10="results/pytorch/cifar10/metrics.json",
    output:
        compare="results/pytorch/q6_1/nist36_compare.json",
        figure="results/pytorch/q6_1/nist36_compare.png",
        headline="results/pytorch/q6_1/headline.json",
    log:
        "logs/pytorch/q6_1_summary.log",
    benchmark:
        "benchmarks/pytorch/q6_1_summary.tsv"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/torch_q6_1_summary.py"
