/// The key of a value being encoded or decoded within its container (nil for an array element
/// or a single value), made only when needed: for a nested value's coding path or an error.
/// A closure rather than a generic optional key spares the common path boxing the key or
/// building `Optional<Key>` metadata at run time.
typealias ValueEntryKey = () -> (any CodingKey)?
