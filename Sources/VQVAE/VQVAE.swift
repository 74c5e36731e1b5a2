/// VQVAE module.
