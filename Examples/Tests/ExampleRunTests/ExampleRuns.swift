import Testing

/// Every application's small run starts a local cluster, and a process has one at a time: the
/// suites inside run one after another.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ExampleRuns {}
