/// A binary heap whose root is the element of highest priority under `isHigherPriority`.
///
/// Used as a bounded selection (the top-q voxels, kept in a min-heap of size ⌈q·N⌉) and as the
/// priority queue of lazy greedy selection.
struct BinaryHeap<Element> {
    private(set) var elements: [Element]
    private let isHigherPriority: (Element, Element) -> Bool

    init(_ elements: [Element], isHigherPriority: @escaping (Element, Element) -> Bool) {
        self.elements = elements
        self.isHigherPriority = isHigherPriority
        for i in stride(from: elements.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
    }

    var root: Element? { elements.first }

    mutating func popRoot() -> Element? {
        guard !elements.isEmpty else { return nil }
        elements.swapAt(0, elements.count - 1)
        let root = elements.removeLast()
        if !elements.isEmpty { siftDown(0) }
        return root
    }

    /// Replaces the root and restores the heap order (cheaper than pop followed by push).
    mutating func replaceRoot(with element: Element) {
        elements[0] = element
        siftDown(0)
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < elements.count else { return }
            var best = left
            let right = left + 1
            if right < elements.count, isHigherPriority(elements[right], elements[left]) { best = right }
            guard isHigherPriority(elements[best], elements[parent]) else { return }
            elements.swapAt(best, parent)
            parent = best
        }
    }
}
