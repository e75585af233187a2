import Foundation

/// Paths of the checkout these tests were compiled from, so the tests can read `Protos/`.
enum RepositoryLayout {
    /// `Tests/ProtoTests/RepositoryLayout.swift` → the repository root.
    static let root = URL(filePath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    static let protos = root.appending(path: "Protos", directoryHint: .isDirectory)

    /// Every `.proto` file under `Protos/`, as paths relative to it, in byte order.
    static func protoFiles() throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: protos.path(percentEncoded: false))
            .filter { $0.hasSuffix(".proto") }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    static func contents(ofProto path: String) throws -> Data {
        try Data(contentsOf: protos.appending(path: path, directoryHint: .notDirectory))
    }
}
