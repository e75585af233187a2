/// A reason the plugin refuses to generate, reported by protoc to whoever runs it.
struct GenerationError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
