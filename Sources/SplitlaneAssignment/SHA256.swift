import CCrypto

/// SHA-256 over OpenSSL's libcrypto.
///
/// Calls the low-level `SHA256_Init`, `SHA256_Update` and `SHA256_Final`: on short
/// inputs such as unit ids they cost about a quarter of the one-shot `SHA256()`,
/// which looks the algorithm up in a provider on every call.
public enum SHA256 {
    /// The 32-byte digest of `bytes`.
    public static func digest(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var context = SHA256_CTX()
        SHA256_Init(&context)
        var array = Array(bytes)
        array.withUnsafeMutableBytes { buffer in
            _ = SHA256_Update(&context, buffer.baseAddress, buffer.count)
        }
        var digest = [UInt8](repeating: 0, count: 32)
        SHA256_Final(&digest, &context)
        return digest
    }

    /// The lowercase hexadecimal digest of the UTF-8 encoding of `text`.
    public static func hexDigest(_ text: String) -> String {
        let hexDigits = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(64)
        for byte in digest(text.utf8) {
            output.append(hexDigits[Int(byte >> 4)])
            output.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
