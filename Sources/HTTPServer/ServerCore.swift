import CMicroHTTPD
import Glibc
import Synchronization

/// The state shared by libmicrohttpd's callbacks, passed to them as a retained `void *`.
final class ServerCore: Sendable {
    let handler: HTTPHandler
    let maxRequestBodyBytes: Int

    /// Requests that reached the first callback and whose completion was not yet reported.
    let active = Mutex<[ObjectIdentifier: RequestState]>([:])

    /// Set once `stop` begins, so responses ask the client to close the connection.
    let isStopping = Atomic<Bool>(false)

    /// Peer addresses, handed from the accept-policy callback to the connection callback.
    let peers = Mutex(PeerTable())

    struct PeerTable {
        /// The address just accepted by a thread, keyed by that thread.
        var acceptedByThread: [UInt: String] = [:]
        /// The address of each open connection, keyed by the connection pointer.
        var byConnection: [UInt: String] = [:]
    }

    init(handler: @escaping HTTPHandler, maxRequestBodyBytes: Int) {
        self.handler = handler
        self.maxRequestBodyBytes = maxRequestBodyBytes
    }

    var inFlightCount: Int {
        active.withLock { $0.count }
    }

    // MARK: Request steps, called on libmicrohttpd's threads

    /// Registers a new request from its headers; answers 413 at once for a too-long body.
    func begin(
        connection: OpaquePointer,
        url: UnsafePointer<CChar>?,
        method: UnsafePointer<CChar>?,
        version: UnsafePointer<CChar>?
    ) -> RequestState {
        let head = HTTPRequest(
            method: method.map { String(cString: $0) } ?? "",
            path: url.map { String(cString: $0) } ?? "/",
            queryItems: Self.values(of: connection, kind: .GET_ARGUMENT_KIND)
                .map { HTTPQueryItem(name: $0.name, value: $0.value) },
            headers: HTTPHeaders(
                Self.values(of: connection, kind: .HEADER_KIND)
                    .map { HTTPHeaders.Field(name: $0.name, value: $0.value ?? "") }
            ),
            peerAddress: peers.withLock { $0.byConnection[UInt(bitPattern: connection)] },
            version: version.map { String(cString: $0) } ?? ""
        )
        let state = RequestState(connection: connection, head: head)
        active.withLock { $0[ObjectIdentifier(state)] = state }

        let declared = head.headers["Content-Length"]
            .flatMap { UInt64($0.trimmingSpaces) }
        if let declared, declared > UInt64(maxRequestBodyBytes) {
            rejectTooLarge(state)
        }
        return state
    }

    /// Appends an upload chunk; past the limit, answers 413 or starts discarding.
    ///
    /// libmicrohttpd 0.9.75 refuses `MHD_queue_response` while a body is still being
    /// read, so a chunked body that outgrows the limit is discarded up to
    /// `discardAllowance` more bytes and answered with 413 when it ends; a body longer
    /// than that gets its connection closed without an answer (the return is false).
    func receive(_ state: RequestState, data: UnsafePointer<CChar>?, count: Int) -> Bool {
        enum Outcome {
            case stored, overflowed, discarded, exhausted
        }
        let limit = maxRequestBodyBytes
        let allowance = discardAllowance
        let outcome = state.slot.withLock { slot -> Outcome in
            switch slot.phase {
            case .receiving:
                guard slot.body.count + count <= limit else {
                    slot.body = []
                    return .overflowed
                }
                if let data {
                    slot.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: count))
                }
                return .stored
            case .rejecting(let discarded):
                slot.phase = .rejecting(discarded: discarded + count)
                return discarded + count > allowance ? .exhausted : .discarded
            case .handling, .suspended, .responded, .queued, .finished:
                return .discarded
            }
        }

        switch outcome {
        case .stored, .discarded:
            return true
        case .exhausted:
            return false
        case .overflowed:
            if !rejectTooLarge(state) {
                state.slot.withLock { $0.phase = .rejecting(discarded: count) }
            }
            return true
        }
    }

    /// How many bytes past the limit are read and dropped before the connection is cut.
    var discardAllowance: Int {
        max(maxRequestBodyBytes, 64 * 1024)
    }

    /// Handles the last callback of a request: runs the handler, or queues its late answer.
    func complete(_ state: RequestState) -> MHD_Result {
        enum Step {
            case invoke(HTTPRequest)
            case queue(HTTPResponse)
            case nothing
        }
        let step = state.slot.withLock { slot -> Step in
            switch slot.phase {
            case .receiving:
                slot.phase = .handling
                var request = state.head
                request.body = slot.body
                slot.body = []
                return .invoke(request)
            case .responded(let response):
                slot.phase = .queued
                return .queue(response)
            case .rejecting:
                slot.phase = .queued
                return .queue(self.tooLargeResponse)
            case .handling, .suspended, .queued, .finished:
                return .nothing
            }
        }

        switch step {
        case .invoke(let request):
            handler(request, HTTPResponder(state: state))
            return afterHandler(state)
        case .queue(let response):
            return queue(response, on: state)
        case .nothing:
            return .YES
        }
    }

    /// Queues an answer given during the handler, or suspends until one arrives.
    private func afterHandler(_ state: RequestState) -> MHD_Result {
        let early = state.slot.withLock { slot -> HTTPResponse? in
            if case .responded(let response) = slot.phase {
                slot.phase = .queued
                return response
            }
            slot.phase = .suspended
            MHD_suspend_connection(state.connectionPointer)
            return nil
        }
        guard let early else {
            return .YES
        }
        return queue(early, on: state)
    }

    /// Marks a request finished and forgets it; libmicrohttpd will not mention it again.
    func finish(_ state: RequestState) {
        state.slot.withLock { $0.phase = .finished }
        active.withLock { $0[ObjectIdentifier(state)] = nil }
    }

    /// Answers every request still waiting for its handler with 503; used when draining fails.
    func abandonWaitingRequests() {
        let waiting = active.withLock { Array($0.values) }
        let response = HTTPResponse.jsonError(
            status: 503,
            code: "shutting_down",
            message: "the server stopped before this request was answered"
        )
        for state in waiting {
            _ = state.respond(response)
        }
    }

    // MARK: libmicrohttpd calls

    /// The 413 answer, which also asks the client to close the connection.
    var tooLargeResponse: HTTPResponse {
        var response = HTTPResponse.jsonError(
            status: 413,
            code: "payload_too_large",
            message: "the request body exceeds \(maxRequestBodyBytes) bytes"
        )
        response.headers.replaceOrAdd(name: "Connection", value: "close")
        return response
    }

    /// Queues a 413 answer while the body is unread; false when libmicrohttpd refused it.
    @discardableResult
    private func rejectTooLarge(_ state: RequestState) -> Bool {
        let accepted = state.slot.withLock { slot -> Bool in
            guard case .receiving = slot.phase else {
                return false
            }
            slot.phase = .queued
            slot.body = []
            return true
        }
        guard accepted else {
            return false
        }
        guard queue(tooLargeResponse, on: state) == .YES else {
            state.slot.withLock { $0.phase = .receiving }
            return false
        }
        return true
    }

    /// Builds an `MHD_Response` and queues it; calls `MHD_create_response_from_buffer`,
    /// `MHD_add_response_header` and `MHD_queue_response`.
    private func queue(_ response: HTTPResponse, on state: RequestState) -> MHD_Result {
        let made = response.body.withUnsafeBytes { bytes in
            MHD_create_response_from_buffer(
                bytes.count,
                UnsafeMutableRawPointer(mutating: bytes.baseAddress),
                .RESPMEM_MUST_COPY
            )
        }
        guard let made else {
            return .NO
        }
        defer { MHD_destroy_response(made) }

        for field in response.headers where !Self.isComputedHeader(field.name) {
            _ = MHD_add_response_header(made, field.name, field.value)
        }
        let closing = response.headers["Connection"] != nil
        if isStopping.load(ordering: .relaxed), !closing {
            _ = MHD_add_response_header(made, "Connection", "close")
        }
        let status = UInt32(clamping: response.status)
        return MHD_queue_response(state.connectionPointer, status, made)
    }

    private static func isComputedHeader(_ name: String) -> Bool {
        HTTPHeaders.namesMatch(name, "Content-Length")
            || HTTPHeaders.namesMatch(name, "Transfer-Encoding")
    }

    /// Collects one kind of request values; calls `MHD_get_connection_values_n`.
    private static func values(
        of connection: OpaquePointer,
        kind: MHD_ValueKind
    ) -> [(name: String, value: String?)] {
        var collected: [(name: String, value: String?)] = []
        withUnsafeMutablePointer(to: &collected) { pointer in
            _ = MHD_get_connection_values_n(
                connection,
                kind,
                { context, _, key, keySize, value, valueSize in
                    guard let context, let key else {
                        return .YES
                    }
                    let list = context.assumingMemoryBound(
                        to: [(name: String, value: String?)].self
                    )
                    let name = decodeUTF8(key, count: keySize)
                    let text = value.map { decodeUTF8($0, count: valueSize) }
                    list.pointee.append((name: name, value: text))
                    return .YES
                },
                pointer
            )
        }
        return collected
    }
}

/// Decodes `count` bytes at `pointer` as UTF-8, repairing invalid sequences.
func decodeUTF8(_ pointer: UnsafePointer<CChar>, count: Int) -> String {
    let bytes = UnsafeRawBufferPointer(start: pointer, count: count)
    return String(decoding: bytes, as: UTF8.self)
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }),
            let last = lastIndex(where: { !isBlank($0) })
        else {
            return ""
        }
        return self[first...last]
    }
}
