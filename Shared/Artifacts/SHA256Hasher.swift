import CLibCrypto
import Foundation

/// SHA-256 by OpenSSL's libcrypto (Debian's `libssl-dev`, which `libpq-dev` already pulls in): the
/// hash that names artifacts, fed incrementally as bytes stream to or from disk.
///
/// A wrapper of one EVP digest context; the context is freed with the value.
public struct SHA256Hasher: ~Copyable {
    private let context: OpaquePointer

    public init() {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            fatalError("libcrypto could not start a SHA-256 digest")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress, bytes.count > 0 else { return }
            guard EVP_DigestUpdate(context, base, bytes.count) == 1 else {
                fatalError("libcrypto failed to update a SHA-256 digest")
            }
        }
    }

    /// The digest of every byte passed to `update` since the hasher was made or last finalized, as
    /// 64 lowercase hex digits; the hasher then starts over.
    public mutating func finalize() -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &digest, &length) == 1, length == 32,
            EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1
        else {
            fatalError("libcrypto failed to finish a SHA-256 digest")
        }
        return digest.prefix(Int(length)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The hex digest of `data`.
    public static func hex(of data: Data) -> String {
        var hasher = SHA256Hasher()
        hasher.update(data)
        return hasher.finalize()
    }
}
