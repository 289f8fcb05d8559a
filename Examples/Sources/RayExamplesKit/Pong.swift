/// A small Pong seen as pixels, for the seed's Karpathy-style agent: the agent's paddle on the
/// right, an opponent on the left that follows the ball at half its speed (so angled shots beat
/// it), a ball that bounces off the top and bottom walls and the paddles. A point is +1 for the
/// agent when the opponent misses, -1 when the agent does; a game ends at `pointsPerGame` points
/// or `maxSteps` steps. The agent sees the screen (`size` × `size` pixels, 1 where something
/// is), and moves its paddle up, down or not at all each step.
public struct Pong: Sendable {
    public enum Move: Int, Sendable { case up = 0, down = 1, stay = 2 }

    public let size: Int
    public let paddleHeight: Int
    public let pointsPerGame: Int
    public let maxSteps: Int
    public private(set) var ballX: Int, ballY: Int
    public private(set) var velocityX: Int, velocityY: Int
    public private(set) var agentY: Double, opponentY: Double
    public private(set) var pointsPlayed = 0
    public private(set) var score = 0
    public private(set) var steps = 0
    private var generator: SeededGenerator

    public init(size: Int = 24, paddleHeight: Int = 6, pointsPerGame: Int = 5, maxSteps: Int = 3000, seed: UInt64) {
        self.size = size
        self.paddleHeight = paddleHeight
        self.pointsPerGame = pointsPerGame
        self.maxSteps = maxSteps
        generator = SeededGenerator(seed: seed)
        agentY = Double(size - paddleHeight) / 2
        opponentY = agentY
        (ballX, ballY, velocityX, velocityY) = (0, 0, 0, 0)
        serve()
    }

    public var isOver: Bool { pointsPlayed >= pointsPerGame || steps >= maxSteps }

    /// The screen: size × size numbers, row by row, 1 where the ball or a paddle is.
    public var screen: [Float] {
        var pixels = [Float](repeating: 0, count: size * size)
        for y in Int(opponentY)..<min(size, Int(opponentY) + paddleHeight) { pixels[y * size] = 1 }
        for y in Int(agentY)..<min(size, Int(agentY) + paddleHeight) { pixels[y * size + size - 1] = 1 }
        pixels[ballY * size + ballX] = 1
        return pixels
    }

    /// One step: the paddles move, then the ball. Returns the point scored in it (-1, 0 or 1).
    @discardableResult
    public mutating func step(_ move: Move) -> Int {
        steps += 1
        let limit = Double(size - paddleHeight)
        switch move {
        case .up: agentY = max(0, agentY - 1)
        case .down: agentY = min(limit, agentY + 1)
        case .stay: break
        }
        let target = Double(ballY) - Double(paddleHeight) / 2
        opponentY = min(limit, max(0, opponentY + max(-0.5, min(0.5, target - opponentY))))
        ballY += velocityY
        if ballY < 0 || ballY >= size {
            velocityY = -velocityY
            ballY += 2 * velocityY
        }
        ballX += velocityX
        if ballX <= 0 {
            if hits(opponentY) {
                ballX = 1
                velocityX = 1
                velocityY = Int.random(in: -1...1, using: &generator)
            } else {
                return point(1)
            }
        } else if ballX >= size - 1 {
            if hits(agentY) {
                ballX = size - 2
                velocityX = -1
                velocityY = ballY < Int(agentY) + paddleHeight / 2 ? -1 : 1
            } else {
                return point(-1)
            }
        }
        return 0
    }

    private func hits(_ paddleY: Double) -> Bool {
        ballY >= Int(paddleY) - 1 && ballY <= Int(paddleY) + paddleHeight
    }

    private mutating func point(_ value: Int) -> Int {
        score += value
        pointsPlayed += 1
        serve()
        return value
    }

    /// The ball starts in the middle, heading for the agent at a random slope.
    private mutating func serve() {
        ballX = size / 2
        ballY = Int.random(in: 2..<(size - 2), using: &generator)
        velocityX = 1
        velocityY = Int.random(in: 0...1, using: &generator) == 0 ? -1 : 1
    }
}
