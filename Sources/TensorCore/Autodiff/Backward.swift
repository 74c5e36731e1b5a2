extension Variable {
    /// Reverse-mode differentiation from this node, seeded with `seed` (default: ones, e.g.
    /// for a scalar loss). Gradients of nodes used several times are summed; leaf gradients
    /// accumulate into `grad`. The graph below this node is released as it is passed, so
    /// activations are freed and a second backward through the same graph is not possible.
    ///
    /// `onLeafGradient` is called for each leaf as soon as its gradient of this pass is final
    /// (all its uses are differentiated), while the rest of backward is still to run: what lets
    /// data-parallel training reduce gradients during backward.
    public func backward(seed: Tensor? = nil, onLeafGradient: ((Variable) -> Void)? = nil) {
        let seed = seed ?? Tensor(shape: value.shape, repeating: 1)
        precondition(
            seed.shape == value.shape,
            "backward: seed shape \(seed.shape) does not match the value's shape \(value.shape)")
        guard requiresGrad else { return }

        let order = topologicalOrder()
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        for node in order.reversed() {
            guard let gradient = pending.removeValue(forKey: ObjectIdentifier(node)) else {
                node.release()
                continue
            }
            guard let backwardFunction = node.backwardFunction else {
                node.accumulate(gradient)
                onLeafGradient?(node)
                continue
            }
            let inputGradients = backwardFunction(gradient)
            precondition(
                inputGradients.count == node.inputs.count,
                "backward of \(node.operation): \(inputGradients.count) gradients for \(node.inputs.count) inputs")
            for (input, g) in zip(node.inputs, inputGradients) {
                guard input.requiresGrad, let g else { continue }
                precondition(
                    g.shape == input.value.shape,
                    "backward of \(node.operation): gradient \(g.shape) for an input of shape \(input.value.shape)")
                let key = ObjectIdentifier(input)
                if var existing = pending[key] {
                    existing.addInPlace(g)
                    pending[key] = existing
                } else {
                    pending[key] = g
                }
            }
            node.release()
        }
    }

    private func accumulate(_ gradient: Tensor) {
        if grad == nil {
            grad = gradient
        } else {
            grad!.addInPlace(gradient)
        }
    }

    /// Drops the links to the inputs and the closure (with the activations it holds).
    private func release() {
        backwardFunction = nil
        inputs = []
    }

    /// Nodes reachable from this one that need gradients, inputs before the nodes that use them.
    private func topologicalOrder() -> [Variable] {
        var order: [Variable] = []
        var visited = Set<ObjectIdentifier>()
        // Iterative depth-first search: deep networks would overflow a recursive one.
        var stack: [(node: Variable, expanded: Bool)] = [(self, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded {
                order.append(node)
                continue
            }
            let id = ObjectIdentifier(node)
            if visited.contains(id) { continue }
            visited.insert(id)
            stack.append((node, true))
            for input in node.inputs where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        return order
    }
}
