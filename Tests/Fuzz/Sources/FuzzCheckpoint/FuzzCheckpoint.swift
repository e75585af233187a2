import Foundation
import FuzzSupport
import Neural

/// The checkpoint loader: the bytes are a safetensors file, loaded as a worker loads a model (with
/// and without the configuration it expects). A refusal is a `CheckpointError`; a trap, a sanitizer
/// report or an allocation past libFuzzer's limit is a finding.
let scratch = ScratchFolder("checkpoint")

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzCheckpoint(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let url = scratch.write(Fuzz.bytes(data, size), to: "model.safetensors")
    do {
        let loaded = try Checkpoint.load(from: url)
        // A network that loads must be the one its configuration describes.
        _ = try Checkpoint.load(from: url, expecting: loaded.network.config)
    } catch {
        guard error is CheckpointError else { fatalError("Checkpoint.load threw a \(type(of: error)): \(error)") }
    }
    return 0
}

@main enum FuzzCheckpointMain {
    static func main() { Fuzz.main(fuzzCheckpoint) }
}
