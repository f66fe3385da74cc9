import CMicroHTTPD
import Glibc

// The C callbacks given to libmicrohttpd. Each receives the `ServerCore` as an
// unretained `void *` (the server holds the retain until `MHD_stop_daemon` returns) and
// each request's `RequestState` through `con_cls`, retained from the first access
// callback until the request-completed callback.

/// The `MHD_AccessHandlerCallback`: called once with the headers, once per upload chunk,
/// once at the end of the body, and once more after each `MHD_resume_connection`.
func accessCallback(
    context: UnsafeMutableRawPointer?,
    connection: OpaquePointer?,
    url: UnsafePointer<CChar>?,
    method: UnsafePointer<CChar>?,
    version: UnsafePointer<CChar>?,
    uploadData: UnsafePointer<CChar>?,
    uploadSize: UnsafeMutablePointer<Int>?,
    requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let context, let connection, let requestContext else {
        return .NO
    }
    let core = Unmanaged<ServerCore>.fromOpaque(context).takeUnretainedValue()

    guard let stored = requestContext.pointee else {
        let state = core.begin(connection: connection, url: url, method: method, version: version)
        requestContext.pointee = Unmanaged.passRetained(state).toOpaque()
        return .YES
    }
    let state = Unmanaged<RequestState>.fromOpaque(stored).takeUnretainedValue()

    if let uploadSize, uploadSize.pointee > 0 {
        let keepReading = core.receive(state, data: uploadData, count: uploadSize.pointee)
        uploadSize.pointee = 0
        return keepReading ? .YES : .NO
    }
    return core.complete(state)
}

/// The `MHD_RequestCompletedCallback`: releases the request's state, whatever happened.
func requestCompletedCallback(
    context: UnsafeMutableRawPointer?,
    connection: OpaquePointer?,
    requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    reason: MHD_RequestTerminationCode
) {
    guard let context, let requestContext, let stored = requestContext.pointee else {
        return
    }
    requestContext.pointee = nil
    let core = Unmanaged<ServerCore>.fromOpaque(context).takeUnretainedValue()
    let state = Unmanaged<RequestState>.fromOpaque(stored).takeRetainedValue()
    core.finish(state)
}

/// The `MHD_AcceptPolicyCallback`: notes the peer's address for the connection callback,
/// which libmicrohttpd calls next on the same thread; accepts every peer.
func acceptPolicyCallback(
    context: UnsafeMutableRawPointer?,
    address: UnsafePointer<sockaddr>?,
    length: socklen_t
) -> MHD_Result {
    guard let context, let address, let text = numericHost(address, length: length) else {
        return .YES
    }
    let core = Unmanaged<ServerCore>.fromOpaque(context).takeUnretainedValue()
    let thread = UInt(pthread_self())
    core.peers.withLock { $0.acceptedByThread[thread] = text }
    return .YES
}

/// The `MHD_NotifyConnectionCallback`: binds the noted peer address to the connection
/// when it starts and forgets it when it closes.
func connectionNotifyCallback(
    context: UnsafeMutableRawPointer?,
    connection: OpaquePointer?,
    socketContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    event: MHD_ConnectionNotificationCode
) {
    guard let context, let connection else {
        return
    }
    let core = Unmanaged<ServerCore>.fromOpaque(context).takeUnretainedValue()
    let key = UInt(bitPattern: connection)
    let thread = UInt(pthread_self())
    core.peers.withLock { table in
        if event == .CONNECTION_NOTIFY_STARTED {
            table.byConnection[key] = table.acceptedByThread.removeValue(forKey: thread)
        } else {
            table.byConnection[key] = nil
        }
    }
}

/// Formats a socket address as a numeric host; calls `getnameinfo` with `NI_NUMERICHOST`.
func numericHost(_ address: UnsafePointer<sockaddr>, length: socklen_t) -> String? {
    var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
    let status = getnameinfo(
        address, length, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST
    )
    guard status == 0 else {
        return nil
    }
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}
