import Dispatch
import Glibc
import RayCore
import RayTransport
import Synchronization

/// Requests sent to a service and waiting for their answer, by request number. Answers arrive on
/// the connection's reader thread; async callers resume through continuations, synchronous ones
/// through a semaphore.
final class PendingReplies: Sendable {
    private enum Waiter {
        case async(CheckedContinuation<Message, any Error>)
        case blocking(BlockingReply)
        case polled(PolledReply<Message>)
    }

    private let waiters = Mutex<(next: UInt64, byRequest: [UInt64: Waiter], failure: RayError?)>((1, [:], nil))
    /// Told the number of each request whose caller stopped waiting, so the service can forget it.
    private let onCancel: @Sendable (UInt64) -> Void

    init(onCancel: @escaping @Sendable (UInt64) -> Void = { _ in }) {
        self.onCancel = onCancel
    }

    /// Sends what `makeRequest` builds for a fresh request number and awaits the answer. When the
    /// calling task is cancelled, it throws `CancellationError` at once; an answer that comes
    /// later finds nobody waiting (`complete` returns false).
    func call(_ makeRequest: (UInt64) throws -> Void) async throws -> Message {
        let request = try reserve()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let failure = waiters.withLock { state -> (any Error)? in
                    if let failure = state.failure { return failure }
                    if Task.isCancelled { return CancellationError() }
                    state.byRequest[request] = .async(continuation)
                    return nil
                }
                if let failure { return continuation.resume(throwing: failure) }
                do {
                    try makeRequest(request)
                } catch {
                    if case let .async(waiter)? = waiters.withLock({ $0.byRequest.removeValue(forKey: request) }) {
                        waiter.resume(throwing: error)
                    }
                }
            }
        } onCancel: {
            cancel(request)
        }
    }

    /// The same, but the caller first polls for the answer for up to `budget` nanoseconds before
    /// it suspends: an answer that comes within the budget costs no wake-up of a suspended task's
    /// thread (the caller's executor keeps its thread meanwhile).
    func call(pollingFor budget: UInt64, _ makeRequest: (UInt64) throws -> Void) async throws -> Message {
        guard budget > 0 else { return try await call(makeRequest) }
        try Task.checkCancellation()
        let reply = PolledReply<Message>()
        let request = try send(for: .polled(reply), makeRequest)
        // An answer that comes while polling is returned with no await: the cancellation handler,
        // which makes the caller hop to the global pool and back (20-40 µs), is set up only to park.
        if reply.poll(for: budget), let answer = reply.takeResult() { return try answer.get() }
        return try await withTaskCancellationHandler {
            try await reply.value(pollingFor: 0)
        } onCancel: {
            cancel(request)
        }
    }

    /// The caller of `request` no longer waits: it throws `CancellationError`.
    private func cancel(_ request: UInt64) {
        guard let waiter = waiters.withLock({ $0.byRequest.removeValue(forKey: request) }) else { return }
        onCancel(request)
        switch waiter {
        case let .async(continuation): continuation.resume(throwing: CancellationError())
        case let .blocking(reply): reply.resolve(.failure(CancellationError()))
        case let .polled(reply): reply.resolve(.failure(CancellationError()))
        }
    }

    /// The same, blocking the calling thread (for synchronous API calls such as `put`). When the
    /// caller is the thread that reads the answers, `readOne` reads and delivers one message.
    func callBlocking(_ makeRequest: (UInt64) throws -> Void, readOne: (() throws -> Void)? = nil) throws -> Message {
        let reply = BlockingReply()
        try send(for: .blocking(reply), makeRequest)
        if let readOne {
            while !reply.isResolved { try readOne() }
        }
        return try reply.wait()
    }

    /// Registers `waiter` under a fresh request number and sends the request; if either fails,
    /// nothing stays registered.
    @discardableResult
    private func send(for waiter: Waiter, _ makeRequest: (UInt64) throws -> Void) throws -> UInt64 {
        let request = try reserve()
        let failure = waiters.withLock { state -> RayError? in
            if let failure = state.failure { return failure }
            state.byRequest[request] = waiter
            return nil
        }
        if let failure { throw failure }
        do {
            try makeRequest(request)
        } catch {
            waiters.withLock { _ = $0.byRequest.removeValue(forKey: request) }
            throw error
        }
        return request
    }

    private func reserve() throws -> UInt64 {
        try waiters.withLock { state in
            if let failure = state.failure { throw failure }
            defer { state.next += 1 }
            return state.next
        }
    }

    /// Delivers an answer; false when nobody waits for it.
    @discardableResult
    func complete(_ request: UInt64, with message: Message) -> Bool {
        guard let waiter = waiters.withLock({ $0.byRequest.removeValue(forKey: request) }) else { return false }
        switch waiter {
        case let .async(continuation): continuation.resume(returning: message)
        case let .blocking(reply): reply.resolve(.success(message))
        case let .polled(reply): reply.resolve(.success(message))
        }
        return true
    }

    /// Fails every waiting request, and all later ones, with `error`.
    func failAll(_ error: RayError) {
        let all = waiters.withLock { state -> [Waiter] in
            state.failure = state.failure ?? error
            defer { state.byRequest = [:] }
            return Array(state.byRequest.values)
        }
        for waiter in all {
            switch waiter {
            case let .async(continuation): continuation.resume(throwing: error)
            case let .blocking(reply): reply.resolve(.failure(error))
            case let .polled(reply): reply.resolve(.failure(error))
            }
        }
    }
}

/// One synchronous caller waiting for an answer.
final class BlockingReply: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private var result: Result<Message, any Error>?
    private let resolved = Atomic<Bool>(false)

    var isResolved: Bool { resolved.load(ordering: .acquiring) }

    func resolve(_ result: Result<Message, any Error>) {
        self.result = result
        resolved.store(true, ordering: .releasing)
        semaphore.signal()
    }

    func wait() throws -> Message {
        semaphore.wait()
        return try result!.get()
    }
}

/// One answer that its caller polls for, then suspends for if it has not come yet: an answer
/// that comes within the polling budget costs no wake-up of a suspended task's thread.
final class PolledReply<Value: Sendable>: Sendable {
    private let state = Mutex<(result: Result<Value, any Error>?, continuation: CheckedContinuation<Value, any Error>?)>((nil, nil))

    var hasResult: Bool { state.withLock { $0.result != nil } }

    func resolve(_ result: Result<Value, any Error>) {
        let parked = state.withLock { state in
            defer { state.continuation = nil }
            if state.continuation == nil { state.result = result }
            return state.continuation
        }
        parked?.resume(with: result)
    }

    /// The answer, if it came (and nobody parked for it).
    func takeResult() -> Result<Value, any Error>? {
        state.withLock { $0.result }
    }

    /// Polls for the answer for up to `budget` nanoseconds; whether it came.
    func poll(for budget: UInt64) -> Bool {
        let deadline = BusyPoll.now() + budget
        while !hasResult && BusyPoll.now() < deadline { sched_yield() }
        return hasResult
    }

    /// The answer: polled for up to `budget` nanoseconds, then awaited.
    func value(pollingFor budget: UInt64) async throws -> Value {
        _ = poll(for: budget)
        return try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state in
                if state.result == nil { state.continuation = continuation }
                return state.result
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
