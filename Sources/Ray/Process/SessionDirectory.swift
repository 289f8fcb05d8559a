import Foundation
import Glibc
import RayCore

/// Makes the private directory of a new session: `<root>/ray/session_<date>_<pid>_<random>`,
/// mode 0700, so no other user can reach its sockets. The shared parent `<root>/ray` is made
/// sticky and world-writable like `/tmp` when missing, made sticky when this user owns it and
/// others may write it (Python Ray leaves `/tmp/ray` at 0777), and refused when another user
/// could replace what is in it: it, and `<root>`, must be real directories owned by this user or
/// root, and sticky if others may write them.
enum SessionDirectory {
    static func create(root: String) throws -> String {
        let parent = root + "/ray"
        try checkSafe(root)
        if mkdir(parent, 0o1777) == 0 {
            // mkdir applies the umask, which would drop the sticky bit and the write bits.
            chmod(parent, 0o1777)
        } else if errno != EEXIST {
            throw RayError.system("cannot create \(parent): \(String(cString: strerror(errno)))")
        }
        makeStickyIfOwnedAndShared(parent)
        try checkSafe(parent)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd_HH-mm-ss"
        let path = "\(parent)/session_\(formatter.string(from: Date()))_\(getpid())_\(UInt32.random(in: 0 ... .max))"
        // A fresh mkdir (not "create if missing") guarantees the directory is ours and new.
        guard mkdir(path, 0o700) == 0 else {
            throw RayError.system("cannot create the session directory \(path): \(String(cString: strerror(errno)))")
        }
        return path
    }

    /// The sticky bit keeps other users from removing or renaming what this user puts in a
    /// directory they may write; only the owner may set it.
    private static func makeStickyIfOwnedAndShared(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid(),
              info.st_mode & 0o022 != 0, info.st_mode & S_ISVTX == 0 else { return }
        chmod(path, (info.st_mode & 0o7777) | S_ISVTX)
    }

    /// Throws unless `path` is a directory (not a link) that only this user or root can change
    /// the entries of, or one that others may write but with the sticky bit set.
    static func checkSafe(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw RayError.system("cannot use \(path) for Ray sessions: \(String(cString: strerror(errno)))")
        }
        let advice = "; set \(RayEnvironmentKey.temporaryDirectory) to a directory of your own"
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw RayError.system("\(path) is not a directory (a link or a file is refused)" + advice)
        }
        guard info.st_uid == geteuid() || info.st_uid == 0 else {
            throw RayError.system("\(path) belongs to user \(info.st_uid), not to this user (\(geteuid())) or root" + advice)
        }
        if info.st_mode & 0o022 != 0 && info.st_mode & S_ISVTX == 0 {
            throw RayError.system("\(path) may be written by other users and is not sticky" + advice)
        }
    }
}
