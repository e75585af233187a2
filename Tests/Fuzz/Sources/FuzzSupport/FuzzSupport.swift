import CFuzzSupport
import Foundation

/// What every harness shares: running libFuzzer, and a scratch folder for readers that take a path.
public enum Fuzz {
    /// The bytes libFuzzer hands to `LLVMFuzzerTestOneInput`.
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Data {
        guard let data, size > 0 else { return Data() }
        return Data(bytes: data, count: size)
    }

    /// Runs libFuzzer with this process's arguments on `callback` and exits with its status.
    ///
    /// libFuzzer's own `main` usually wins the link and calls `LLVMFuzzerTestOneInput` directly;
    /// each harness's `@main` calls this so that the harness runs the same way when it does not.
    public static func main(_ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
    }
}

/// A folder of this process under the system temporary directory (`TMPDIR`, which `scripts/fuzz`
/// points at a folder it removes afterwards), for the input file of readers that open a path and
/// the dataset fixtures around it.
public final class ScratchFolder: Sendable {
    public let url: URL

    public init(_ name: String) {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("activeseg-fuzz-\(name)-\(getpid())", isDirectory: true)
        try? FileManager.default.removeItem(at: url)
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            fatalError("cannot create the scratch folder \(url.path): \(error)")
        }
    }

    /// `bytes` written to `name` inside the folder (intermediate folders created).
    @discardableResult
    public func write(_ bytes: Data, to name: String) -> URL {
        let file = url.appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try bytes.write(to: file)
        } catch {
            fatalError("cannot write the fuzz input \(file.path): \(error)")
        }
        return file
    }

    /// `bytes` written to `name` inside the folder as a gzip stream.
    @discardableResult
    public func writeGzip(_ bytes: Data, to name: String) -> URL {
        let file = url.appendingPathComponent(name)
        let status = bytes.withUnsafeBytes { cfuzz_write_gzip(file.path, $0.baseAddress, $0.count) }
        guard status == 0 else { fatalError("cannot write the fuzz input \(file.path) as gzip") }
        return file
    }
}
