import ArgumentParser

/// `ray`: runs the services of a Ray cluster on this machine and shows the cluster's state.
@main
struct RayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ray",
        abstract: "Start, join, inspect and stop a Ray cluster.",
        discussion: """
            On the first machine:   ray start --head --node-ip-address 10.0.0.1
            On every other machine: ray start --address 10.0.0.1:6379 --token-file <copy of the head's token file>
            A program joins with:   RAY_ADDRESS=10.0.0.1:6379 swift run my-program
            """,
        subcommands: [StartCommand.self, StopCommand.self, StatusCommand.self])
}
