import RayExamplesKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A linear policy for the cart-pole: the push is tanh of a weighted sum of the state plus a
/// bias, so its parameters are 5 numbers.
public enum LinearPolicy {
    public static let parameterCount = 5

    public static func push(_ parameters: UnsafeBufferPointer<Float>, _ state: [Double]) -> Double {
        var sum = Double(parameters[4])
        for i in 0..<4 { sum += Double(parameters[i]) * state[i] }
        return tanh(sum)
    }

    /// The reward of one episode from the start `seed` gives (how many steps the pole stays up).
    public static func episodeReward(_ parameters: [Float], seed: UInt64, maxSteps: Int) -> Double {
        var generator = SeededGenerator(seed: seed)
        var pole = CartPole.random(maxSteps: maxSteps, using: &generator)
        var reward = 0.0
        parameters.withUnsafeBufferPointer { p in
            while !pole.isDone { reward += pole.step(push: push(p, pole.state)) }
        }
        return reward
    }
}
