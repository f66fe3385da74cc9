import Foundation
import Glibc

/// A response as read off the wire by the test client.
struct RawResponse {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Errors of the blocking test client.
enum ClientError: Error {
    case connectFailed(Int32)
    case sendFailed(Int32)
    case closedEarly
    case malformed(String)
}

/// A tiny blocking HTTP/1.1 client over one POSIX TCP socket to 127.0.0.1.
final class LoopbackConnection {
    let descriptor: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16, receiveTimeoutSeconds: Int = 20) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            let failure = errno
            close(descriptor)
            throw ClientError.connectFailed(failure)
        }
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        _ = setsockopt(
            descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout,
            socklen_t(MemoryLayout<timeval>.size)
        )
    }

    deinit {
        close(descriptor)
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else {
                throw ClientError.sendFailed(errno)
            }
            offset += sent
        }
    }

    /// Reads more bytes into the buffer; false at end of stream, error or timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16_384)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else {
            return false
        }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    /// Reads one response with a `Content-Length` body.
    func readResponse() throws -> RawResponse {
        let terminator: [UInt8] = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        while headerEnd == nil {
            headerEnd = buffer.firstRange(of: terminator)?.lowerBound
            if headerEnd == nil, !fill() {
                throw ClientError.closedEarly
            }
        }
        guard let headerEnd else {
            throw ClientError.closedEarly
        }

        let headText = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw ClientError.malformed(headText)
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }

        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = headerEnd + terminator.count
        while buffer.count < bodyStart + length {
            if !fill() {
                throw ClientError.closedEarly
            }
        }
        let body = Array(buffer[bodyStart..<(bodyStart + length)])
        buffer.removeFirst(bodyStart + length)
        return RawResponse(status: status, headers: headers, body: body)
    }

    /// Whether the server closed the connection: reads until end of stream or timeout.
    func waitForClose() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes {
                recv(descriptor, $0.baseAddress, $0.count, 0)
            }
            if count == 0 {
                return true
            }
            if count < 0 {
                return errno == ECONNRESET
            }
        }
    }
}

/// Sends one request on a fresh connection and reads its response.
func performRequest(
    port: UInt16,
    method: String = "GET",
    target: String = "/",
    headers: [String: String] = [:],
    body: [UInt8] = []
) throws -> RawResponse {
    let connection = try LoopbackConnection(port: port)
    var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    for (name, value) in headers {
        head += "\(name): \(value)\r\n"
    }
    if !body.isEmpty || method == "POST" {
        head += "Content-Length: \(body.count)\r\n"
    }
    try connection.send(Array((head + "\r\n").utf8) + body)
    return try connection.readResponse()
}

/// Runs `work` on `count` fresh threads at once and returns their results in order.
func onThreads<T: Sendable>(_ count: Int, _ work: @escaping @Sendable (Int) -> T) -> [T] {
    let results = ResultBox<T>(count: count)
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            results.set(index, work(index))
            group.leave()
        }
        thread.start()
    }
    group.wait()
    return results.values
}

/// A lock-protected array of optional results filled by several threads.
final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [T?]

    init(count: Int) {
        storage = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ value: T) {
        lock.withLock { storage[index] = value }
    }

    var values: [T] {
        lock.withLock { storage.compactMap { $0 } }
    }
}
