import Foundation
import Glibc
import HTTPServer
import Synchronization
import Testing

/// Counts handler calls so tests can check which requests reached the handler.
final class CallCounter: Sendable {
    let calls = Atomic<Int>(0)

    func record() {
        calls.add(1, ordering: .relaxed)
    }

    var count: Int { calls.load(ordering: .relaxed) }
}

/// Echoes the request's parts in headers and its body as the response body.
func makeEchoHandler(counter: CallCounter = CallCounter()) -> HTTPHandler {
    { request, responder in
        counter.record()
        let query = request.queryItems.map { "\($0.name)=\($0.value ?? "-")" }
            .joined(separator: "&")
        let headers: HTTPHeaders = [
            "X-Method": request.method,
            "X-Path": request.path,
            "X-Query": query,
            "X-Test-Header": request.headers["x-TEST-header"] ?? "none",
            "X-Peer": request.peerAddress ?? "unknown",
        ]
        responder.respond(HTTPResponse(status: 200, headers: headers, body: request.body))
    }
}

/// Answers from a global queue after `delay`, long after the handler returned.
func makeDelayedHandler(delay: Double, counter: CallCounter = CallCounter()) -> HTTPHandler {
    { request, responder in
        counter.record()
        DispatchQueue.global().asyncAfter(deadline: .now() + delay) {
            responder.respond(.text(status: 200, "late \(request.path)"))
        }
    }
}

/// Polls `condition` for up to ten seconds; returns whether it became true.
func eventually(_ condition: () -> Bool) -> Bool {
    for _ in 0..<2_000 {
        if condition() {
            return true
        }
        usleep(5_000)
    }
    return condition()
}

@Suite("HTTPServer over loopback", .serialized)
struct HTTPServerTests {
    @Test func portZeroReportsTheBoundPort() throws {
        let server = try HTTPServer(configuration: .init(port: 0), handler: makeEchoHandler())
        defer { server.stop(drainTimeout: .seconds(1)) }

        #expect(server.port != 0)
        #expect(server.isRunning)
    }

    @Test func getRoundTripCarriesPathQueryHeadersAndPeer() throws {
        let server = try HTTPServer(configuration: .init(), handler: makeEchoHandler())
        defer { server.stop(drainTimeout: .seconds(1)) }

        let response = try performRequest(
            port: server.port,
            target: "/v1/experiments/late%20parcel?unit=u-1&flag&note=two%20words",
            headers: ["X-Test-Header": "abc"]
        )

        #expect(response.status == 200)
        #expect(response.headers["x-method"] == "GET")
        #expect(response.headers["x-path"] == "/v1/experiments/late parcel")
        #expect(response.headers["x-query"] == "unit=u-1&flag=-&note=two words")
        #expect(response.headers["x-test-header"] == "abc")
        #expect(response.headers["x-peer"] == "127.0.0.1")
        #expect(response.body.isEmpty)
    }

    @Test func postRoundTripEchoesTheBody() throws {
        let server = try HTTPServer(configuration: .init(), handler: makeEchoHandler())
        defer { server.stop(drainTimeout: .seconds(1)) }
        let body = (0..<5_000).map { UInt8(truncatingIfNeeded: $0 * 7) }

        let response = try performRequest(
            port: server.port, method: "POST", target: "/v1/events", body: body
        )

        #expect(response.status == 200)
        #expect(response.headers["x-method"] == "POST")
        #expect(response.body == body)
    }

    @Test func keepAliveConnectionServesTwoRequests() throws {
        let server = try HTTPServer(configuration: .init(), handler: makeEchoHandler())
        defer { server.stop(drainTimeout: .seconds(1)) }
        let connection = try LoopbackConnection(port: server.port)

        try connection.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
        let first = try connection.readResponse()
        try connection.send("POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
        let second = try connection.readResponse()

        #expect(first.headers["x-path"] == "/first")
        #expect(second.headers["x-path"] == "/second")
        #expect(second.text == "abc")
    }

    @Test func handlerMayAnswerFromAnotherThreadLater() throws {
        let counter = CallCounter()
        let handler = makeDelayedHandler(delay: 0.2, counter: counter)
        let server = try HTTPServer(configuration: .init(), handler: handler)
        defer { server.stop(drainTimeout: .seconds(1)) }

        let response = try performRequest(port: server.port, target: "/slowly")

        #expect(response.status == 200)
        #expect(response.text == "late /slowly")
        #expect(counter.count == 1)
    }

    @Test func declaredOversizedBodyGets413WithoutBeingSent() throws {
        let counter = CallCounter()
        let configuration = HTTPServer.Configuration(maxRequestBodyBytes: 1 << 20)
        let server = try HTTPServer(
            configuration: configuration, handler: makeEchoHandler(counter: counter))
        defer { server.stop(drainTimeout: .seconds(1)) }
        let connection = try LoopbackConnection(port: server.port)

        // Only the head is sent: the answer must come without the server reading a body.
        try connection.send(
            "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\n\r\n"
        )
        let response = try connection.readResponse()

        #expect(response.status == 413)
        #expect(response.text.contains("payload_too_large"))
        #expect(counter.count == 0)
        #expect(eventually { server.inFlightRequests == 0 })
    }

    @Test func chunkedBodyGrowingPastTheLimitGets413() throws {
        let counter = CallCounter()
        let configuration = HTTPServer.Configuration(maxRequestBodyBytes: 1_024)
        let server = try HTTPServer(
            configuration: configuration, handler: makeEchoHandler(counter: counter))
        defer { server.stop(drainTimeout: .seconds(1)) }
        let connection = try LoopbackConnection(port: server.port)
        let chunk = "258\r\n" + String(repeating: "z", count: 600) + "\r\n"

        try connection.send(
            "POST /v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        try connection.send(chunk + chunk + chunk + "0\r\n\r\n")
        let response = try connection.readResponse()

        #expect(response.status == 413)
        #expect(counter.count == 0)
        #expect(eventually { server.inFlightRequests == 0 })
    }

    @Test func endlessChunkedBodyGetsItsConnectionCut() throws {
        let counter = CallCounter()
        let configuration = HTTPServer.Configuration(maxRequestBodyBytes: 1_024)
        let server = try HTTPServer(
            configuration: configuration, handler: makeEchoHandler(counter: counter))
        defer { server.stop(drainTimeout: .seconds(1)) }
        let connection = try LoopbackConnection(port: server.port)
        let chunk = "4000\r\n" + String(repeating: "z", count: 16_384) + "\r\n"

        try connection.send(
            "POST /v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        var sendFailed = false
        for _ in 0..<256 where !sendFailed {
            sendFailed = (try? connection.send(chunk)) == nil
        }
        let closed = connection.waitForClose()

        #expect(closed)
        #expect(counter.count == 0)
        #expect(eventually { server.inFlightRequests == 0 })
    }

    @Test func chunkedBodyWithinTheLimitReachesTheHandler() throws {
        let configuration = HTTPServer.Configuration(maxRequestBodyBytes: 1_024)
        let server = try HTTPServer(configuration: configuration, handler: makeEchoHandler())
        defer { server.stop(drainTimeout: .seconds(1)) }
        let connection = try LoopbackConnection(port: server.port)

        try connection.send("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        try connection.send("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        let response = try connection.readResponse()

        #expect(response.status == 200)
        #expect(response.text == "hello world")
    }

    @Test func sixtyFourConcurrentClientsAreAllAnswered() throws {
        let configuration = HTTPServer.Configuration(threadPoolSize: 2)
        let server = try HTTPServer(
            configuration: configuration, handler: makeDelayedHandler(delay: 0.05))
        defer { server.stop(drainTimeout: .seconds(1)) }
        let port = server.port

        let answers = onThreads(64) { index -> String in
            (try? performRequest(port: port, target: "/client/\(index)"))?.text ?? "failed"
        }

        #expect(answers.count == 64)
        #expect(answers == (0..<64).map { "late /client/\($0)" })
        #expect(eventually { server.inFlightRequests == 0 })
    }

    @Test func stalledClientDoesNotBlockOthers() throws {
        let configuration = HTTPServer.Configuration(threadPoolSize: 1, connectionTimeoutSeconds: 2)
        let server = try HTTPServer(configuration: configuration, handler: makeEchoHandler())
        defer { server.stop(drainTimeout: .seconds(1)) }
        let stalled = try LoopbackConnection(port: server.port)

        try stalled.send("POST /half HTTP/1.1\r\nHost: x\r\nContent-Len")
        let other = try performRequest(port: server.port, target: "/meanwhile")
        let closedByTimeout = stalled.waitForClose()

        #expect(other.status == 200)
        #expect(other.headers["x-path"] == "/meanwhile")
        #expect(closedByTimeout)
    }

    @Test func malformedRequestsLeaveTheServerServing() throws {
        let server = try HTTPServer(configuration: .init(), handler: makeEchoHandler())
        defer { server.stop(drainTimeout: .seconds(1)) }
        let garbage = [
            "\u{1}\u{2}\u{3} nonsense\r\n\r\n",
            "GET / HTTP/1.1\r\nBad Header Without Colon\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        ]

        for text in garbage {
            let connection = try LoopbackConnection(port: server.port, receiveTimeoutSeconds: 3)
            try connection.send(text)
            _ = connection.waitForClose()
        }
        let response = try performRequest(port: server.port, target: "/still-here")

        #expect(response.status == 200)
        #expect(eventually { server.inFlightRequests == 0 })
    }

    @Test func stopDrainsAnInFlightDelayedRequest() throws {
        let server = try HTTPServer(configuration: .init(), handler: makeDelayedHandler(delay: 0.5))
        let port = server.port
        let result = ResultBox<Int>(count: 1)
        let done = DispatchSemaphore(value: 0)
        Thread {
            let status = (try? performRequest(port: port, target: "/drain"))?.status ?? -1
            result.set(0, status)
            done.signal()
        }.start()

        #expect(eventually { server.inFlightRequests == 1 })
        server.stop(drainTimeout: .seconds(10))
        done.wait()

        #expect(result.values == [200])
        #expect(!server.isRunning)
        #expect(throws: (any Error).self) { try performRequest(port: port) }
    }

    @Test func stopAnswersAnAbandonedRequestWith503() throws {
        let counter = CallCounter()
        let server = try HTTPServer(configuration: .init()) { _, _ in counter.record() }
        let port = server.port
        let result = ResultBox<Int>(count: 1)
        let done = DispatchSemaphore(value: 0)
        Thread {
            let status = (try? performRequest(port: port, target: "/never"))?.status ?? -1
            result.set(0, status)
            done.signal()
        }.start()

        #expect(eventually { counter.count == 1 })
        server.stop(drainTimeout: .milliseconds(100))
        done.wait()

        #expect(result.values == [503])
        #expect(server.inFlightRequests == 0)
    }

    @Test func lateSecondAnswerIsRefused() throws {
        let outcomes = ResultBox<Bool>(count: 2)
        let server = try HTTPServer(configuration: .init()) { _, responder in
            outcomes.set(0, responder.respond(.text(status: 200, "first")))
            outcomes.set(1, responder.respond(.text(status: 500, "second")))
        }
        defer { server.stop(drainTimeout: .seconds(1)) }

        let response = try performRequest(port: server.port)

        #expect(response.text == "first")
        #expect(outcomes.values == [true, false])
    }

    @Test func bindingAPortInUseFails() throws {
        let first = try HTTPServer(configuration: .init(), handler: makeEchoHandler())
        defer { first.stop(drainTimeout: .seconds(1)) }

        let error = #expect(throws: HTTPServerError.self) {
            _ = try HTTPServer(configuration: .init(port: first.port), handler: makeEchoHandler())
        }

        #expect(error?.code == .bindFailed)
        #expect(error?.systemError == EADDRINUSE)
    }
}

@Suite struct HTTPValueTests {
    @Test func headerLookupIgnoresCase() {
        var headers: HTTPHeaders = ["Content-Type": "application/json", "X-A": "1"]
        headers.add(name: "x-a", value: "2")

        #expect(headers["content-type"] == "application/json")
        #expect(headers["CONTENT-TYPE"] == "application/json")
        #expect(headers.values(forName: "X-a") == ["1", "2"])
        #expect(headers["missing"] == nil)
    }

    @Test func jsonErrorEscapesItsStrings() {
        let response = HTTPResponse.jsonError(
            status: 400, code: "bad_json", message: "a \"quote\"\n")

        #expect(response.status == 400)
        #expect(response.headers["content-type"] == "application/json")
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(text == #"{"error":{"code":"bad_json","message":"a \"quote\"\n"}}"#)
    }
}
