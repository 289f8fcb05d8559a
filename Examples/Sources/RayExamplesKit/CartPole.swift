#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The cart-pole of Barto, Sutton and Anderson (1983), with the constants and Euler steps of
/// OpenAI Gym's `CartPole-v1`: a pole hinged on a cart that a force pushes left or right; an
/// episode ends when the pole leans past 12° or the cart leaves ±2.4, or after `maxSteps`. The
/// force is continuous (a fraction of 10 N each way) for evolution strategies, or one of the two
/// full pushes for policy gradients; the reward is 1 per step the pole stays up.
public struct CartPole: Sendable {
    public static let gravity = 9.8, cartMass = 1.0, poleMass = 0.1, halfPoleLength = 0.5, forceMagnitude = 10.0, tau = 0.02
    public static let thetaLimit = 12 * 2 * Double.pi / 360, xLimit = 2.4

    /// Cart position and velocity, pole angle (from upright) and angular velocity.
    public private(set) var state: [Double]
    public private(set) var steps = 0
    public let maxSteps: Int

    public init(maxSteps: Int = 500, state: [Double] = [0, 0, 0, 0]) {
        self.maxSteps = maxSteps
        self.state = state
    }

    /// A start drawn uniformly from ±0.05 in each coordinate, as in Gym.
    public static func random(maxSteps: Int = 500, using generator: inout SeededGenerator) -> CartPole {
        CartPole(maxSteps: maxSteps, state: (0..<4).map { _ in Double.random(in: -0.05...0.05, using: &generator) })
    }

    public var isDone: Bool {
        abs(state[0]) > Self.xLimit || abs(state[2]) > Self.thetaLimit || steps >= maxSteps
    }

    /// Applies a force of `push` × 10 N (`push` clamped to -1...1) for one step of 20 ms;
    /// returns the reward (1 while the pole is up).
    @discardableResult
    public mutating func step(push: Double) -> Double {
        let force = max(-1, min(1, push)) * Self.forceMagnitude
        let (x, xDot, theta, thetaDot) = (state[0], state[1], state[2], state[3])
        let totalMass = Self.cartMass + Self.poleMass
        let poleMassLength = Self.poleMass * Self.halfPoleLength
        let temp = (force + poleMassLength * thetaDot * thetaDot * sin(theta)) / totalMass
        let thetaAcc = (Self.gravity * sin(theta) - cos(theta) * temp)
            / (Self.halfPoleLength * (4.0 / 3.0 - Self.poleMass * cos(theta) * cos(theta) / totalMass))
        let xAcc = temp - poleMassLength * thetaAcc * cos(theta) / totalMass
        state = [x + Self.tau * xDot, xDot + Self.tau * xAcc, theta + Self.tau * thetaDot, thetaDot + Self.tau * thetaAcc]
        steps += 1
        return isDone && steps < maxSteps ? 0 : 1
    }
}
