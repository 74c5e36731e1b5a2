/// Called by a trainer's step right after the backward pass and before clipping, with the
/// parameters the optimizer updates (their `grad` set). It may replace or rescale the gradients in
/// place: the seam for a data-parallel run, where every process averages its gradients with the
/// others' (an all-reduce) so that all take the same step. Clipping, the skip of non-finite steps
/// and the update then see the averaged gradients. nil (the default): nothing happens.
public typealias GradientHook = ([NamedParameter]) throws -> Void
