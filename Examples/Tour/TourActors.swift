import Distributed
import Foundation
import Ray

// The actors of the seed's "Actors" chapter.

distributed actor Counter: RayActor {
    typealias ActorSystem = RayActorSystem
    var value = 0

    init(actorSystem: RayActorSystem, arguments: NoArguments) {
        self.actorSystem = actorSystem
    }

    distributed func increment() -> Int {
        value += 1
        return value
    }
}

/// What one step of an environment returns (like gym's `step`).
struct StepResult: Codable, Sendable {
    var observation: [Double]
    var reward: Double
    var done: Bool
}

/// A simulation environment in the spirit of the seed's GymEnvironment: the classic cart-pole
/// balancing problem, simulated in Swift, living in its own worker process.
distributed actor CartPoleEnvironment: RayActor {
    typealias ActorSystem = RayActorSystem
    private var state: [Double] = [0, 0, 0, 0]  // cart position, cart velocity, pole angle, pole angular velocity
    private var steps = 0
    private var generator: SplitMix

    init(actorSystem: RayActorSystem, arguments seed: UInt64) {
        self.actorSystem = actorSystem
        generator = SplitMix(seed: seed)
    }

    distributed func reset() -> [Double] {
        state = (0..<4).map { _ in generator.uniform(-0.05, 0.05) }
        steps = 0
        return state
    }

    /// Applies a force to the left (0) or right (1) for 20 ms.
    distributed func step(_ action: Int) -> StepResult {
        let (gravity, cartMass, poleMass, halfPole, tau) = (9.8, 1.0, 0.1, 0.5, 0.02)
        let force = action == 1 ? 10.0 : -10.0
        let (x, xDot, theta, thetaDot) = (state[0], state[1], state[2], state[3])
        let total = cartMass + poleMass
        let temp = (force + poleMass * halfPole * thetaDot * thetaDot * sin(theta)) / total
        let thetaAcc = (gravity * sin(theta) - cos(theta) * temp)
            / (halfPole * (4.0 / 3.0 - poleMass * cos(theta) * cos(theta) / total))
        let xAcc = temp - poleMass * halfPole * thetaAcc * cos(theta) / total
        state = [x + tau * xDot, xDot + tau * xAcc, theta + tau * thetaDot, thetaDot + tau * thetaAcc]
        steps += 1
        let done = abs(state[0]) > 2.4 || abs(state[2]) > 0.2095 || steps >= 200
        return StepResult(observation: state, reward: 1, done: done)
    }
}

/// A small deterministic random number generator, so each environment is reproducible.
struct SplitMix {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func uniform(_ low: Double, _ high: Double) -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return low + (high - low) * Double(z >> 11) / Double(1 << 53)
    }
}
