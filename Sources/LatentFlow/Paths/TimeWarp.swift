/// The time shift of Stable Diffusion 3 ("resolution-dependent shifting"), written for this
/// project's direction of time (noise at t = 0): t ↦ t / (s − (s − 1)·t).
///
/// It maps [0, 1] onto itself, keeps both ends, and for s > 1 moves every time towards the noise
/// end (t = 1/2 goes to 1/(s+1)), where the flow does most of its work; s = 1 is the identity,
/// s < 1 favours the data end. Training uses it to warp sampled times, samplers to warp their grid.
public enum TimeWarp {
    public static func shift(_ t: Float, by s: Float) -> Float {
        guard s != 1 else { return t }
        return t / (s - (s - 1) * t)
    }
}
