import CMicroHTTPD
import Synchronization

/// The handle a handler uses to answer its request, once, from any thread, now or later.
///
/// Handler contract: every request must be answered exactly once. The server never
/// answers on the handler's behalf while it runs; a request left unanswered holds its
/// connection (suspended, without a timeout) until `HTTPServer.stop(drainTimeout:)`
/// answers it with 503 after the drain timeout.
public struct HTTPResponder: Sendable {
    let state: RequestState

    /// Sends `response`; returns false when the request was already answered or closed.
    ///
    /// Calls libmicrohttpd's `MHD_resume_connection` when the handler has already returned.
    @discardableResult
    public func respond(_ response: HTTPResponse) -> Bool {
        state.respond(response)
    }
}

/// The life of one request, shared by the libmicrohttpd thread and the responder.
final class RequestState: Sendable {
    /// Where the request stands; every transition happens under `slot`'s lock.
    enum Phase {
        /// Headers are in; the body is being read.
        case receiving
        /// The body outgrew the limit; the rest is discarded and 413 is sent at its end.
        case rejecting(discarded: Int)
        /// The handler is running on the daemon thread.
        case handling
        /// The handler returned without answering; the connection is suspended.
        case suspended
        /// An answer is waiting to be queued by the daemon thread.
        case responded(HTTPResponse)
        /// A response has been queued with libmicrohttpd.
        case queued
        /// libmicrohttpd reported the request completed or closed.
        case finished
    }

    /// The mutable part of the state.
    struct Slot {
        var phase = Phase.receiving
        var body: [UInt8] = []
    }

    /// The `MHD_Connection` pointer, valid until the request is finished.
    let connection: UInt

    /// Method, path, headers, query and peer, known from the first callback.
    let head: HTTPRequest

    let slot = Mutex(Slot())

    init(connection: OpaquePointer, head: HTTPRequest) {
        self.connection = UInt(bitPattern: connection)
        self.head = head
    }

    /// The connection pointer; only dereferenced by libmicrohttpd while not finished.
    var connectionPointer: OpaquePointer? {
        OpaquePointer(bitPattern: connection)
    }

    /// Records an answer and wakes a suspended connection; first answer wins.
    func respond(_ response: HTTPResponse) -> Bool {
        slot.withLock { slot in
            switch slot.phase {
            case .handling:
                slot.phase = .responded(response)
                return true
            case .suspended:
                slot.phase = .responded(response)
                // Resuming under the lock orders it after the suspend and before the
                // completion callback can mark the connection finished.
                MHD_resume_connection(connectionPointer)
                return true
            case .receiving, .rejecting, .responded, .queued, .finished:
                return false
            }
        }
    }
}
