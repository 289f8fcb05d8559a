#define _GNU_SOURCE
#include "CRaySupport.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int cray_memfd_create(const char *name) {
    return memfd_create(name, MFD_CLOEXEC);
}

int cray_send_fd(int socket, int fd) {
    char byte = 'F';
    struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
    memset(&control, 0, sizeof(control));
    struct msghdr msg = { 0 };
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof(control.buf);
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    ssize_t sent;
    do { sent = sendmsg(socket, &msg, MSG_NOSIGNAL); } while (sent < 0 && errno == EINTR);
    return sent == 1 ? 0 : -1;
}

int cray_recv_fd(int socket) {
    char byte;
    struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
    struct msghdr msg = { 0 };
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof(control.buf);
    ssize_t got;
    do { got = recvmsg(socket, &msg, MSG_CMSG_CLOEXEC); } while (got < 0 && errno == EINTR);
    if (got != 1) return -1;
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    if (!cmsg || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) return -1;
    int fd;
    memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
    return fd;
}

int cray_accept_cloexec(int listener) {
    return accept4(listener, NULL, NULL, SOCK_CLOEXEC);
}

int cray_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int cray_wait_for_hangup(int fd) {
    struct pollfd entry = {.fd = fd, .events = POLLRDHUP, .revents = 0};
    while (1) {
        int n = poll(&entry, 1, -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (entry.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) return 0;
    }
}

pid_t cray_peer_pid(int fd) {
    struct ucred credentials;
    socklen_t length = sizeof(credentials);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
    return credentials.pid;
}

int cray_peer_uid(int fd, uid_t *uid) {
    struct ucred credentials;
    socklen_t length = sizeof(credentials);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
    *uid = credentials.uid;
    return 0;
}

static __thread int is_reader_thread = 0;

void cray_mark_reader_thread(void) { is_reader_thread = 1; }

int cray_is_reader_thread(void) { return is_reader_thread; }

static __thread int is_job_runner_thread = 0;

void cray_mark_job_runner_thread(void) { is_job_runner_thread = 1; }

int cray_is_job_runner_thread(void) { return is_job_runner_thread; }

void cray_line_buffer_stdout(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
}

pid_t cray_spawn(const char *path, char *const argv[], char *const envp[],
                 const int *child_fds, const int *target_fds, int n,
                 int stdout_fd, int stderr_fd, int new_session) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (new_session) flags |= POSIX_SPAWN_SETSID;
    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, flags);
    int highest = 2;
    for (int i = 0; i < n; i++) {
        posix_spawn_file_actions_adddup2(&actions, child_fds[i], target_fds[i]);
        if (target_fds[i] > highest) highest = target_fds[i];
    }
    if (stdout_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
    if (stderr_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
    // Descriptors other libraries left inheritable (Foundation's Process keeps one in its child
    // to learn when the child and everything it started have exited) must not reach a service
    // that outlives its starter: the child gets exactly what is mapped here.
    posix_spawn_file_actions_addclosefrom_np(&actions, highest + 1);
    pid_t pid;
    int rc = posix_spawn(&pid, path, &actions, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return rc == 0 ? pid : -rc;
}
