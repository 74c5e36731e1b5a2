/// LatentFlow module.
