import Dispatch
import Glibc
import Synchronization

/// Waits for SIGTERM or SIGINT; the watch starts at creation, so none sent after it is lost.
///
/// Once a signal has been watched, it no longer takes its default action (ending the
/// process) for the rest of the process's life; see `SignalRelay`.
public final class TerminationSignal: Sendable {
    private let received = Atomic<Int32>(0)
    private let arrived = DispatchSemaphore(value: 0)
    private let registrations = Mutex<[SignalRelay.Registration]>([])

    /// Starts watching SIGTERM and SIGINT.
    public init() {
        let made = [SIGTERM, SIGINT].map { number in
            SignalRelay.shared.register(number) { [weak self] in
                self?.deliver(number)
            }
        }
        registrations.withLock { $0 = made }
    }

    deinit {
        let made = registrations.withLock { $0 }
        made.forEach(SignalRelay.shared.unregister)
    }

    private func deliver(_ number: Int32) {
        received.store(number, ordering: .sequentiallyConsistent)
        arrived.signal()
    }

    /// Blocks the calling thread until SIGTERM or SIGINT arrives and returns its number.
    public func wait() -> Int32 {
        arrived.wait()
        return received.load(ordering: .sequentiallyConsistent)
    }

    /// Blocks until SIGTERM or SIGINT arrives or `timeout` passes; nil on timeout.
    public func wait(timeout: Duration) -> Int32? {
        let (seconds, attoseconds) = timeout.components
        let nanoseconds =
            Int(clamping: seconds) * 1_000_000_000
            + Int(attoseconds / 1_000_000_000)
        guard arrived.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success else {
            return nil
        }
        return received.load(ordering: .sequentiallyConsistent)
    }
}

/// Calls a closure each time a signal such as SIGHUP arrives, until cancelled.
///
/// The closure runs on the relay's own thread, never inside the signal handler, so it may
/// take locks and allocate. A watched signal stays caught after `cancel`.
public final class SignalObserver: Sendable {
    private let registration: SignalRelay.Registration

    /// Starts calling `handler` for every `signalNumber` delivered to the process.
    public init(signal signalNumber: Int32, handler: @escaping @Sendable () -> Void) {
        registration = SignalRelay.shared.register(signalNumber, handler: handler)
    }

    /// Stops calling the handler; calling it twice is harmless.
    public func cancel() {
        SignalRelay.shared.unregister(registration)
    }

    deinit {
        cancel()
    }
}

/// The write end of the relay's pipe, read by the signal handler; -1 until set up.
nonisolated(unsafe) private var relayWriteDescriptor: Int32 = -1

/// The `sigaction` handler: writes the signal number to the pipe, which is all an
/// async-signal-safe handler may do.
private func relaySignalHandler(_ number: Int32) {
    let saved = errno
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(relayWriteDescriptor, &byte, 1)
    errno = saved
}

/// Turns process signals into closure calls on an ordinary thread, with a self-pipe:
/// the handler installed by `sigaction` writes the signal number, a dedicated queue
/// reads it and calls the registered closures.
final class SignalRelay: Sendable {
    /// One registered closure for one signal.
    struct Registration: Sendable {
        let number: Int32
        let id: Int
    }

    private struct State {
        var isStarted = false
        var nextID = 0
        var installed: Set<Int32> = []
        var handlers: [Int32: [Int: @Sendable () -> Void]] = [:]
    }

    static let shared = SignalRelay()

    private let state = Mutex(State())

    /// Registers `handler` for `number`, installing the `sigaction` handler on first use.
    func register(_ number: Int32, handler: @escaping @Sendable () -> Void) -> Registration {
        state.withLock { state in
            if !state.isStarted {
                state.isStarted = startReader()
            }
            if !state.installed.contains(number) {
                var action = sigaction()
                action.__sigaction_handler.sa_handler = relaySignalHandler
                action.sa_flags = SA_RESTART
                sigemptyset(&action.sa_mask)
                sigaction(number, &action, nil)
                state.installed.insert(number)
            }
            state.nextID += 1
            state.handlers[number, default: [:]][state.nextID] = handler
            return Registration(number: number, id: state.nextID)
        }
    }

    /// Forgets a registration; the signal stays caught.
    func unregister(_ registration: Registration) {
        state.withLock { state in
            state.handlers[registration.number]?[registration.id] = nil
        }
    }

    /// Creates the pipe and the reading loop; returns false if `pipe` failed.
    private func startReader() -> Bool {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            return false
        }
        let readDescriptor = ends[0]
        relayWriteDescriptor = ends[1]
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)

        DispatchQueue(label: "splitlane.signal-relay").async { [self] in
            var byte: UInt8 = 0
            while true {
                let count = read(readDescriptor, &byte, 1)
                if count == 1 {
                    dispatch(Int32(byte))
                } else if count == 0 || (count < 0 && errno != EINTR) {
                    return
                }
            }
        }
        return true
    }

    private func dispatch(_ number: Int32) {
        let handlers = state.withLock { Array(($0.handlers[number] ?? [:]).values) }
        for handler in handlers {
            handler()
        }
    }
}
