import TensorCore

extension VelocityUNet {
    /// Sets to zero the last layer of every residual branch — each residual block's second
    /// convolution, each attention block's output projection — and the network's output
    /// convolution, weights and biases (ADM, Dhariwal & Nichol 2021; the DiT's adaLN-Zero is the
    /// same idea). The network then starts as the identity on its skip paths and predicts a zero
    /// velocity, so early steps do not have to undo the random branches' noise; the first step
    /// moves only the output convolution, the next ones everything. Called after construction, so
    /// the random draws of every other weight stay those of the default initialisation.
    public func zeroInitialiseBranchOutputs() {
        var convolutions: [Conv2d] = [
            outputConv, middleBlock1.conv2, middleBlock2.conv2, middleAttention.outputProjection,
        ]
        for step in downSteps {
            switch step {
            case .residual(let block): convolutions.append(block.conv2)
            case .attention(let attention): convolutions.append(attention.outputProjection)
            case .downsample: break
            }
        }
        for step in upSteps {
            switch step {
            case .residual(let block): convolutions.append(block.conv2)
            case .attention(let attention): convolutions.append(attention.outputProjection)
            case .upsample, .conv: break
            }
        }
        for convolution in convolutions {
            convolution.weight.value = Tensor(zeros: convolution.weight.value.shape)
            if let bias = convolution.bias { bias.value = Tensor(zeros: bias.value.shape) }
        }
    }
}
