#ifndef CRAY_SUPPORT_H
#define CRAY_SUPPORT_H

#include <stddef.h>
#include <sys/types.h>

/// Creates an anonymous shared-memory file (memfd), close-on-exec. Returns the fd or -1 (errno set).
int cray_memfd_create(const char *name);

/// Sends `fd` over the Unix socket `socket` with SCM_RIGHTS, with a one-byte payload. 0 or -1.
int cray_send_fd(int socket, int fd);

/// Receives a descriptor sent with `cray_send_fd`. Returns the fd (close-on-exec) or -1.
int cray_recv_fd(int socket);

/// accept4 with SOCK_CLOEXEC (not visible through Swift's Glibc module).
int cray_accept_cloexec(int listener);

/// pipe2 with O_CLOEXEC (not visible through Swift's Glibc module). 0 or -1.
int cray_pipe_cloexec(int fds[2]);

/// Blocks until the peer of the socket `fd` closes its end (POLLRDHUP, which needs _GNU_SOURCE),
/// without reading: arriving data does not wake the caller. Returns 0, or -1 on a poll error.
int cray_wait_for_hangup(int fd);

/// The process ID of the peer of the connected Unix socket `fd` (SO_PEERCRED), or -1.
pid_t cray_peer_pid(int fd);

/// The user ID of the peer of the connected Unix socket `fd` (SO_PEERCRED), from the kernel. 0 or -1.
int cray_peer_uid(int fd, uid_t *uid);

/// Marks the calling thread as a connection reader (a thread-local flag), and asks whether the
/// calling thread is one: Swift code must not run a user's job on a reader thread.
void cray_mark_reader_thread(void);
int cray_is_reader_thread(void);

/// Marks the calling thread as one that runs a worker's task jobs between the messages it reads
/// (a thread-local flag), and asks whether the calling thread is one.
void cray_mark_job_runner_thread(void);
int cray_is_job_runner_thread(void);

/// HMAC-SHA256 of `data` under `key` (OpenSSL's libcrypto), written to the 32 bytes at `out`.
/// 0, or -1 if libcrypto failed.
int cray_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length, unsigned char out[32]);

/// SHA-256 of `data` (libcrypto), written to the 32 bytes at `out`. 0, or -1 if libcrypto failed.
int cray_sha256(const void *data, size_t length, unsigned char out[32]);

/// SHA-256 of the whole file open at `fd`, read from offset 0 in 1 MiB pieces (`pread`: the
/// descriptor's offset does not move). The number of bytes hashed, or -errno.
long long cray_sha256_fd(int fd, unsigned char out[32]);

/// Makes stdout line-buffered (it is a pipe in workers).
void cray_line_buffer_stdout(void);

/// Spawns `path` with `argv`/`envp`, mapping `child_fds[i]` to fd `target_fds[i]` (count `n`) and
/// redirecting stdout/stderr to `stdout_fd`/`stderr_fd` when they are >= 0. Returns the pid or -errno.
pid_t cray_spawn(const char *path, char *const argv[], char *const envp[],
                 const int *child_fds, const int *target_fds, int n,
                 int stdout_fd, int stderr_fd, int new_session);

#endif
