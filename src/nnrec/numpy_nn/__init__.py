"""Numpy-only fully connected networks (Q2, Q3, Q5): no autograd, one module per concept.

The assignment's function names are kept: ``initialize_weights``, ``sigmoid``, ``forward``,
``softmax``, ``compute_loss_and_acc``, ``backwards``, ``get_random_batches``.

Rebuilding a Q3 run elsewhere (e.g. in PyTorch) with the same weights and batches::

    init_rng, batch_rng = run_rngs(seed)                       # seed = numpy_nn.seed or a repeat seed
    params = init_mlp([1024, 64, 36], init_rng, dtype=np.float32)   # == the run's weights_init.npz
    # torch.nn.Linear(1024, 64).weight = params["Wlayer1"].T, .bias = params["blayer1"]; same for "output"
    for epoch in range(epochs):
        for idx in batch_indices(len(x_train), batch_size, batch_rng):   # one permutation per epoch
            ...  # cross-entropy summed over the batch (numpy_nn.loss_reduction), plain SGD step

The trained classifier for OCR: ``load_classifier("results/numpy_nn/q3/best/weights.npz")(x) -> probs``.
"""

from .activations import (ACTIVATIONS, get_activation, linear, linear_deriv, relu, relu_deriv, sigmoid,
                          sigmoid_deriv, softmax, tanh, tanh_deriv)
from .autoencoder import (init_momentum, lr_at, make_autoencoder, pca_fit, pca_reconstruct, psnr_per_image,
                          train_autoencoder)
from .batches import batch_indices, get_random_batches, run_rngs
from .gradcheck import check_gradients, numerical_gradients, relative_error
from .init import init_mlp, initialize_weights, layer_names, xavier_bound
from .layers import backwards, forward
from .losses import (compute_loss_and_acc, one_hot, softmax_xent_delta, squared_error, squared_error_delta)
from .model import Network, load_classifier
from .optim import momentum_step, param_names, sgd_step
from .train import check_dataset, toy_data, train_classifier, train_epoch

__all__ = [n for n in dir() if not n.startswith("_")]
