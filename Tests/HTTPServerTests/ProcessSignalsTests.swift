import Glibc
import HTTPServer
import Testing

@Suite(.serialized) struct ProcessSignalsTests {
    @Test func hangupObserverIsCalledForEachSignal() {
        let counter = CallCounter()
        let observer = SignalObserver(signal: SIGHUP) { counter.record() }
        defer { observer.cancel() }

        kill(getpid(), SIGHUP)
        let first = eventually { counter.count >= 1 }

        #expect(first)
    }

    @Test func terminationWaitReturnsTheSignalReceived() {
        let termination = TerminationSignal()

        kill(getpid(), SIGTERM)
        let received = termination.wait(timeout: .seconds(10))

        #expect(received == SIGTERM)
    }

    @Test func terminationWaitTimesOutWithoutASignal() {
        let termination = TerminationSignal()

        #expect(termination.wait(timeout: .milliseconds(50)) == nil)
    }
}
