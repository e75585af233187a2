// Puts and reads a 50 MB artifact with both artifact-store backends, side by side, and prints the
// throughput of each run in MB/s (10^6 bytes per second). Reading is `path(for:)`, as the workers
// read: the folder store hashes its file; the NATS store downloads into an empty cache, verifying
// as it writes. Every run stores new random bytes, so no put is a repeat.
//
//   nats-server -js -p 4333 -sd /tmp/artifact-benchmark-nats &
//   ACTIVESEG_NATS_URL=nats://127.0.0.1:4333 swift run -c release artifact-benchmark [runs] [megabytes]
//
// Also the Swift side of scripts/vectors/object-store-interop.py (bucket from
// ACTIVESEG_ARTIFACT_BUCKET, default activeseg-artifacts):
//
//   artifact-benchmark put FILE          stores FILE, prints its artifact id
//   artifact-benchmark get SHA256 FILE   writes the artifact to FILE
import Artifacts
import Bus
import Foundation

let environment = ProcessInfo.processInfo.environment
let server = environment["ACTIVESEG_NATS_URL"] ?? BusConfiguration.defaultServer
let bucketName = environment["ACTIVESEG_ARTIFACT_BUCKET"] ?? "activeseg-artifacts"
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("artifact-benchmark-\(UUID().uuidString)")
defer { try? FileManager.default.removeItem(at: scratch) }

func bucket(_ name: String) throws -> ObjectBucket {
    try ObjectBucket(name: name, configuration: BusConfiguration(servers: [server], clientName: "artifact-benchmark"))
}

/// A store on `bucket` with a new, empty cache.
func objectStore(_ bucket: ObjectBucket) throws -> ArtifactStore {
    try ArtifactStore(
        bucket: bucket, cache: scratch.appendingPathComponent("cache-\(UUID().uuidString)"), cacheLimit: 1 << 40)
}

func randomFile(_ url: URL, bytes: Int) throws {
    var data = Data(count: bytes)
    var generator = SystemRandomNumberGenerator()
    data.withUnsafeMutableBytes { buffer in
        for index in stride(from: 0, to: buffer.count, by: 8) {
            withUnsafeBytes(of: generator.next()) { word in
                buffer[index..<min(index + 8, buffer.count)].copyBytes(from: word.prefix(buffer.count - index))
            }
        }
    }
    try data.write(to: url)
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "put" where arguments.count == 2:
    print(try objectStore(try bucket(bucketName)).put(contentsOf: URL(fileURLWithPath: arguments[1])))
case "get" where arguments.count == 3:
    guard let id = ArtifactID(sha256: arguments[1]) else { fatalError("not a SHA-256: \(arguments[1])") }
    let path = try objectStore(try bucket(bucketName)).path(for: id)
    try FileManager.default.copyItem(at: path, to: URL(fileURLWithPath: arguments[2]))
default:
    let runs = arguments.first.flatMap(Int.init) ?? 5
    let megabytes = arguments.dropFirst().first.flatMap(Int.init) ?? 50
    let bytes = megabytes * 1_000_000
    let folder = try ArtifactStore(root: scratch.appendingPathComponent("folder"))
    let objects = try bucket("benchmark-\(UUID().uuidString.prefix(8))")
    // Connects and creates the bucket before the first timing.
    _ = try objectStore(objects).exists(try folder.put(Data()))
    print("\(megabytes) MB artifact, \(runs) runs, nats \(server) (bucket \(objects.name)); MB/s")
    print("run   folder put   folder read   nats put   nats read")
    for run in 1...runs {
        let source = scratch.appendingPathComponent("source-\(run).bin")
        try randomFile(source, bytes: bytes)
        var folderID: ArtifactID?
        var natsID: ArtifactID?
        let folderPut = try seconds { folderID = try folder.put(contentsOf: source) }
        let folderRead = try seconds { _ = try folder.path(for: folderID!) }
        let writer = try objectStore(objects)
        let reader = try objectStore(objects)
        let natsPut = try seconds { natsID = try writer.put(contentsOf: source) }
        let natsRead = try seconds { _ = try reader.path(for: natsID!) }
        let rates = [folderPut, folderRead, natsPut, natsRead].map { Double(bytes) / 1e6 / $0 }
        print(String(format: "%3d   %10.0f   %11.0f   %8.0f   %9.0f", run, rates[0], rates[1], rates[2], rates[3]))
        try FileManager.default.removeItem(at: source)
    }
}
