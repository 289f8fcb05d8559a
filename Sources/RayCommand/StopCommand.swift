import ArgumentParser
import Ray

/// `ray stop`: ends what `ray start` started on this machine, by the process IDs it recorded.
struct StopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop the Ray services `ray start` started on this machine (and their workers).")

    @Flag(help: "Kill at once (SIGKILL) instead of asking the services to stop.")
    var force = false

    func run() throws {
        let report = NodeLauncher.stopAll(force: force)
        if report.stopped.isEmpty {
            print("No Ray services started by `ray start` run on this machine.")
        } else {
            print("Stopped \(report.stopped.joined(separator: ", ")).")
        }
    }
}
