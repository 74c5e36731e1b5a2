/// Derives independent generator seeds from several integers (a seed, an epoch, a batch…), so
/// that every random decision can be recomputed from its coordinates alone, in any order.
enum SeedMixer {
    /// SplitMix64's finaliser: a bijection that spreads every input bit over the output.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func combine(_ values: UInt64...) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        for v in values { h = mix(h ^ mix(v)) }
        return h
    }
}
