/// A first-in, first-out queue with O(1) amortised push and pop.
struct FIFOQueue<Element> {
    private var items: [Element] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }
    var count: Int { items.count - head }
    var first: Element? { isEmpty ? nil : items[head] }

    mutating func push(_ item: Element) { items.append(item) }

    mutating func pop() -> Element? {
        guard !isEmpty else { return nil }
        let item = items[head]
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return item
    }

    /// Removes every element matching `predicate`, keeping the order of the rest.
    mutating func removeAll(where predicate: (Element) -> Bool) -> [Element] {
        let live = items[head...]
        let removed = live.filter(predicate)
        items = live.filter { !predicate($0) }
        head = 0
        return removed
    }
}
