import Testing
import RayCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Cycles, deep nesting and malformed input end in errors, never in a crash.
@Suite struct CodecRobustnessTests {
    typealias F = CodecFixtures

    static func cycleError(maxDepth: Int = ValueEncoder.defaultMaxDepth) -> String? {
        let node = F.Node(value: 1)
        node.next = node
        defer { node.next = nil }
        do {
            _ = try ValueEncoder(maxDepth: maxDepth).encode(node)
            return nil
        } catch EncodingError.invalidValue(_, let context) {
            return context.debugDescription
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func cycleFailsWithTheDepthError() {
        #expect(Self.cycleError() == "This object exceeds the maximum recursion depth (1000) while encoding Node. It may contain itself recursively.")
        #expect(Self.cycleError(maxDepth: 10)?.contains("(10)") == true)
    }

    /// The default limits must be reached before the stack runs out on the smallest stack that
    /// encodes or decodes values (a connection thread's), even in a debug build.
    @Test func depthLimitsHoldOnAConnectionThreadsStack() throws {
        let message = Self.onThread(stackSize: Self.smallestStack) { Self.cycleError() }
        #expect(message?.hasPrefix("This object exceeds the maximum recursion depth (1000)") == true)

        var chain = F.Node(value: 0)
        for value in 1..<2000 {
            chain = F.Node(value: value, next: chain)
        }
        var tree = F.Tree.leaf(1)
        for _ in 0..<2000 {
            tree = .branch([tree])
        }
        let encoder = ValueEncoder(maxDepth: 5000)
        let chainBytes = try encoder.encode(chain).bytes, treeBytes = try encoder.encode(tree).bytes
        let messages = Self.onThread(stackSize: Self.smallestStack) {
            [Result { try ValueDecoder().decode(F.Node.self, from: chainBytes).value },
             Result { try ValueDecoder().decode(F.Tree.self, from: treeBytes) == .leaf(0) ? 1 : 0 }].map { result in
                guard case .failure(let error) = result else { return "decoded" }
                return "\(error)"
            }
        }
        #expect(messages.allSatisfy { $0.contains("maximum nesting depth (1000)") }, "\(messages)")
    }

    @Test func cycleFailsInsideATask() async {
        let message = await Task.detached { Self.cycleError() }.value
        #expect(message?.hasPrefix("This object exceeds the maximum recursion depth (1000)") == true)
    }

    @Test func deepButFiniteValuesWithinTheLimit() throws {
        var chain = F.Node(value: 0)
        for value in 1..<999 {
            chain = F.Node(value: value, next: chain)
        }
        var decoded: F.Node? = try F.roundTrip(chain)
        var count = 0
        while let node = decoded {
            count += 1
            decoded = node.next
        }
        #expect(count == 999)
    }

    @Test func deepInputFailsToDecodeIntoARecursiveType() throws {
        var tree = F.Tree.leaf(1)
        for _ in 0..<1500 {
            tree = .branch([tree])
        }
        let bytes = try ValueEncoder(maxDepth: 5000).encode(tree).bytes
        #expect(try ValueDecoder(maxDepth: 5000).decode(F.Tree.self, from: bytes) == tree)
        do {
            _ = try ValueDecoder().decode(F.Tree.self, from: bytes)
            Issue.record("expected a depth error")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.debugDescription.contains("maximum nesting depth (1000)"))
        }

        // 100,000 nested one-element arrays: skipped without recursion, rejected by type.
        let hostile = [0x81, 0xa1, 0x78] + [UInt8](repeating: 0x91, count: 100_000) + [0x01]
        #expect(throws: DecodingError.self) { try ValueDecoder().decode(F.Tree.self, from: hostile) }
        #expect(throws: DecodingError.self) { try ValueDecoder().decode([String: [[Int]]].self, from: hostile) }
        #expect(throws: DecodingError.self) { try ValueDecoder().decode(F.Point.self, from: hostile) }
    }

    @Test func hostileHeadersThrow() {
        let decoder = ValueDecoder()
        let inputs: [[UInt8]] = [
            [], [0xc1], [0xdd, 0xff, 0xff, 0xff, 0xff, 0x01], [0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 0x61],
            [0xdb, 0xff, 0xff, 0xff, 0xff, 0x61], [0xc9, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01], [0xcb, 0x3f],
            [0xc7, 0x03, 0x02, 0x0b, 0, 0], [0xc7, 0x04, 0x02, 0x02, 0, 0, 0], [0xc7, 0x00, 0x02], [0xc7, 0x05, 0x01, 1, 2, 3, 4, 5],
            [0x81, 0x01, 0x02], [0xa2, 0xff, 0xfe],
        ]
        for input in inputs {
            #expect(throws: DecodingError.self, "\(input)") { try decoder.decode(F.Sample.self, from: input) }
            #expect(throws: DecodingError.self, "\(input)") { try decoder.decode([Double].self, from: input) }
            #expect(throws: DecodingError.self, "\(input)") { try decoder.decode(String.self, from: input) }
            #expect(throws: DecodingError.self, "\(input)") { try decoder.decode(F.Reference.self, from: input) }
        }
        do {
            _ = try decoder.decode(F.Point.self, from: [0xdf, 0x00, 0x00, 0x00, 0x02, 0xa1, 0x78, 0xcb, 0x3f])
            Issue.record("expected corrupted data")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.debugDescription.contains("unexpected end of input"))
            #expect(context.debugDescription.contains("at byte offset 8"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func everyTruncationThrows() throws {
        let holder = F.Holder(main: F.Reference(F.sampleID), others: [F.Reference(F.sampleID)], maybe: F.Reference(F.sampleID))
        let encodings = [try F.bytes(F.sample), try F.bytes(holder), try F.bytes([F.sample, F.sample])]
        for bytes in encodings {
            for length in 0..<bytes.count {
                let prefix = Array(bytes[..<length])
                #expect(throws: DecodingError.self) { try ValueDecoder().decode(F.Sample.self, from: prefix) }
                #expect(throws: DecodingError.self) { try ValueDecoder().decode(F.Holder.self, from: prefix) }
                #expect(throws: DecodingError.self) { try ValueDecoder().decode([F.Sample].self, from: prefix) }
            }
        }
    }

    /// Random bytes and random corruptions of valid encodings decode or throw, but never crash.
    @Test func fuzzedInputNeverCrashes() throws {
        var random = CodecRandom(seed: 0x5EED)
        let valid = try F.bytes(F.sample)
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0...48, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                bytes = valid
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            }
            Self.decodeEverything(bytes)
        }
    }

    private static func decodeEverything(_ bytes: [UInt8]) {
        let decoder = ValueDecoder()
        _ = try? decoder.decode(F.Sample.self, from: bytes)
        _ = try? decoder.decode(F.Holder.self, from: bytes)
        _ = try? decoder.decode(F.Tree.self, from: bytes)
        _ = try? decoder.decode([String: [Double]].self, from: bytes)
        _ = try? decoder.decode([Int?].self, from: bytes)
        _ = try? decoder.decode([F.Shape].self, from: bytes)
        _ = try? decoder.decode(String.self, from: bytes)
        _ = try? decoder.decode(Int.self, from: bytes)
        _ = try? decoder.decode(F.Dog.self, from: bytes)
    }

    /// `FramedConnection.threadStackSize`, the stack of the threads that run tasks (RayCore's
    /// tests cannot see RayTransport).
    private static let smallestStack = 8 << 20

    /// Runs `body` on a new thread with the given stack size and returns its result.
    private static func onThread<R: Sendable>(stackSize: Int, _ body: @escaping @Sendable () -> R) -> R {
        nonisolated(unsafe) var result: R?
        let job = ThreadJob { result = body() }
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, stackSize)
        defer { pthread_attr_destroy(&attributes) }
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let created = pthread_create(&thread, &attributes, { context in
            Unmanaged<ThreadJob>.fromOpaque(context!).takeUnretainedValue().run()
            return nil
        }, Unmanaged.passUnretained(job).toOpaque())
        precondition(created == 0, "pthread_create failed")
        #if canImport(Glibc)
        pthread_join(thread, nil)
        #else
        pthread_join(thread!, nil)
        #endif
        return result!
    }
}

/// The work of `onThread`, handed to the thread; the join orders its accesses to the result.
private final class ThreadJob: @unchecked Sendable {
    let run: () -> Void

    init(_ run: @escaping () -> Void) {
        self.run = run
    }
}
