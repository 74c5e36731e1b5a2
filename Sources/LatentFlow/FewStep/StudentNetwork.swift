import TensorCore

extension FlowModel {
    /// A trainable copy of this (teacher) network for `method`: the same weights, and for a
    /// shortcut student the step-size input, whose zero-initialised last layer makes the copy
    /// the teacher at every step size to begin with.
    public func student(for method: FewStepMethod) throws -> VelocityUNet {
        var config = network.config
        config.stepSizeConditioned = method.conditionsOnStepSize ? true : nil
        var generator = SeededGenerator(seed: 0)
        let student = VelocityUNet(config, generator: &generator)
        // The teacher's weights wherever the student has the parameter; the new input's own start.
        var state: [String: Tensor] = [:]
        let teacher = network.stateDictionary()
        for (name, variable) in student.namedParameters() { state[name] = teacher[name] ?? variable.value }
        try student.loadStateDictionary(state, source: "teacher weights")
        return student
    }
}
