import Foundation

/// Where a command writes text: the process's standard output or error, or a buffer in tests.
public protocol OutputSink: Sendable {
    func write(_ text: String)
    /// The file behind the sink, when there is one, so a child process can write to it directly.
    var fileHandle: FileHandle? { get }
}

extension OutputSink {
    public var fileHandle: FileHandle? { nil }
}

/// One of the process's standard streams.
public struct StandardStream: OutputSink {
    public let fileHandle: FileHandle?

    public static let output = StandardStream(handle: .standardOutput)
    public static let error = StandardStream(handle: .standardError)

    private init(handle: FileHandle) { fileHandle = handle }

    public func write(_ text: String) { fileHandle?.write(Data(text.utf8)) }
}
