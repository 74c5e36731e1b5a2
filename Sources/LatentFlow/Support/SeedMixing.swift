/// Derives independent seeds from coordinates (a run seed, a step, an epoch…), so that every
/// random decision can be recomputed from where it happens alone — the basis of exact resume.
public enum SeedMixing {
    /// SplitMix64's finaliser: a bijection that spreads every input bit over the output.
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A seed from several values; their order matters.
    public static func combine(_ values: UInt64...) -> UInt64 {
        var h: UInt64 = 0x1F83_D9AB_FB41_BD6B
        for v in values { h = mix(h ^ mix(v)) }
        return h
    }
}
