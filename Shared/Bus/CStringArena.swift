import Foundation

/// C strings for libnats calls that take structs of raw `char *` fields (stream and consumer
/// configurations, server lists): each copy lives as long as the arena and is freed exactly once,
/// when the arena goes away after the call.
final class CStringArena {
    private var strings: [UnsafeMutablePointer<CChar>] = []
    private var arrays: [UnsafeMutablePointer<UnsafePointer<CChar>?>] = []

    init() {}

    deinit {
        strings.forEach { free($0) }
        arrays.forEach { $0.deallocate() }
    }

    func copy(_ string: String) -> UnsafePointer<CChar> {
        let copy = strdup(string)!
        strings.append(copy)
        return UnsafePointer(copy)
    }

    func copy(_ string: String?) -> UnsafePointer<CChar>? {
        string.map { copy($0) }
    }

    /// A `const char **` array of copies of `list`.
    func copy(_ list: [String]) -> UnsafeMutablePointer<UnsafePointer<CChar>?> {
        let array = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: max(list.count, 1))
        arrays.append(array)
        for (index, string) in list.enumerated() { array[index] = copy(string) }
        return array
    }
}
